"""Benchmark of the gap report rendered in parts on real Celery workers (decision 0039).

    .venv/bin/python bench/report_bench.py                    # (a) and (b) on the 20-zone assessment
    .venv/bin/python bench/report_bench.py --zones 200 --conduits 300 --omit-met both   # (c) the 200-zone site

(a) One worker (prefork, concurrency 1) against two workers (two worker processes, prefork, concurrency 1
    each), request to stored file, no stored parts (cold): median of --runs, ratio <= 0.6 PASS/FAIL.
(b) Two workers, after one changed result (the other parts are stored): median of --runs, against (a)'s
    one-worker cold median (the issue's base, as for (a)), ratio <= 0.3 PASS/FAIL; also printed against the
    two-worker cold median.
(c) --zones/--conduits other than 20/0: the site of --zones zones at SL-T 3 and --conduits conduits (about
    45,000 results for 200 and 300), built with bulk_create, on two workers: wall time (floor 10 min) and
    peak RSS of each worker process (VmHWM, floor 1 GB), with and without omit_met.

PostgreSQL database zonewise_report_bench_parts (recreated), Redis db 12 as the broker.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import ROOT, database_url
from bench.report_bench import build, machine, setup_django

DB_NAME = "zonewise_report_bench_parts"
REDIS = "redis://127.0.0.1:6379/12"
SAVE_DIR: Path | None = None  # --save: the last assembled PDF and the whole-document render go there


def env_for(data_dir: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(DB_NAME),
        "REDIS_URL": REDIS,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ZONEWISE_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def build_big(zones: int, conduits: int, seed: int = 62443) -> str:
    """scale_bench's site of `zones` zones and `conduits` conduits at SL-T 3 (three assets a zone, each conduit
    joining two zones) and its assessment with realistic statuses and texts. Returns the assessment id."""
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Organization, User
    from bench.scale_bench import build_site

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    org = Organization.objects.create(name="Bench Grid Operator")
    consultant = User.objects.create_user("bench-consultant", first_name="Casey", last_name="Consultant")
    Membership.objects.create(user=consultant, organization=org, role=Role.CONSULTANT)
    assessment = build_site(org, consultant, zones, conduits, random.Random(seed))
    print(f"  built: {zones} zones, {conduits} conduits, {assessment.results.count()} results")
    return str(assessment.pk)


class Workers:
    """`count` Celery worker processes (prefork, concurrency 1 each) on Redis db 12, and the peak RSS
    (VmHWM) of every process under them, sampled twice a second."""

    def __init__(self, env: dict[str, str], count: int, log: Path) -> None:
        self.env, self.count, self.log = env, count, log
        self.procs: list[subprocess.Popen[bytes]] = []
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()

    def __enter__(self) -> Workers:
        celery = str(Path(sys.executable).parent / "celery")
        for n in range(self.count):
            command = [celery, "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "-n", f"bench{n}@%h",
                       "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
            with self.log.open("ab") as handle:
                self.procs.append(
                    subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.env}, stdout=handle, stderr=handle)  # noqa: S603
                )
        threading.Thread(target=self._sample, daemon=True).start()
        time.sleep(8)  # warm: a worker that has started is what a user meets
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            for proc in self.procs:
                for pid in [proc.pid, *_children(proc.pid)]:
                    hwm = _hwm_mb(pid)
                    if hwm:
                        self.peaks[pid] = max(self.peaks.get(pid, 0.0), hwm)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=60)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def request_and_wait(assessment_id: str, *, omit_met: bool = False, limit: float = 1800) -> dict[str, Any]:
    """Request the gap report through the service; wait for the stored file. Wall time and what the job says."""
    from accounts.models import User
    from assessments.models import Assessment
    from reports import services
    from reports.models import ReportJob

    job = services.report_request(
        kind="gap_assessment",
        by=User.objects.get(username="bench-consultant"),
        assessment=Assessment.objects.get(pk=assessment_id),
        parameters={"omit_met": True} if omit_met else {},
    )
    began = time.perf_counter()
    stages: list[str] = []
    while True:
        job = ReportJob.objects.get(pk=job.pk)
        if job.stage and (not stages or stages[-1] != job.stage):
            stages.append(job.stage)
        if job.is_done:
            break
        if time.perf_counter() - began > limit:
            raise RuntimeError(f"job {job.pk} still {job.status} after {limit} s ({job.stage})")
        time.sleep(0.1)
    total = time.perf_counter() - began
    if job.status != "succeeded":
        raise RuntimeError(job.error)
    if SAVE_DIR is not None:
        SAVE_DIR.mkdir(parents=True, exist_ok=True)
        (SAVE_DIR / "parts.pdf").write_bytes(job.file.read())
    return {"total": total, "pages": job.pages, "parts": job.parts_total, "size": job.size, "stages": stages}


def clear_parts() -> None:
    from reports.models import ReportPart

    for part in ReportPart.objects.all():
        part.file.delete(save=False)
    ReportPart.objects.all().delete()


def change_one_result(assessment_id: str, n: int) -> None:
    from assessments.models import Result

    result = Result.objects.filter(assessment_id=assessment_id, in_scope=True).order_by("pk")[n * 37]
    new = "not_met" if result.status != "not_met" else "met"
    Result.objects.filter(pk=result.pk).update(status=new, observations=f"Changed for bench run {n}.")


def purge() -> None:
    from config.celery import app

    app.control.purge()


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def workers_bench(env: dict[str, str], data_dir: Path, assessment_id: str, runs: int) -> list[str]:
    """(a) and (b): the lines of the summary."""
    lines: list[str] = []
    cold: dict[int, list[float]] = {}
    pages = 0
    for count in (1, 2):
        with Workers(env, count, data_dir / f"workers-{count}.log") as workers:
            cold[count] = []
            for _ in range(runs):
                clear_parts()
                r = request_and_wait(assessment_id)
                pages = r["pages"]
                cold[count].append(r["total"])
                print(f"  {count} worker(s), cold parts: {r['total']:.1f} s, {r['pages']} pages, {r['parts']} parts")
            if count == 2:
                warm = []
                for n in range(runs):
                    change_one_result(assessment_id, n)
                    r = request_and_wait(assessment_id)
                    warm.append(r["total"])
                    print(f"  2 workers, after one changed result: {r['total']:.1f} s; stages {r['stages'][:3]}…")
            peak = max(workers.peaks.values(), default=0.0)
        print(f"  peak RSS of a worker process with {count} worker(s): {peak:.0f} MB")
    one, two = _median(cold[1]), _median(cold[2])
    ratio_a = two / one
    ratio_b = _median(warm) / one
    if SAVE_DIR is not None:  # the old whole render of the same data, to compare pages and bookmarks with
        from assessments.models import Assessment
        from reports.pdf.gap_assessment import render_gap_assessment

        (SAVE_DIR / "whole.pdf").write_bytes(render_gap_assessment(Assessment.objects.get(pk=assessment_id)).data)
    lines.append(f"Report: {pages} pages, 20 zones at SL-T 3.")
    lines.append(f"(a) one worker, cold parts: median {one:.1f} s of {[round(x, 1) for x in cold[1]]}")
    lines.append(f"(a) two workers, cold parts: median {two:.1f} s of {[round(x, 1) for x in cold[2]]}")
    lines.append(f"(a) ratio two/one {ratio_a:.2f} (floor 0.6): {'PASS' if ratio_a <= 0.6 else 'FAIL'}")
    lines.append(
        f"(b) after one changed result, two workers: median {_median(warm):.1f} s of {[round(x, 1) for x in warm]}"
    )
    lines.append(
        f"(b) ratio to one worker's cold render {ratio_b:.2f} (floor 0.3): {'PASS' if ratio_b <= 0.3 else 'FAIL'}; "
        f"to the two-worker cold render {_median(warm) / two:.2f}"
    )
    return lines


def big_bench(env: dict[str, str], data_dir: Path, assessment_id: str, omits: Sequence[bool]) -> list[str]:
    """(c): the big site on two workers, with and without omit_met."""
    lines: list[str] = []
    for omit in omits:
        clear_parts()
        with Workers(env, 2, data_dir / f"big-{omit}.log") as workers:
            r = request_and_wait(assessment_id, omit_met=omit)
            peaks = sorted(workers.peaks.values(), reverse=True)
        verdict = "PASS" if r["total"] <= 600 and (peaks[0] if peaks else 0) <= 1024 else "FAIL"
        line = (f"(c) omit_met={omit}: {r['total']:.0f} s, {r['pages']} pages, {r['parts']} parts, "
                f"{(r['size'] or 0) / 1e6:.1f} MB; peak RSS per worker process (MB): "
                f"{', '.join(f'{p:.0f}' for p in peaks[:6])} (floors 600 s, 1024 MB): {verdict}")  # fmt: skip
        print("  " + line)
        lines.append(line)
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--zones", type=int, default=20)
    parser.add_argument("--conduits", type=int, default=0)
    parser.add_argument("--omit-met", choices=("both", "yes", "no"), default="both", help="(c) with, without or both")
    parser.add_argument("--write", type=Path, help="append the summary to this file")
    parser.add_argument("--save", type=Path, help="keep the last assembled PDF (and, for the 20 zones, a whole render)")
    args = parser.parse_args(argv)
    global SAVE_DIR
    SAVE_DIR = args.save
    import tempfile

    big = args.zones != 20 or args.conduits
    with tempfile.TemporaryDirectory(prefix="zonewise-report-parts-bench-") as tmp:
        data_dir = Path(tmp)
        env = env_for(data_dir)
        _common.recreate_database(DB_NAME)
        try:
            setup_django(env)
            print("Building…")
            began = time.perf_counter()
            assessment_id = build_big(args.zones, args.conduits) if big else build()
            print(f"  in {time.perf_counter() - began:.0f} s")
            info = machine()
            purge()
            from django.db import connections

            connections.close_all()
            omits = {"both": (True, False), "yes": (True,), "no": (False,)}[args.omit_met]
            lines = (
                big_bench(env, data_dir, assessment_id, omits)
                if big
                else workers_bench(env, data_dir, assessment_id, args.runs)
            )
            head = f"{info['date']}; {info['code']}; {info['cpus']} CPUs, {info['os']}; WeasyPrint {info['weasyprint']}"
            summary = "\n".join([head, *lines, ""])
            print()
            print(summary)
            if args.write:
                with args.write.open("a") as out:
                    out.write(summary + "\n")
        finally:
            from django.db import connections

            connections.close_all()
            _common.drop_database(DB_NAME)
