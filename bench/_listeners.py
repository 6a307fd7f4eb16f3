"""Browsers listening to an assessment's live channel, as the workspace page does, for the benchmark.

Each listener keeps, per result, the newest version it has seen and the last sequence number it applied
(docs/live-protocol.md). When a frame's number skips ahead (a frame dropped, or two web processes
relaying out of order) it asks GET /api/v1/assessments/{id}/changes/?since=N, one request at a time, and
applies the answer, as static/js/live.js does; on 410 it reads the results list again, as a reload would.
With a grace (the spec's "gap_grace_ms", not what the page does today) it first waits that long for the
missing frames, to see how many catch-ups out-of-order relaying alone costs. At the end of a run, once
the channel has been quiet, every listener catches up once more (what a page does when it comes back to
the foreground) and reports its versions, so the benchmark can compare them with the database: "stale
results after the run" must be 0.

It runs in a child process of bench/assessment_bench.py, so that 50 sockets' frames do not compete for
the benchmark's own interpreter lock with the probe it times. Protocol on stdin/stdout, one JSON object a
line: the parent sends the spec; the child answers {"ready": true} once every socket has its hello; the
parent sends {"sends": [[result id, version, monotonic time], ...]} when the load is over; the child waits
for quiet, catches up, and answers with its figures.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import sys
import time
from typing import Any

QUIET_SECONDS = 1.0  # no frame on any socket for this long: the run's messages have all arrived
QUIET_LIMIT_SECONDS = 60.0


def http_get(port: int, path: str, cookie: str) -> tuple[int, Any]:
    """One GET with the browser's session cookie; (status, decoded JSON body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "application/json"})
        response = conn.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body else None
    finally:
        conn.close()


class Listener:
    """One browser tab on the assessment."""

    def __init__(self, spec: dict[str, Any], ws: Any, hello: dict[str, Any]) -> None:
        self.port, self.cookie, self.assessment = spec["port"], spec["cookie"], spec["assessment"]
        self.grace = spec.get("gap_grace_ms", 0) / 1000
        self.ws = ws
        self.versions: dict[str, int] = dict(spec["versions"])
        self.start_seq = self.last = int(hello.get("seq", 0))
        self.has_seq = "seq" in hello
        self.seen: set[int] = set()  # numbers that arrived as frames
        self.arrivals: dict[tuple[str, int], float] = {}
        self.frames = self.catchups = self.recovered = self.reloads = self.errors = 0
        self.last_frame = time.monotonic()
        self.catching: asyncio.Task[None] | None = None
        self.task = asyncio.create_task(self._read())

    def _apply(self, result: dict[str, Any]) -> bool:
        """Keep the newer of what we have and `result`; True when it was newer."""
        rid, version = str(result["id"]), int(result["version"])
        if version > self.versions.get(rid, -1):
            self.versions[rid] = version
            return True
        return False

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                now = self.last_frame = time.monotonic()
                self.frames += 1
                message = json.loads(raw)
                if message.get("type") == "result.updated":
                    result = message["result"]
                    self.arrivals.setdefault((str(result["id"]), int(result["version"])), now)
                    self._apply(result)
                for result in message.get("results") or []:
                    self._apply(result)
                seq = message.get("seq")
                if seq is None or message.get("type") == "presence":
                    continue
                self.seen.add(seq)
                while self.last + 1 in self.seen:
                    self.last += 1
                if seq > self.last and self.catching is None:
                    self.catching = asyncio.create_task(self._catch_up_after_grace())
        except ConnectionClosed:
            pass

    async def _catch_up_after_grace(self) -> None:
        try:
            if self.grace:
                await asyncio.sleep(self.grace)
            while max(self.seen) > self.last:  # still a hole: ask for what is missing, again if need be
                await self.catch_up()
                if self.errors:
                    break
        finally:
            self.catching = None

    async def catch_up(self) -> None:
        """What the page does on a gap: the changes since the last number applied, or a reload on 410."""
        self.catchups += 1
        since = self.last
        path = f"/api/v1/assessments/{self.assessment}/changes/?since={since}"
        status, body = await asyncio.to_thread(http_get, self.port, path, self.cookie)
        if status == 200:
            self.recovered += sum(self._apply(result) for result in body["results"])
            for message in body["messages"]:
                for result in message.get("results") or []:
                    self.recovered += self._apply(result)
            self.last = max(self.last, int(body["last"]))
        elif status == 410:
            self.reloads += 1
            listing = f"/api/v1/assessments/{self.assessment}/results/?page_size=all"
            status, page = await asyncio.to_thread(http_get, self.port, listing, self.cookie)
            if status != 200:
                self.errors += 1
                return
            for result in page["results"]:
                self.recovered += self._apply(result)
            self.last = max(self.last, int(body["last"]))
        else:
            self.errors += 1
        while self.last + 1 in self.seen:
            self.last += 1

    def figures(self, sends: dict[tuple[str, int], float], before: dict[str, int]) -> dict[str, Any]:
        dropped = sum(1 for n in range(self.start_seq + 1, self.last + 1) if n not in self.seen)
        push = [round((t - sends[key]) * 1000, 2) for key, t in self.arrivals.items() if key in sends]
        return {
            "versions": self.versions,
            "versions_before_final_catch_up": before,
            "frames": self.frames,
            "dropped": dropped,
            "catchups": self.catchups,
            "recovered": self.recovered,
            "reloads": self.reloads,
            "errors": self.errors,
            "has_seq": self.has_seq,
            "open": not self.task.done(),
            "push_ms": push,
        }


async def connect(spec: dict[str, Any]) -> Listener:
    from websockets.asyncio.client import connect as ws_connect
    from websockets.typing import Origin

    port = spec["port"]
    ws = await ws_connect(
        f"ws://127.0.0.1:{port}/ws/assessments/{spec['assessment']}/",
        origin=Origin(f"http://127.0.0.1:{port}"),
        additional_headers={"Cookie": spec["cookie"]},
        proxy=None,
        max_queue=None,  # read everything: the server, not this client, is what is measured
    )
    hello = json.loads(await ws.recv())
    if hello.get("type") != "hello":
        raise RuntimeError(f"expected hello, got {hello}")
    return Listener(spec, ws, hello)


async def run(spec: dict[str, Any], lines: asyncio.StreamReader) -> dict[str, Any]:
    listeners = [await connect(spec) for _ in range(spec["sockets"])]
    print(json.dumps({"ready": True}), flush=True)
    end = json.loads(await lines.readline())
    sends = {(rid, int(version)): float(t) for rid, version, t in end["sends"]}
    deadline = time.monotonic() + QUIET_LIMIT_SECONDS
    while time.monotonic() < deadline:
        newest = max(w.last_frame for w in listeners)
        busy = any(w.catching is not None for w in listeners)
        if not busy and time.monotonic() - newest >= QUIET_SECONDS:
            break
        await asyncio.sleep(0.1)
    before = [dict(w.versions) for w in listeners]
    # Back in the foreground: every page asks for what it may still have missed (one request each).
    await asyncio.gather(*(w.catch_up() for w in listeners if w.has_seq))
    figures = [w.figures(sends, b) for w, b in zip(listeners, before, strict=True)]
    for w in listeners:
        await w.ws.close()
    return {"listeners": figures}


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)  # the spec and the sends run to megabytes
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    spec = json.loads(await reader.readline())
    print(json.dumps(await run(spec, reader)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
