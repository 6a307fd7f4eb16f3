"""Smoke checks against the production-like stack that .ci/smoke.sh starts.

    python .ci/smoke.py http://127.0.0.1:8101 http://127.0.0.1:8102

Two web processes A and B (one URL each). As demo-consultant: log in through the real login form, open an
assessment's WebSocket on A and on B, save a result over HTTP on each process and check that the socket on
the *other* process hears it (the Redis channel layer crosses processes), ask for a gap-assessment PDF and
wait for a Celery worker to render it, and check /healthz on both. Each step prints its time; the first
failure exits 1. Standard library only, plus `websockets` (from uvicorn[standard]).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

USERNAME = "demo-consultant"
PASSWORD = os.environ.get("DEMO_PASSWORD", "zonewise-demo")
STARTUP_TIMEOUT = 60.0  # seconds for both web processes to answer /healthz
MESSAGE_TIMEOUT = 10.0  # seconds for a broadcast to arrive
REPORT_TIMEOUT = 90.0  # seconds for a worker to render the PDF


class SmokeFailure(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


@contextmanager
def step(title: str) -> Iterator[None]:
    start = time.monotonic()
    print(f"  .. {title}", flush=True)
    try:
        yield
    except Exception:
        print(f"  FAIL {title} ({time.monotonic() - start:.2f} s)", flush=True)
        raise
    print(f"  ok {title} ({time.monotonic() - start:.2f} s)", flush=True)


def note(text: str) -> None:
    print(f"       {text}", flush=True)


class Client:
    """One browser-like session (cookies shared by both processes: same host, same database)."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        # No proxy, whatever the environment says: everything here is on loopback.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes, str]:
        """(status, headers, body, final URL); HTTP errors are answers here, not exceptions."""
        headers = dict(headers or {})
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if method not in ("GET", "HEAD") and (token := self.cookie("csrftoken")):
            headers.setdefault("X-CSRFToken", token)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) only
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read(), response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read(), url

    def json(
        self, method: str, url: str, expect: int = 200, json_body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[Any, dict[str, str]]:
        status, headers, body, _ = self.request(
            method, url, json_body=json_body, headers={"Accept": "application/json", **(headers or {})}
        )
        check(status == expect, f"{method} {url} answered {status}, expected {expect}: {body[:300]!r}")
        return json.loads(body), headers


def wait_healthy(client: Client, base: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, _, body, _ = client.request("GET", f"{base}/healthz")
            if status == 200:
                result: dict[str, Any] = json.loads(body)
                return result
            last = f"{status} {body[:200]!r}"
        except (OSError, urllib.error.URLError) as error:
            last = repr(error)
        time.sleep(0.25)
    raise SmokeFailure(f"{base}/healthz not healthy within {timeout:.0f} s: {last}")


def log_in(client: Client, base: str) -> None:
    status, _, body, _ = client.request("GET", f"{base}/login/")
    check(status == 200, f"GET /login/ answered {status}")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    check(match, "the login page has no CSRF token")
    assert match is not None
    form = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
    status, _, body, final_url = client.request(
        "POST", f"{base}/login/", form=form, headers={"Referer": f"{base}/login/"}
    )
    check(status == 200, f"POST /login/ ended in {status} at {final_url}")
    check(urllib.parse.urlparse(final_url).path != "/login/", f"the login form came back: {body[:300]!r}")
    check(client.cookie("sessionid"), "no session cookie after logging in")
    # Whatever pages the flow shows after the password (a second factor for people who have one), the
    # session must now reach the API: that is what "logged in" means for the rest of this run.
    status, _, _, _ = client.request(
        "GET", f"{base}/api/v1/assessments/?page_size=1", headers={"Accept": "application/json"}
    )
    check(status == 200, f"logged in at {final_url}, but the API answers {status}")
    note(f"landed on {urllib.parse.urlparse(final_url).path}")


async def open_socket(client: Client, base: str, assessment: str) -> ClientConnection:
    ws_url = base.replace("http", "ws", 1) + f"/ws/assessments/{assessment}/"
    socket = await connect(
        ws_url,
        origin=base,  # type: ignore[arg-type]  # Origin is a NewType of str
        additional_headers={"Cookie": f"sessionid={client.cookie('sessionid')}"},
        proxy=None,
        compression=None,
        open_timeout=10,
    )
    hello = await receive(socket, lambda m: True)
    check(hello["type"] == "hello", f"first frame on {ws_url} is {hello!r}, not hello")
    check(hello["can_edit"] is True, f"{USERNAME} may not edit this assessment: {hello!r}")
    return socket


async def receive(socket: ClientConnection, wanted: Any, timeout: float = MESSAGE_TIMEOUT) -> dict[str, Any]:
    """The first frame that `wanted(frame)` accepts; frames before it (presence...) are skipped."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout=left))
        except TimeoutError:
            break
        if wanted(frame):
            return frame
    raise SmokeFailure(f"no matching frame within {timeout:.0f} s")


async def save_and_hear(
    client: Client, writer: str, listener: ClientConnection, result: dict[str, Any], label: str
) -> dict[str, Any]:
    """PATCH the result on process `writer`; the socket `listener` (on the other process) must hear it."""
    text = f"smoke check {label} {time.strftime('%H:%M:%S')}"
    saved, _ = await asyncio.to_thread(
        client.json,
        "PATCH",
        f"{writer}/api/v1/results/{result['id']}/",
        json_body={"observations": text},
        headers={"If-Match": f'"{result["version"]}"'},
    )
    check(saved["version"] == result["version"] + 1, f"PATCH gave version {saved['version']}")
    sent = time.monotonic()
    frame = await receive(
        listener,
        # This version exactly: the listener may still hold the broadcast of an earlier save.
        lambda m: (
            m.get("type") == "result.updated"
            and m["result"]["id"] == result["id"]
            and m["result"]["version"] == saved["version"]
        ),
    )
    check(frame["result"]["observations"] == text, f"the broadcast carries {frame['result']['observations']!r}")
    note(f"result.updated v{saved['version']} arrived {1000 * (time.monotonic() - sent):.0f} ms after the save")
    return saved


def worker_that_ran(task: str) -> str:
    """Which worker's log records the task succeeding (SMOKE_LOGS from smoke.sh), for the record."""
    folder = Path(os.environ.get("SMOKE_LOGS", ""))
    for log in sorted(folder.glob("worker-*.log")) if folder.name else []:
        if re.search(rf"{re.escape(task)}\[[^\]]+\] succeeded", log.read_text(errors="replace")):
            return log.stem
    return "unknown"


async def run(base_a: str, base_b: str) -> None:
    client = Client()

    with step(f"both web processes answer /healthz ({base_a}, {base_b})"):
        for base in (base_a, base_b):
            await asyncio.to_thread(wait_healthy, client, base, STARTUP_TIMEOUT)

    with step(f"log in as {USERNAME} through the login form on A"):
        await asyncio.to_thread(log_in, client, base_a)

    with step("find an assessment that can be edited, and one of its results"):
        listing, _ = await asyncio.to_thread(client.json, "GET", f"{base_a}/api/v1/assessments/?page_size=all")
        open_ones = [a for a in listing["results"] if a["status"] != "final"]
        check(open_ones, "the demo has no assessment that is not final")
        assessment = open_ones[0]
        page, _ = await asyncio.to_thread(
            client.json, "GET", f"{base_b}/api/v1/assessments/{assessment['id']}/results/?page_size=1"
        )
        check(page["results"], "the assessment has no results")
        result = page["results"][0]
        note(f"assessment {assessment['id']} ({assessment['title']!r}), result {result['requirement']}")

    with step("open the assessment's WebSocket on A and on B"):
        socket_a = await open_socket(client, base_a, assessment["id"])
        socket_b = await open_socket(client, base_b, assessment["id"])
    try:
        with step("A hears B's socket join (presence crosses processes)"):
            frame = await receive(
                socket_a,
                lambda m: (
                    m.get("type") == "presence"
                    and any(p["connections"] >= 2 for p in m["people"] if p["name"] == "Casey Consultant")
                ),
            )
            note(f"presence: {[(p['name'], p['connections']) for p in frame['people']]}")

        with step("a save over HTTP on A reaches the socket on B"):
            result = await save_and_hear(client, base_a, socket_b, result, "A->B")
        with step("a save over HTTP on B reaches the socket on A"):
            result = await save_and_hear(client, base_b, socket_a, result, "B->A")
    finally:
        await socket_a.close()
        await socket_b.close()

    with step("a worker renders a gap-assessment PDF requested on B"):
        job, _ = await asyncio.to_thread(
            client.json,
            "POST",
            f"{base_b}/api/v1/reports/",
            expect=202,
            json_body={"kind": "gap_assessment", "assessment": assessment["id"]},
        )
        deadline = time.monotonic() + REPORT_TIMEOUT
        while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            # Polled on A: the job is in the database, not in the process that queued it.
            job, _ = await asyncio.to_thread(client.json, "GET", urllib.parse.urljoin(base_a, job["links"]["self"]))
        check(job["status"] == "succeeded", f"report job ended {job['status']!r}: {job.get('error')!r}")
        status, _, body, _ = await asyncio.to_thread(
            client.request, "GET", urllib.parse.urljoin(base_a, job["links"]["download"])
        )
        check(status == 200 and body.startswith(b"%PDF"), f"download answered {status}, {body[:20]!r}")
        note(
            f"job {job['id']}: {len(body)} bytes, {job['output'].get('pages')} pages, "
            f"rendered by {worker_that_ran('run_report')}"
        )

    with step("/healthz reports database, broker and channel layer ok on both processes"):
        for base in (base_a, base_b):
            health = await asyncio.to_thread(wait_healthy, client, base, 5)
            check(health["status"] == "ok", f"{base}/healthz: {health!r}")
            check(set(health["checks"].values()) == {"ok"}, f"{base}/healthz: {health!r}")
        note(f"{health['checks']}")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        asyncio.run(run(sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")))
    except (SmokeFailure, OSError) as error:
        print(f"SMOKE FAILED: {error}", flush=True)
        return 1
    print(f"smoke checks passed in {time.monotonic() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
