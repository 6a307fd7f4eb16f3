"""Benchmark of a large assessment over PostgreSQL and Redis: the floors of the assessments issue.

    .venv/bin/python bench/assessment_bench.py                 # the full run, about 8 minutes
    .venv/bin/python bench/assessment_bench.py --rounds 3 --compare-layers 2   # the channel layers, A/B
    .venv/bin/python bench/assessment_bench.py --rounds 20 --load-seconds 10 --broadcasts 50   # a quick look
    .venv/bin/python bench/assessment_bench.py --db-conn pool --redis-socket-timeout 10      # candidate fixes
    .venv/bin/python bench/assessment_bench.py --no-server --profile 100                      # where time goes

What it measures (docs/benchmarks.md explains the figures and the floors):

1. Server time and query count of the workspace's first screen, the overview and the summary API,
   in process (django.test.Client, no network), on a 20-zone assessment at SL-T 3 (1,820 results)
   and on a 1-zone one (91 results) to show that the query count does not grow with the results.
   Also one PATCH of a result in process, for where the PATCH time goes.
2. The same pages over HTTP through uvicorn, as a client on the machine sees them.
3. PATCH latency with 20 concurrent API clients, each on its own results: paced (each client waits
   a random think time between PATCHes, as people do) and closed loop (each client sends its next
   PATCH as soon as the previous one is answered: the server's saturation). Then 50 clients at a 1 s
   mean pace with 50 more sockets listening, held to PATCH p95 < 100 ms and push p95 < 150 ms, and the
   closed loop again with 20 and with 50 clients, `--consistency-runs` times each.
4. The time from sending a PATCH to the matching `result.updated` frame on another person's
   WebSocket: on a quiet server, after the socket was silent for a while, and during the loads: the
   probe's watcher, and "push", every load PATCH to every listening socket. The listening sockets are
   browsers (bench/_listeners.py, in a child process): they keep each result's version and the last
   sequence number, catch up through the changes endpoint on a gap as the page does, and after each
   load wait for quiet, catch up once more and are compared with the database ("stale results after
   the run", which must be 0), with how many frames were dropped and recovered.
5. With `--compare-layers N`, instead of 3 and 4: the 50-client phase on the channel layer before
   decision 0038 and after it, in turns (docs/decisions/0038-fan-out-per-process.md).

It also notes which processes kept the two CPUs busy in each phase (the machine may be shared),
the server's PostgreSQL sessions and lock waits, and what went wrong in the server's log.

Each run drops and recreates the `zonewise_bench` database and flushes Redis db 14. Benchmarks, not
timed tests: the figures depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import random
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import PG_ADMIN_DSN, ROOT, database_url

if TYPE_CHECKING:
    from accounts.models import User
    from assessments.models import Assessment

DB_NAME = "zonewise_bench"
DATABASE_URL = database_url(DB_NAME)
REDIS_URL = "redis://127.0.0.1:6379/14"
ZONES = 20
SL_T = "{3,3,3,3,3,3,3}"
STATUSES = ("met", "partially_met", "not_met", "not_assessed")

# The floors from the issue, in milliseconds.
FLOOR_PAGE_MS = 300.0
FLOOR_PATCH_P95_20_MS = 50.0  # 20 clients (the assessments issue)
FLOOR_BROADCAST_P95_MS = 300.0
# 50 clients saving every second with 50 more sockets listening (issue 19): PATCH, and PATCH -> listener.
FLOOR_PATCH_P95_MS = 100.0
FLOOR_PUSH_P95_MS = 150.0
PROBE_INTERVAL = 0.25  # seconds between two broadcast probes while the load runs


# --- figures -----------------------------------------------------------------------------------------
def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 200 samples is the 190th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Stats:
    """Median, p95 and maximum of a series of durations in milliseconds."""

    n: int
    median: float
    p95: float
    max: float

    @classmethod
    def of(cls, ms: Sequence[float]) -> Stats:
        return cls(n=len(ms), median=percentile(ms, 50), p95=percentile(ms, 95), max=max(ms) if ms else math.nan)


@dataclass
class Row:
    """One line of the results table."""

    what: str
    stats: Stats
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    verdicts: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def verdict(self, floor: str, met: bool, detail: str) -> None:
        self.verdicts.append((floor, met, detail))

    def add(self, what: str, ms: Sequence[float], note: str = "") -> Stats:
        stats = Stats.of(ms)
        self.rows.append(Row(what, stats, note))
        print(f"  {what}: median {stats.median:.1f} ms, p95 {stats.p95:.1f} ms, max {stats.max:.1f} ms {note}")
        return stats


# --- environment -------------------------------------------------------------------------------------
def bench_env(
    data_dir: Path, db_conn: str, redis_socket_timeout: float | None, log_level: str, channel_layer: str = ""
) -> dict[str, str]:
    """Production-like settings (DEBUG off) over PostgreSQL and Redis, with plain-http cookies;
    the project's own settings unless a candidate fix is asked for (bench/settings.py)."""
    as_shipped = db_conn == "app" and redis_socket_timeout is None and not channel_layer
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings" if as_shipped else "bench.settings",
        "BENCH_DB_CONN": db_conn,
        "BENCH_CHANNEL_LAYER": channel_layer,
        "BENCH_REDIS_SOCKET_TIMEOUT": "" if redis_socket_timeout is None else str(redis_socket_timeout),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "ZONEWISE_DATA_DIR": str(data_dir),
        "LOG_LEVEL": log_level,
    }


def reset_stores() -> None:
    """A fresh database and an empty Redis db for every run."""
    import redis

    _common.recreate_database(DB_NAME)
    redis.Redis.from_url(REDIS_URL).flushdb()


def drop_stores() -> None:
    import redis

    _common.drop_database(DB_NAME)
    redis.Redis.from_url(REDIS_URL).flushdb()


def machine() -> dict[str, str]:
    """What `_common.machine` says, with the versions of the live-editing stack."""
    import channels
    import channels_redis
    import redis
    import uvicorn

    redis_info: Any = redis.Redis.from_url(REDIS_URL).info("server")
    return {
        **_common.machine(),
        "channels": f"{channels.__version__}, channels-redis {channels_redis.__version__}",
        "uvicorn": uvicorn.__version__,
        "redis": str(redis_info.get("redis_version", "?")),
    }


# --- data --------------------------------------------------------------------------------------------
@dataclass
class Fixture:
    consultant: User
    watcher: User
    big: Assessment
    small: Assessment
    token: str


def build() -> Fixture:
    """An organization, a consultant (who PATCHes) and an asset owner (who watches), a plant of 20
    zones at SL-T 3 on every FR with one assessment of all of them, and a 1-zone plant for comparison."""
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Organization, User
    from assessments import services
    from assessments.models import Result
    from compliance.sl import SLVector
    from zones.models import Site, Zone
    from zones.services import site_save, zone_save

    org = Organization.objects.create(name="Bench Water Utility")
    consultant = User.objects.create_user(
        "bench-consultant", password="bench-password-1", first_name="Casey", last_name="Consultant"
    )
    watcher = User.objects.create_user(
        "bench-owner", password="bench-password-2", first_name="Olivia", last_name="Owner"
    )
    Membership.objects.create(user=consultant, organization=org, role=Role.CONSULTANT)
    Membership.objects.create(user=watcher, organization=org, role=Role.ASSET_OWNER)

    def plant(name: str, zones: int) -> Site:
        site = site_save(site=Site(organization=org), fields={"name": name, "location": "Bench"})
        for n in range(1, zones + 1):
            fields = {"name": f"Zone {n:02d}", "sl_target": SLVector.parse(SL_T), "purdue_level": min(n, 5)}
            zone_save(zone=Zone(site=site), fields=fields)
        return site

    big = services.assessment_create(site=plant("Big plant", ZONES), title="Bench 20 zones", by=consultant)
    small = services.assessment_create(site=plant("Small plant", 1), title="Bench 1 zone", by=consultant)
    out = StringIO()
    call_command("api_token", consultant.username, stdout=out)
    print(
        f"  built: {Result.objects.filter(assessment=big).count()} results in the 20-zone assessment, "
        f"{Result.objects.filter(assessment=small).count()} in the 1-zone one"
    )
    return Fixture(consultant=consultant, watcher=watcher, big=big, small=small, token=out.getvalue().strip())


def session_cookie(user: User) -> str:
    """A logged-in session for `user`, as the browser holds it after logging in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def result_versions(assessment: Assessment) -> list[tuple[str, int]]:
    """(id, version) of every result, zone by zone in catalogue order."""
    from assessments.models import Result

    rows = Result.objects.filter(assessment=assessment).order_by("zone__name", "requirement__position")
    return [(str(pk), version) for pk, version in rows.values_list("id", "version")]


# --- 1. in process -----------------------------------------------------------------------------------
def in_process(fx: Fixture, rounds: int, warmup: int, report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(fx.consultant)
    queries: dict[str, dict[str, int]] = {}
    for label, assessment in (("20 zones, 1,820 results", fx.big), ("1 zone, 91 results", fx.small)):
        pages = {
            "workspace first screen": f"/assessments/{assessment.pk}/workspace/",
            "overview page": f"/assessments/{assessment.pk}/",
            "summary API": f"/api/v1/assessments/{assessment.pk}/summary/",
        }
        for name, url in pages.items():
            for _ in range(warmup):
                assert client.get(url).status_code == 200, url
            times, cpu = [], []
            for _ in range(rounds):
                start, start_cpu = time.perf_counter(), time.thread_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.thread_time() - start_cpu) * 1000)
                assert response.status_code == 200, url
            # Counted apart from the timed rounds: recording SQL would add its own cost to them.
            seen: set[int] = set()
            db_ms = []
            for _ in range(3):
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url)
                seen.add(len(ctx.captured_queries))
                db_ms.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            n_queries = max(seen)
            queries.setdefault(name, {})[label] = n_queries
            size = len(response.content) // 1024
            report.add(
                f"{name} ({label}), in process",
                times,
                f"{n_queries} queries, {min(db_ms):.1f} ms in SQL, CPU {percentile(cpu, 50):.1f} ms, {size} KiB",
            )
    report.raw["queries"] = queries
    for name, by_size in queries.items():
        report.raw.setdefault("query_constant", {})[name] = len(set(by_size.values())) == 1

    # One PATCH in process, to see the server's own share of the PATCH latency.
    results = result_versions(fx.small)
    headers = {"Authorization": f"Token {fx.token}"}
    times, cpu_patch, counts_patch = [], [], set()
    for n in range(warmup + rounds):
        rid, version = results[n % len(results)]
        body = json.dumps({"status": STATUSES[n % len(STATUSES)], "observations": f"bench {n}"})
        url, if_match = f"/api/v1/results/{rid}/", {**headers, "If-Match": f'"{version}"'}
        start, start_cpu = time.perf_counter(), time.thread_time()
        with CaptureQueriesContext(connection) as ctx:
            response = client.patch(url, body, content_type="application/json", headers=if_match)
        elapsed, elapsed_cpu = (time.perf_counter() - start) * 1000, (time.thread_time() - start_cpu) * 1000
        assert response.status_code == 200, response.content
        results[n % len(results)] = (rid, int(response["ETag"].strip('"')))
        counts_patch.add(len(ctx.captured_queries))
        if n >= warmup:
            times.append(elapsed)
            cpu_patch.append(elapsed_cpu)
    note = f"{max(counts_patch)} queries, CPU {percentile(cpu_patch, 50):.1f} ms (+ Redis publish in another thread)"
    report.add("PATCH a result, in process", times, note)


def profile(fx: Fixture, requests: int) -> None:
    """Where the server time of a PATCH and of the workspace goes: cProfile over `requests` of each,
    in process, the project's own functions by cumulative time (library time shows in their totals)."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    client.force_login(fx.consultant)
    results = result_versions(fx.big)[-requests:]
    headers = {"Authorization": f"Token {fx.token}"}

    def patch(n: int) -> None:
        rid, version = results[n]
        body = json.dumps({"status": STATUSES[n % len(STATUSES)], "observations": f"profile {n}"})
        if_match = {**headers, "If-Match": f'"{version}"'}
        response = client.patch(f"/api/v1/results/{rid}/", body, content_type="application/json", headers=if_match)
        assert response.status_code == 200, response.content

    def workspace(n: int) -> None:
        assert client.get(f"/assessments/{fx.big.pk}/workspace/").status_code == 200

    for name, call in (("PATCH /api/v1/results/<id>/", patch), ("workspace first screen", workspace)):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for n in range(requests):
            call(n)
        profiler.disable()
        per = (time.perf_counter() - start) * 1000 / requests
        print(f"\n--- profile of {name}: {requests} requests, {per:.1f} ms each under the profiler ---")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(rf"^{ROOT}/(?!\.venv)", 25)
        print(f"--- {name}: all code, by own time ---")
        stats.sort_stats("tottime").print_stats(25)


# --- HTTP client -------------------------------------------------------------------------------------
class Http:
    """One keep-alive connection, like one browser tab or API client."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.headers = headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {**self.headers, **headers}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=all_headers)
                response = self.conn.getresponse()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection before the request reached it.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def patch_result(self, rid: str, version: int, n: int) -> tuple[int, int]:
        """PATCH one result; (status code, the version it now has)."""
        body = {"status": STATUSES[n % len(STATUSES)], "observations": f"bench edit {n}"}
        status, headers, _ = self.request("PATCH", f"/api/v1/results/{rid}/", body, **{"If-Match": f'"{version}"'})
        etag = headers.get("etag", "").strip('"')
        return status, int(etag) if etag.isdigit() else version

    def close(self) -> None:
        self.conn.close()


# --- the server --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    env: dict[str, str],
    port: int,
    workers: int,
    log: Path,
    extra: Sequence[str] = (),
    app: str = "config.asgi:application",
) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--ws-per-message-deflate",  # as in production (Dockerfile, decision 0014)
        "false",
        *extra,
    ]
    print(f"  server: {shlex.join(cmd[1:])}")
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.returncode}")
        try:
            status, _, _ = Http(port, {}).request("GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("uvicorn did not answer /healthz within 60 s")


def server_errors(log: Path) -> Counter[str]:
    """What went wrong in the server, by the last line of each traceback and each error line."""
    found: Counter[str] = Counter()
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for n, line in enumerate(lines):
        if "channels over capacity" in line:  # channels-redis dropped a group message (logged at INFO)
            found["channels-redis: group message dropped, a socket's channel over capacity"] += 1
            continue
        if "over capacity" in line and "dropping its oldest" in line:  # core.channel_layer, once per socket
            found["channel layer: a socket's queue full, oldest messages dropped (logged once per socket)"] += 1
            continue
        if line.startswith(("Internal Server Error", "ERROR:")):
            found[line.split(":", 1)[0] if line.startswith("Internal") else line] += 1
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        is_last_of_traceback = (
            not line.startswith((" ", "Traceback"))
            and ": " in line
            and (not nxt or nxt.startswith(("Internal", "ERROR", "During", "The above", "Traceback")))
        )
        if is_last_of_traceback and not line.startswith(("Internal Server Error", "ERROR:")):
            found[line[:160]] += 1
    return found


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group this script started for the server
            server.wait()


# --- 2. pages over HTTP ------------------------------------------------------------------------------
def over_http(port: int, fx: Fixture, cookie: str, rounds: int, warmup: int, report: Report) -> None:
    browser = Http(port, {"Cookie": cookie})
    api = Http(port, {"Authorization": f"Token {fx.token}"})
    for name, client, url in (
        ("workspace first screen", browser, f"/assessments/{fx.big.pk}/workspace/"),
        ("summary API", api, f"/api/v1/assessments/{fx.big.pk}/summary/"),
    ):
        times = []
        for n in range(warmup + rounds):
            start = time.perf_counter()
            status, _, _ = client.request("GET", url)
            assert status == 200, (url, status)
            if n >= warmup:
                times.append((time.perf_counter() - start) * 1000)
        report.add(f"{name} (20 zones) over HTTP", times, "client-observed, one client at a time")
    browser.close()
    api.close()


# --- 3. PATCH load (a child process, so that its threads do not share our interpreter lock) -------------
def load_worker() -> None:
    """Entry point of the load child: read a spec on stdin, run the clients, print figures as JSON."""
    spec = json.load(sys.stdin)
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in spec["assignments"]]
    sends: list[list[list[Any]]] = [[] for _ in spec["assignments"]]  # [id, version it made, monotonic time]
    codes: list[Counter[int]] = [Counter() for _ in spec["assignments"]]
    think = spec["think_ms"] / 1000

    def client(k: int, items: list[list[Any]]) -> None:
        rng = random.Random(k)
        conn = Http(spec["port"], {"Authorization": f"Token {spec['token']}"})
        while time.time() < spec["start_at"]:
            time.sleep(0.005)
        if think:
            time.sleep(rng.uniform(0, think))  # spread the first requests over one think time
        n = 0
        while not stop.is_set():
            rid, version = items[n % len(items)]
            sent, start = time.monotonic(), time.perf_counter()  # monotonic: one clock for all processes
            status, new_version = conn.patch_result(rid, version, n)
            latencies[k].append((time.perf_counter() - start) * 1000)
            codes[k][status] += 1
            if status == 200:
                sends[k].append([rid, new_version, sent])
            items[n % len(items)][1] = new_version
            n += 1
            if think:
                stop.wait(rng.expovariate(1 / think))
        conn.close()

    threads = [threading.Thread(target=client, args=(k, items)) for k, items in enumerate(spec["assignments"])]
    for t in threads:
        t.start()
    time.sleep(max(0.0, spec["start_at"] - time.time()) + spec["seconds"])
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.time() - spec["start_at"]
    merged: Counter[int] = sum(codes, Counter())
    print(
        json.dumps(
            {
                "latencies_ms": [x for series in latencies for x in series],
                "codes": {str(k): v for k, v in merged.items()},
                "elapsed": elapsed,
                "versions": spec["assignments"],
                "sends": [x for series in sends for x in series],
            }
        )
    )


def run_load(spec: dict[str, Any]) -> subprocess.Popen[str]:
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "--load-worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdin is not None
    child.stdin.write(json.dumps(spec))
    child.stdin.close()
    return child


def load_figures(child: subprocess.Popen[str]) -> dict[str, Any]:
    assert child.stdout is not None
    out = child.stdout.read()
    if child.wait() != 0:
        raise RuntimeError(f"the load process failed with {child.returncode}")
    figures: dict[str, Any] = json.loads(out)
    return figures


Ticks = dict[int, tuple[str, int]]


def cpu_ticks(server_pid: int, load_pid: int, listen_pid: int = -1) -> Ticks:
    """(role, CPU ticks used so far) of every process on the machine, from /proc."""
    parents: dict[int, int] = {}
    seen: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        seen[pid] = (comm, int(fields[11]) + int(fields[12]))  # utime + stime

    def role(pid: int, comm: str) -> str:
        if pid == load_pid:
            return "load clients"
        if pid == listen_pid:
            return "listening browsers"
        if pid == os.getpid():
            return "this script"
        if comm == "postgres":
            return "postgresql"
        if comm.startswith("redis-server"):
            return "redis"
        ancestor = pid
        while ancestor > 1:
            if ancestor == server_pid:
                return "uvicorn"
            ancestor = parents.get(ancestor, 1)
        return "other processes"

    # server_pid and load_pid are -1 before the server and the load exist.
    return {pid: (role(pid, comm), ticks) for pid, (comm, ticks) in seen.items()}


def cores_used(before: Ticks, after: Ticks, seconds: float) -> dict[str, float]:
    """CPU cores kept busy by each role between two snapshots (processes that ended meanwhile are missed)."""
    used: Counter[str] = Counter()
    for pid, (role, ticks) in after.items():
        used[role] += ticks - before.get(pid, (role, 0))[1]
    tick = os.sysconf("SC_CLK_TCK")
    return {role: round(n / tick / seconds, 2) for role, n in used.most_common()}


class CpuWindow:
    """Notes which processes kept the CPUs busy while a phase ran (the machine may be shared)."""

    def __init__(
        self, report: Report, label: str, server_pid: int = -1, load_pid: int = -1, listen_pid: int = -1
    ) -> None:
        self.report, self.label, self.server_pid, self.load_pid = report, label, server_pid, load_pid
        self.listen_pid = listen_pid
        self.cores: dict[str, float] = {}

    def __enter__(self) -> CpuWindow:
        self._before, self._from = cpu_ticks(self.server_pid, self.load_pid, self.listen_pid), time.time()
        return self

    def __exit__(self, *exc: object) -> None:
        after = cpu_ticks(self.server_pid, self.load_pid, self.listen_pid)
        self.cores = cores_used(self._before, after, time.time() - self._from)
        busy = ", ".join(f"{k} {v}" for k, v in self.cores.items())
        self.report.notes.append(f"CPU cores busy during {self.label} (of {os.cpu_count()}): {busy}")


class ConnectionSampler:
    """Samples the server's PostgreSQL sessions on the bench database ten times a second: how many
    there are, and how many wait for a lock held by another transaction."""

    def __init__(self) -> None:
        self.peak = 0
        self.samples = 0
        self.lock_waits = 0  # sessions seen waiting for a lock, summed over the samples
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        query = (
            "SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock') "
            "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            while not self._stop.is_set():
                row = conn.execute(query, [DB_NAME]).fetchone()
                if row:
                    self.peak = max(self.peak, int(row[0]))
                    self.lock_waits += int(row[1])
                    self.samples += 1
                self._stop.wait(0.1)

    @property
    def mean_lock_waits(self) -> float:
        return self.lock_waits / self.samples if self.samples else 0.0

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- 4. broadcast latency ----------------------------------------------------------------------------
class Watcher:
    """Another person's browser: one WebSocket on the assessment, noting when each result version arrives."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.waiting: dict[tuple[str, int], asyncio.Future[float]] = {}
        self.received = 0
        self.last_frame = time.perf_counter()
        self.silent_for: float | None = None  # seconds without a frame before the server closed it
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                arrived = self.last_frame = time.perf_counter()
                self.received += 1
                message = json.loads(raw)
                if message.get("type") == "result.updated":
                    key = (message["result"]["id"], message["result"]["version"])
                    future = self.waiting.pop(key, None)
                    if future is not None and not future.done():
                        future.set_result(arrived)
        except ConnectionClosed:
            pass
        self.silent_for = time.perf_counter() - self.last_frame

    @property
    def is_open(self) -> bool:
        return not self.task.done()

    @property
    def close_code(self) -> int | None:
        code: int | None = self.ws.close_code
        return code

    async def close(self) -> None:
        await self.ws.close()
        await self.task

    def expect(self, rid: str, version: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[(rid, version)] = future
        return future


async def open_socket(port: int, assessment_id: str, cookie: str) -> Any:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/assessments/{assessment_id}/",
        origin=Origin(f"http://127.0.0.1:{port}"),
        additional_headers={"Cookie": cookie},
        proxy=None,
    )
    hello = json.loads(await ws.recv())
    if hello.get("type") != "hello":
        raise RuntimeError(f"expected hello, got {hello}")
    return ws


@dataclass
class ProbeSeries:
    to_socket: list[float] = field(default_factory=list)  # PATCH sent -> result.updated received
    patch: list[float] = field(default_factory=list)  # PATCH sent -> HTTP response
    lost: int = 0
    errors: int = 0


async def probe(
    watcher: Watcher,
    api: Http,
    items: list[tuple[str, int]],
    until: Callable[[int], bool],
    interval: float,
    counter: list[int],
    timeout: float = 5.0,
) -> ProbeSeries:
    """PATCH results one at a time and time each until the watcher's socket shows it."""
    series = ProbeSeries()
    n = 0
    while not until(n):
        k = counter[0] % len(items)
        counter[0] += 1
        rid, version = items[k]
        arrival = watcher.expect(rid, version + 1)  # every save adds one to the version
        start = time.perf_counter()
        status, new_version = await asyncio.to_thread(api.patch_result, rid, version, counter[0])
        responded = time.perf_counter()
        items[k] = (rid, new_version)
        n += 1
        if status != 200 or new_version != version + 1:
            series.errors += 1
            watcher.waiting.pop((rid, version + 1), None)
            continue
        series.patch.append((responded - start) * 1000)
        try:
            arrived = await asyncio.wait_for(arrival, timeout=timeout)
        except TimeoutError:
            series.lost += 1
            continue
        series.to_socket.append((arrived - start) * 1000)
        if interval:
            await asyncio.sleep(interval)
    return series


async def idle_phase(
    port: int,
    assessment_id: str,
    cookie: str,
    api: Http,
    items: list[tuple[str, int]],
    args: argparse.Namespace,
    counter: list[int],
    report: Report,
) -> None:
    """A browser left quiet for a while, as people are between two findings: is it still connected,
    and does the next change reach it?"""
    print(f"\n[4b] a quiet socket: {args.idle_gaps} PATCHes, each after {args.idle_seconds} s without any traffic")
    delivered: list[float] = []
    drops: list[str] = []
    for _ in range(args.idle_gaps):
        watcher = Watcher(await open_socket(port, assessment_id, cookie))
        await asyncio.sleep(args.idle_seconds)
        if not watcher.is_open:
            drops.append(f"code {watcher.close_code} after {watcher.silent_for:.1f} s silent")
        series = await probe(watcher, api, items, lambda n: n >= 1, 0, counter, timeout=2.0)
        delivered += series.to_socket
        if watcher.is_open:
            await watcher.close()
    lost = args.idle_gaps - len(delivered)
    note = f"delivered {len(delivered)}/{args.idle_gaps}; server closed the socket: {'; '.join(drops) or 'never'}"
    print(f"  {note}")
    if delivered:
        report.add(f"PATCH -> socket idle {args.idle_seconds} s before", delivered, note)
    floor = f"Change reaches a browser whose socket was quiet {args.idle_seconds} s"
    report.verdict(floor, not lost and not drops, note)


async def live_phases(port: int, server_pid: int, fx: Fixture, args: argparse.Namespace, report: Report) -> None:
    big_id = str(fx.big.pk)
    owner_cookie = await asyncio.to_thread(session_cookie, fx.watcher)
    consultant_cookie = await asyncio.to_thread(session_cookie, fx.consultant)
    all_results = await asyncio.to_thread(result_versions, fx.big)
    probe_items, load_items = all_results[:40], all_results[40:]
    api = Http(port, {"Authorization": f"Token {fx.token}"})
    counter = [0]

    print(f"\n[4a] broadcast on a quiet server: {args.broadcasts} PATCHes one after the other")
    watcher = Watcher(await open_socket(port, big_id, owner_cookie))
    await probe(watcher, api, probe_items, lambda n: n >= 10, 0, counter)  # warm-up
    with CpuWindow(report, "the PATCHes one at a time", server_pid):
        quiet = await probe(watcher, api, probe_items, lambda n: n >= args.broadcasts, 0, counter)
    await watcher.close()
    report.add("PATCH, one client at a time, over HTTP", quiet.patch, "quiet server")
    report.add("PATCH -> other browser's socket, quiet", quiet.to_socket, f"lost {quiet.lost}, errors {quiet.errors}")
    b = Stats.of(quiet.to_socket)
    report.verdict(
        "Change reaches another browser p95 < 300 ms (quiet server)",
        b.p95 < FLOOR_BROADCAST_P95_MS and not quiet.lost,
        f"median {b.median:.1f} ms, p95 {b.p95:.1f} ms over {b.n}, lost {quiet.lost}",
    )

    if args.idle_gaps:
        await idle_phase(port, big_id, owner_cookie, api, probe_items, args, counter, report)

    versions = dict(load_items)
    load_ids = [rid for rid, _ in load_items]
    ctx = LoadContext(
        port,
        server_pid,
        fx,
        args,
        report,
        api,
        watcher_cookie=owner_cookie,
        listener_cookie=consultant_cookie,
        probe_items=probe_items,
        load_ids=load_ids,
        versions=versions,
        counter=counter,
    )
    # Paced first, so that what the saturated run leaves behind (connections, queues) cannot colour it.
    for think_ms in sorted(args.think_ms, reverse=True):
        await load_phase(ctx, args.clients, args.listeners, think_ms, args.load_seconds)
    if args.big_clients:
        await load_phase(ctx, args.big_clients, args.big_listeners, 1000, args.load_seconds, floors=True)
    # Closed loop: saturation, and whether every listening browser ends equal to the database.
    stale: dict[int, list[int]] = {}
    for clients, listeners in ((args.clients, args.listeners), (args.big_clients, args.big_listeners)):
        if not clients:
            continue
        for run in range(1, args.consistency_runs + 1):
            figures = await load_phase(ctx, clients, listeners, 0, args.consistency_seconds, run=run)
            stale.setdefault(clients, []).append(figures["stale"])
    for clients, counts in stale.items():
        print(f"  closed loop, {clients} clients: stale results after each run: {counts}")
        report.verdict(
            f"Every listening browser equals the database after the closed loop ({clients} clients)",
            all(k == 0 for k in counts),
            f"stale results after {len(counts)} runs: {counts}",
        )
    api.close()


async def compare_phase(
    port: int, server_pid: int, fx: Fixture, args: argparse.Namespace, report: Report, tag: str
) -> None:
    """The 1 s phase of --big-clients with --big-listeners on a server started with one channel layer."""
    all_results = await asyncio.to_thread(result_versions, fx.big)
    api = Http(port, {"Authorization": f"Token {fx.token}"})
    ctx = LoadContext(
        port,
        server_pid,
        fx,
        args,
        report,
        api,
        watcher_cookie=await asyncio.to_thread(session_cookie, fx.watcher),
        listener_cookie=await asyncio.to_thread(session_cookie, fx.consultant),
        probe_items=all_results[:40],
        load_ids=[rid for rid, _ in all_results[40:]],
        versions=dict(all_results[40:]),
        counter=[0],
    )
    await load_phase(ctx, args.big_clients, args.big_listeners, 1000, args.load_seconds, tag=tag)
    api.close()


@dataclass
class LoadContext:
    """What every load phase shares: the server, the people, the results and their current versions."""

    port: int
    server_pid: int
    fx: Fixture
    args: argparse.Namespace
    report: Report
    api: Http
    watcher_cookie: str
    listener_cookie: str
    probe_items: list[tuple[str, int]]
    load_ids: list[str]
    versions: dict[str, int]  # the load results' versions, as the last PATCH of each left them
    counter: list[int]


def start_listeners(ctx: LoadContext, sockets: int) -> subprocess.Popen[str]:
    """`sockets` browsers on the big assessment in a child process (bench/_listeners.py), each starting
    from the versions the page would have shown; returns once every socket has had its hello."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench._listeners"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdin is not None and child.stdout is not None
    spec = {
        "port": ctx.port,
        "assessment": str(ctx.fx.big.pk),
        "cookie": ctx.listener_cookie,
        "sockets": sockets,
        "gap_grace_ms": ctx.args.gap_grace_ms,
        "versions": {**dict(ctx.probe_items), **ctx.versions},
    }
    child.stdin.write(json.dumps(spec) + "\n")
    child.stdin.flush()
    line = child.stdout.readline()
    if not line or not json.loads(line).get("ready"):
        raise RuntimeError(f"the listeners did not start: {line!r}")
    return child


def listener_figures(child: subprocess.Popen[str], sends: list[list[Any]]) -> list[dict[str, Any]]:
    """Tell the listeners the load is over (and when each PATCH was sent); they wait for quiet, catch up
    once more and answer with what they hold."""
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps({"sends": sends}) + "\n")
    child.stdin.close()
    out = child.stdout.read()
    if child.wait() != 0:
        raise RuntimeError(f"the listeners failed with {child.returncode}")
    listeners: list[dict[str, Any]] = json.loads(out)["listeners"]
    return listeners


def database_versions(assessment: Assessment) -> dict[str, int]:
    from django.db import connection

    try:
        return dict(result_versions(assessment))
    finally:
        connection.close()  # this thread's connection; the server needs the slots


def consistency(report: Report, label: str, listeners: list[dict[str, Any]], truth: dict[str, int]) -> int:
    """Print how far the listening browsers are from the database; returns the stale results after the
    final catch-up, summed over the listeners (must be 0)."""

    def stale(versions: dict[str, int]) -> int:
        return sum(1 for rid, version in truth.items() if versions.get(rid) != version)

    after = sum(stale(w["versions"]) for w in listeners)
    before = sum(stale(w["versions_before_final_catch_up"]) for w in listeners)
    total = {k: sum(w[k] for w in listeners) for k in ("frames", "dropped", "catchups", "recovered", "reloads")}
    errors = sum(w["errors"] for w in listeners)
    closed = sum(1 for w in listeners if not w["open"])
    no_seq = sum(1 for w in listeners if not w["has_seq"])
    print(
        f"  {len(listeners)} listeners: {total['frames']} frames, {total['dropped']} numbered frames dropped, "
        f"{total['catchups']} catch-ups (final one included) recovered {total['recovered']} result versions, "
        f"{total['reloads']} reloads, {errors} errors, {closed} sockets closed by the server"
        + (f", {no_seq} without seq in hello" if no_seq else "")
    )
    print(f"  stale results before the final catch-up: {before}")
    print(f"  stale results after the run: {after}")
    report.notes.append(
        f"{label}: {total['dropped']} frames dropped, {total['recovered']} versions recovered by "
        f"{total['catchups']} catch-ups, {total['reloads']} reloads; stale before the final catch-up "
        f"{before}, after {after}"
    )
    return after


async def load_phase(
    ctx: LoadContext,
    clients: int,
    listeners: int,
    think_ms: int,
    seconds: int,
    floors: bool = False,
    run: int = 0,
    tag: str = "",
) -> dict[str, Any]:
    """`clients` PATCHing at `think_ms` (0: closed loop) for `seconds`, with `listeners` more browsers
    listening and one watcher timed by the probe. With `floors`, the PATCH and push p95 of this phase are
    held to FLOOR_PATCH_P95_MS and FLOOR_PUSH_P95_MS."""
    args, report = ctx.args, ctx.report
    phase = "closed loop" if not think_ms else f"paced, think {think_ms / 1000:g} s"
    label = f"{clients} clients, {phase}" + (f", run {run}" if run else "") + (f", {tag}" if tag else "")
    print(f"\n[3/4c] {label}, {seconds} s, with {listeners} more sockets listening")
    big_id = str(ctx.fx.big.pk)
    watcher = Watcher(await open_socket(ctx.port, big_id, ctx.watcher_cookie))
    children = await asyncio.to_thread(start_listeners, ctx, listeners)
    ids = ctx.load_ids
    assignments = [[[rid, ctx.versions[rid]] for rid in ids[k::clients]] for k in range(clients)]
    start_at = time.time() + 1.5
    spec = {
        "port": ctx.port,
        "token": ctx.fx.token,
        "assignments": assignments,
        "think_ms": think_ms,
        "seconds": seconds,
        "start_at": start_at,
    }
    with ConnectionSampler() as connections:
        child = run_load(spec)
        await asyncio.sleep(start_at - time.time() + 1.0)  # let the load settle first
        stop_probing = time.time() + seconds - 2.0

        def load_over(n: int, stop_at: float = stop_probing) -> bool:
            return time.time() >= stop_at

        with CpuWindow(report, label, ctx.server_pid, child.pid, children.pid):
            # A few probes a second: enough for a p95, few enough not to be the load themselves.
            loaded = await probe(watcher, ctx.api, ctx.probe_items, load_over, PROBE_INTERVAL, ctx.counter)
        figures = await asyncio.to_thread(load_figures, child)
    for assigned in figures["versions"]:
        ctx.versions.update(dict(assigned))
    heard = await asyncio.to_thread(listener_figures, children, figures["sends"])
    truth = await asyncio.to_thread(database_versions, ctx.fx.big)
    codes = {int(k): v for k, v in figures["codes"].items()}
    bad = sum(v for k, v in codes.items() if k != 200)
    rate = codes.get(200, 0) / figures["elapsed"]
    probe_rate = len(loaded.patch) / max(1.0, seconds - 3.0)
    dropped = int(not watcher.is_open) + sum(1 for w in heard if not w["open"])
    note = (
        f"{rate:.0f} PATCH/s (+{probe_rate:.0f}/s by the probe), non-200: {bad} {dict(codes)}, "
        f"peak {connections.peak} PG connections, {connections.mean_lock_waits:.1f} waiting for a lock "
        f"on average, sockets dropped: {dropped}"
    )
    stats = report.add(f"PATCH, {label}", figures["latencies_ms"], note)
    broadcast = report.add(
        f"PATCH -> watcher's socket (probe), {label}", loaded.to_socket, f"lost {loaded.lost}, errors {loaded.errors}"
    )
    push_ms = [x for w in heard for x in w["push_ms"]]
    expected = len(figures["sends"]) * len(heard)
    push = report.add(
        f"PATCH -> each listener's socket, {label}", push_ms, f"{len(push_ms)} of {expected} (PATCH, listener)"
    )
    print(f"  {report.notes[-1]}")
    stale = consistency(report, label, heard, truth)
    if watcher.is_open:
        await watcher.close()
    report.raw[f"load_{clients}_{think_ms}_{run}"] = {
        "codes": codes,
        "rate": rate,
        "peak_connections": connections.peak,
        "patch_ms": figures["latencies_ms"],
        "broadcast_ms": loaded.to_socket,
        "push": {"median": push.median, "p95": push.p95, "n": push.n},
        "stale": stale,
    }
    if clients == args.clients and not run:
        report.verdict(
            f"PATCH p95 < 50 ms with {clients} concurrent clients ({phase})",
            stats.p95 < FLOOR_PATCH_P95_20_MS and bad == 0,
            f"median {stats.median:.1f} ms, p95 {stats.p95:.1f} ms, {rate:.0f} PATCH/s, {bad} non-200",
        )
        report.verdict(
            f"Change reaches another browser p95 < 300 ms (during {phase})",
            broadcast.p95 < FLOOR_BROADCAST_P95_MS and not loaded.lost,
            f"median {broadcast.median:.1f} ms, p95 {broadcast.p95:.1f} ms over {broadcast.n}, lost {loaded.lost}",
        )
    if floors:
        patch_ok, push_ok = stats.p95 < FLOOR_PATCH_P95_MS and bad == 0, push.p95 < FLOOR_PUSH_P95_MS
        print(f"  PATCH p95 {stats.p95:.1f} ms < {FLOOR_PATCH_P95_MS:g} ms: {'PASS' if patch_ok else 'FAIL'}")
        print(f"  push p95 {push.p95:.1f} ms < {FLOOR_PUSH_P95_MS:g} ms: {'PASS' if push_ok else 'FAIL'}")
        report.verdict(
            f"PATCH p95 < {FLOOR_PATCH_P95_MS:g} ms, {label}, {listeners} more listening",
            patch_ok,
            f"median {stats.median:.1f} ms, p95 {stats.p95:.1f} ms, {rate:.0f} PATCH/s, {bad} non-200",
        )
        report.verdict(
            f"Push p95 < {FLOOR_PUSH_P95_MS:g} ms, {label}, {listeners} more listening",
            push_ok,
            f"median {push.median:.1f} ms, p95 {push.p95:.1f} ms over {push.n} (PATCH, listener) pairs",
        )
    return {"stale": stale}


# --- the table ---------------------------------------------------------------------------------------
def print_table(report: Report, info: dict[str, str], command: str, args: argparse.Namespace) -> None:
    print("\n" + "=" * 100)
    print(f"Zonewise assessment benchmark, {info['date']}")
    for key in ("code", "cpus", "ram", "load", "os", "python", "django", "channels", "uvicorn", "postgresql", "redis"):
        print(f"  {key:<11} {info[key]}")
    print(
        f"  server      uvicorn --workers {args.workers} (the machine has {os.cpu_count()} CPUs), "
        f"database connections: {args.db_conn}, channel layer: {args.channel_layer or 'as configured'}, "
        f"its Redis socket timeout: "
        f"{'redis-py default' if args.redis_socket_timeout is None else f'{args.redis_socket_timeout:g} s'}"
    )
    print(f"  command     {command}\n")
    print(f"| {'what':<62} | {'n':>5} | {'median ms':>9} | {'p95 ms':>8} | {'max ms':>8} | notes")
    print(f"|{'-' * 64}|{'-' * 7}|{'-' * 11}|{'-' * 10}|{'-' * 10}|------")
    for row in report.rows:
        s = row.stats
        print(f"| {row.what:<62} | {s.n:>5} | {s.median:>9.1f} | {s.p95:>8.1f} | {s.max:>8.1f} | {row.note}")
    print()
    for note in report.notes:
        print(note)
    print("\nFloors:")
    for what, ok, detail in report.verdicts:
        print(f"  [{'met' if ok else 'NOT MET':>7}] {what}: {detail}")


def page_verdicts(report: Report) -> None:
    by_what = {row.what: row.stats for row in report.rows}
    for name in ("workspace first screen", "summary API"):
        stats = by_what[f"{name} (20 zones, 1,820 results), in process"]
        queries = report.raw["queries"][name]
        constant = report.raw["query_constant"][name]
        report.verdict(
            f"{name} < 300 ms server time, queries constant",
            stats.p95 < FLOOR_PAGE_MS and constant,
            f"median {stats.median:.1f} ms, p95 {stats.p95:.1f} ms; queries {queries}",
        )


# --- main --------------------------------------------------------------------------------------------
def int_list(text: str) -> list[int]:
    """ "1000,5000" -> [1000, 5000]."""
    return [int(x) for x in text.split(",") if x]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    pages = parser.add_argument_group("the pages, in process and over HTTP")
    pages.add_argument("--rounds", type=int, default=50, help="timed requests per page (default 50)")
    pages.add_argument("--warmup", type=int, default=5, help="untimed requests before each series (default 5)")
    pages.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")

    live = parser.add_argument_group("the PATCH loads and the WebSocket")
    live.add_argument("--clients", type=int, default=20, help="concurrent PATCH clients (default 20)")
    live.add_argument("--load-seconds", type=int, default=30, help="length of each load phase (default 30)")
    live.add_argument(
        "--think-ms",
        type=int_list,
        default=[1000, 5000],
        help="mean think times of the paced loads, comma-separated (default 1000,5000)",
    )
    live.add_argument("--idle-gaps", type=int, default=3, help="PATCHes after a quiet socket (default 3)")
    live.add_argument("--idle-seconds", type=int, default=8, help="how long the socket stays quiet (default 8)")
    live.add_argument("--broadcasts", type=int, default=200, help="PATCHes timed to the socket, quiet (default 200)")
    live.add_argument("--listeners", type=int, default=20, help="extra sockets open during the loads (default 20)")
    live.add_argument(
        "--big-clients",
        type=int,
        default=50,
        help="clients of the 1 s phase held to the push floor (default 50; 0: skip)",
    )
    live.add_argument(
        "--big-listeners", type=int, default=50, help="extra sockets open with --big-clients (default 50)"
    )
    live.add_argument(
        "--consistency-runs",
        type=int,
        default=3,
        help="closed-loop runs per client count, each ending with the listeners compared with the database (default 3)",
    )
    live.add_argument(
        "--gap-grace-ms",
        type=int,
        default=200,
        help="how long a listener waits for a missing frame before it catches up (default 200, as static/js/live.js)",
    )
    live.add_argument("--consistency-seconds", type=int, default=20, help="length of each closed-loop run (default 20)")

    fixes = parser.add_argument_group("candidate fixes (see bench/settings.py)")
    fixes.add_argument(
        "--db-conn",
        choices=["app", "close", "pool"],
        default="app",
        help="database connections: app = as configured (CONN_MAX_AGE 60), close = CONN_MAX_AGE 0, "
        "pool = Django's psycopg pool (needs psycopg-pool)",
    )
    fixes.add_argument(
        "--redis-socket-timeout",
        type=float,
        help="read timeout of the channel layer's Redis connections, seconds (default: redis-py's own)",
    )
    fixes.add_argument(
        "--compare-layers",
        type=int,
        default=0,
        metavar="N",
        help="instead of the live phases: N turns of the --big-clients 1 s phase on the core layer with "
        "channels' hop before each relay (as before decision 0038), the bounded pub/sub layer with the hop, and "
        "the bounded layer without it, each on a fresh server",
    )
    fixes.add_argument(
        "--channel-layer",
        choices=["", "core", "bounded"],
        default="",
        help="the Redis channel layer: core = channels-redis RedisChannelLayer, bounded = "
        "core.channel_layer.BoundedPubSubChannelLayer (default: as configured)",
    )
    fixes.add_argument(
        "--server-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more uvicorn argument, repeatable (e.g. --server-arg=--ws-per-message-deflate=true)",
    )

    run = parser.add_argument_group("what the run does and leaves")
    run.add_argument("--profile", type=int, metavar="N", help="also profile N in-process PATCHes and workspaces")
    run.add_argument("--no-server", action="store_true", help="stop after the in-process figures")
    run.add_argument(
        "--log-level", default="INFO", help="the server's LOG_LEVEL (INFO shows channels-redis dropping messages)"
    )
    run.add_argument("--keep-db", action="store_true", help=f"leave the {DB_NAME} database for inspection")
    run.add_argument("--json", type=Path, help="also write the raw figures to this file")
    run.add_argument("--load-worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.load_worker:
        load_worker()
        return 0
    command = shlex.join([".venv/bin/python", "bench/assessment_bench.py", *argv])
    data_dir = Path(tempfile.mkdtemp(prefix="zonewise-bench-"))
    env = bench_env(data_dir, args.db_conn, args.redis_socket_timeout, args.log_level, args.channel_layer)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    report = Report()
    server: subprocess.Popen[bytes] | None = None
    server_log = data_dir / "uvicorn.log"
    try:
        print(f"[0] fresh database {DB_NAME}, Redis db 14, data in {data_dir}")
        reset_stores()
        import django
        from django.core.management import call_command

        django.setup()
        for name, kwargs in (("migrate", {}), ("load_catalogue", {}), ("collectstatic", {"interactive": False})):
            call_command(name, verbosity=0, **kwargs)
        fx = build()
        info = machine()

        print(f"\n[1] in process, {args.rounds} rounds after {args.warmup} warm-up requests")
        with CpuWindow(report, "the in-process figures"):
            in_process(fx, args.rounds, args.warmup, report)
        page_verdicts(report)
        if args.profile:
            profile(fx, args.profile)
        if args.no_server:
            print_table(report, info, command, args)
            return 0

        port = free_port()
        print(f"\n[2] uvicorn on port {port}")
        server = start_server(env, port, args.workers, server_log, args.server_arg)
        cookie = session_cookie(fx.consultant)
        with CpuWindow(report, "the pages over HTTP", server.pid):
            over_http(port, fx, cookie, args.rounds, args.warmup, report)

        from django.db import connections

        connections.close_all()  # the async phases below only use HTTP and the socket
        if not args.compare_layers:
            asyncio.run(live_phases(port, server.pid, fx, args, report))
            stop_server(server)
            errors = server_errors(server_log)
        else:  # the same phase on each layer in turn, same data, same machine, minutes apart
            stop_server(server)
            errors = Counter()
            # Before this work (core layer, channels' hop before each relay), the layer alone, and both.
            variants = (("core", "bench._hop_asgi"), ("bounded", "bench._hop_asgi"), ("bounded", "config.asgi"))
            for n in range(args.compare_layers):
                for layer, app in variants:
                    layer_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_CHANNEL_LAYER": layer}
                    tag = f"{layer} layer" + (", hop before relay" if "hop" in app else "")
                    log, port = data_dir / f"uvicorn-{layer}-{app}-{n}.log", free_port()
                    print(f"\n[5] {tag}, turn {n + 1}: uvicorn on port {port}")
                    server = start_server(layer_env, port, args.workers, log, args.server_arg, f"{app}:application")
                    asyncio.run(compare_phase(port, server.pid, fx, args, report, tag))
                    stop_server(server)
                    errors += server_errors(log)
        report.raw["server_errors"] = dict(errors)
        print_table(report, info, command, args)
        print("\nServer log: " + ("no errors" if not errors else f"{sum(errors.values())} lines of trouble"))
        for line, count in errors.most_common(8):
            print(f"  {count:>5} x {line}")
        if args.json:
            args.json.write_text(json.dumps({"machine": info, "command": command, **report.raw}, indent=1))
    finally:
        if server is not None:
            stop_server(server)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            drop_stores()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
