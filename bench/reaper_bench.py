"""How long a report job whose whole worker died stays "running" before the reaper notices (issue 14).

    .venv/bin/python bench/reaper_bench.py               # the real settings: about 5 minutes
    .venv/bin/python bench/reaper_bench.py --scale 0.1   # every interval a tenth: about 2 minutes

What it does: builds the large assessment of bench/report_bench.py (20 zones at SL-T 3, a render of about
25 s on a quiet machine) in its own PostgreSQL database, starts Celery beat and a worker A (prefork,
concurrency 1, its own process group) with the embedded filesystem broker, requests the gap-assessment
report, and kills A's whole process group with SIGKILL once A has been rendering for a little longer than
one heartbeat interval. A second worker B, started meanwhile, runs beat's reaper task and then the job that
the reaper queued again. The figure is the time from the kill to the reaper queuing the job again (read from
the job's row every 0.2 s), with the time from there to the stored report.

Settings, all from the environment the processes get: REPORT_HEARTBEAT_SECONDS (20), REPORT_HEARTBEAT_TIMEOUT
(120) and REPORT_REAPER_INTERVAL (30), each multiplied by --scale. Expected: the timeout, less the time
between the last sign of life (a beat or a progress write) and the kill, plus up to one reaper interval:
120 to 150 s with the real settings. A benchmark, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import ROOT, database_url

DB_NAME = "zonewise_reaper_bench"
DEFAULTS = {"REPORT_HEARTBEAT_SECONDS": 20, "REPORT_HEARTBEAT_TIMEOUT": 120, "REPORT_REAPER_INTERVAL": 30}
POLL = 0.2


def celery(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A Celery process in a process group of its own (so the whole of it can be killed)."""
    command = [str(Path(sys.executable).parent / "celery"), "-A", "config", *args]
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return celery("worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-gossip",
                  "--without-mingle", "-n", f"{name}@%h", env=env, log=log)  # fmt: skip


def end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def measure(env: dict[str, str], data_dir: Path, assessment_id: str, intervals: dict[str, int]) -> dict[str, float]:
    """Request the report on worker A, kill A while it renders, and time the reaper and worker B."""
    from accounts.models import User
    from assessments.models import Assessment
    from reports import services

    log = data_dir / "celery.log"
    beat = celery("beat", "--loglevel=INFO", "--schedule", str(data_dir / "beat-schedule"), env=env, log=log)
    first = worker("bench-a", env, log)
    second: subprocess.Popen[bytes] | None = None
    try:
        time.sleep(8)  # A is up: it, not B, takes the report
        job = services.report_request(
            kind="gap_assessment",
            by=User.objects.get(username="bench-consultant"),
            assessment=Assessment.objects.get(pk=assessment_id),
        )
        kill_after = intervals["REPORT_HEARTBEAT_SECONDS"] * 1.2 + 1
        while True:
            job.refresh_from_db()
            if job.is_done:
                raise RuntimeError(f"the report was done ({job.status}) before the kill: {job.error}")
            if job.status == "running" and job.started_at and second is None:
                second = worker("bench-b", env, log)  # boots while A renders
            if job.started_at and time.time() - job.started_at.timestamp() >= kill_after:
                break
            time.sleep(0.05)
        last_sign = job.heartbeat_at or job.started_at
        os.killpg(first.pid, signal.SIGKILL)
        killed, killed_wall = time.monotonic(), time.time()
        beats_seen = job.heartbeat_at is not None and job.started_at is not None and job.heartbeat_at > job.started_at
        print(f"  killed worker A {kill_after:.0f} s into the render; last sign of life "
              f"{killed_wall - last_sign.timestamp():.1f} s before the kill")  # fmt: skip
        while True:
            job.refresh_from_db()
            if job.status != "running" or job.reaper_requeues:  # B may already have claimed it again
                break
            if time.monotonic() - killed > 3 * intervals["REPORT_HEARTBEAT_TIMEOUT"] + 60:
                raise RuntimeError(f"not noticed:\n{log.read_text()[-3000:]}")
            time.sleep(POLL)
        noticed = time.monotonic() - killed
        print(f"  reaper noticed after {noticed:.1f} s: {job.status} ({job.stage or job.error})")
        while not job.is_done:
            if time.monotonic() - killed > 900:
                raise RuntimeError(f"worker B never finished:\n{log.read_text()[-3000:]}")
            time.sleep(POLL)
            job.refresh_from_db()
        done = time.monotonic() - killed
        print(f"  {job.status} on worker B {done - noticed:.1f} s later (attempts {job.attempts}, {job.pages} pages)")
        return {"noticed": noticed, "since_sign": killed_wall - last_sign.timestamp(), "redone": done - noticed,
                "beats_seen": float(beats_seen), "succeeded": float(job.status == "succeeded")}  # fmt: skip
    finally:
        for process in (first, second, beat):
            if process is not None:
                end(process)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the three intervals (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left")
    args = parser.parse_args(argv)
    intervals = {name: max(1, round(value * args.scale)) for name, value in DEFAULTS.items()}
    intervals["REPORT_HEARTBEAT_TIMEOUT"] = max(2, intervals["REPORT_HEARTBEAT_TIMEOUT"])

    from bench.report_bench import TITLE, bench_env, build, machine, setup_django

    with tempfile.TemporaryDirectory(prefix="zonewise-reaper-bench-") as tmp:
        data_dir = Path(tmp)
        env = {**bench_env(data_dir), "DATABASE_URL": database_url(DB_NAME), "LOG_LEVEL": "INFO"}
        env.update({name: str(value) for name, value in intervals.items()})
        if not args.reuse:
            _common.recreate_database(DB_NAME)
        try:
            setup_django(env)
            from django.core.management import call_command

            from assessments.models import Assessment

            if args.reuse:
                call_command("migrate", verbosity=0)
                assessment_id = str(Assessment.objects.get(title=TITLE).pk)
            else:
                print("Building the assessment…")
                assessment_id = build()
            info = machine()
            print(", ".join(f"{k}={v}" for k, v in intervals.items()))
            figures = measure(env, data_dir, assessment_id, intervals)
            low = intervals["REPORT_HEARTBEAT_TIMEOUT"] - figures["since_sign"]
            print()
            print(f"| {info['date']} | {info['code']} | {info['load']} | "
                  f"{intervals['REPORT_HEARTBEAT_SECONDS']} s / {intervals['REPORT_HEARTBEAT_TIMEOUT']} s / "
                  f"{intervals['REPORT_REAPER_INTERVAL']} s | **{figures['noticed']:.1f} s** "
                  f"(expected {low:.0f}-{low + intervals['REPORT_REAPER_INTERVAL']:.0f} s) | "
                  f"{figures['redone']:.1f} s, {'succeeded' if figures['succeeded'] else 'failed'} |")  # fmt: skip
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                _common.drop_database(DB_NAME)


if __name__ == "__main__":
    main()
