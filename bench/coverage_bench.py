"""Benchmark of regulatory coverage (issue 17: under 200 ms for 1,820 results, a query count that does not grow
with them; decision 0031).

    .venv/bin/python bench/coverage_bench.py               # 30 rounds per framework after 3 warm-up requests
    .venv/bin/python bench/coverage_bench.py --rounds 10   # a quick look

It builds, with bench/assessment_bench.py's builder, a plant of 20 zones at SL-T 3 on every FR (91 results
per zone, 1,820 in all) and a 1-zone plant, scatters report_bench's mix of statuses over the results, then, in
process (DRF's test client, no network: the time the server spends), times
GET /api/v1/assessments/{id}/coverage/?framework=KEY for every loaded framework: median and p95, and the query
count of the 20-zone and the 1-zone assessment (they must be equal).

The database is the embedded SQLite file in a fresh temporary data folder (the default install). Benchmarks,
not timed tests: the figures depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import shlex
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import ROOT
from bench.assessment_bench import percentile
from bench.compare_bench import queries, scatter, timed

FLOOR_MS = 200.0


def bench_env(data_dir: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off) over the embedded SQLite database, without Redis."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ZONEWISE_LOCAL": "true",
        "ZONEWISE_DATA_DIR": str(data_dir),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,localhost",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    command = shlex.join([".venv/bin/python", "bench/coverage_bench.py", *argv])
    os.environ.update(bench_env(Path(tempfile.mkdtemp(prefix="zonewise-coverage-bench-"))))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from alignment.models import Framework
    from assessments.models import Result
    from bench.assessment_bench import build

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print("[0] building the plants")
    began = time.perf_counter()
    fx = build()
    rng = random.Random(62443)
    for assessment in (fx.big, fx.small):
        scatter(assessment, rng)
    print(f"    built in {time.perf_counter() - began:.0f} s")
    # What building left behind (tens of thousands of model instances, history rows) is not a request's: collect
    # it and freeze what survives, as a web worker's start-up objects are, so that a full collection during a
    # timed request scans what the request made, not the builder's heap.
    gc.collect()
    gc.freeze()
    api = APIClient()
    api.force_authenticate(fx.consultant)

    rows: list[tuple[str, int, int, list[float], int, int]] = []
    for framework in Framework.objects.order_by("short_name"):

        def url(assessment: object, key: str = framework.key) -> str:
            return f"/api/v1/assessments/{assessment.pk}/coverage/?framework={key}"  # type: ignore[attr-defined]

        answer = api.get(url(fx.big))
        assert answer.status_code == 200, (answer.status_code, answer.content[:300])
        body = answer.json()
        listed = sum(len(item["results"]) for item in body["items"])
        samples = timed(lambda: api.get(url(fx.big)), args.rounds, args.warmup)
        big_queries = queries(lambda: api.get(url(fx.big)))
        small_queries = queries(lambda: api.get(url(fx.small)))
        rows.append((framework.short_name, len(body["items"]), listed, samples, big_queries, small_queries))
        print(f"[1] {framework.short_name}: {body['counts']}")

    results = Result.objects.filter(assessment=fx.big, in_scope=True).count()
    print(f"\n## Regulatory coverage ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
    print(f"Command: `{command}`  ")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    cpu = _common.proc_field("/proc/cpuinfo", "model name")
    print(f"Machine: {os.cpu_count()} CPUs ({cpu}), SQLite, Python {platform.python_version()}; load average {load}  ")
    print(f"Code: {_common.code_version()}  ")
    print(f"Assessment: 20 zones at SL-T 3, {results} in-scope results; {args.rounds} rounds, {args.warmup} warm-up\n")
    print("| Framework | Items | Results listed | Median ms | p95 ms | Queries (20 zones / 1 zone) | Floor 200 ms |")
    print("|---|---:|---:|---:|---:|---:|---|")
    failed = False
    for name, items, listed, samples, big_q, small_q in rows:
        p95 = percentile(samples, 95)
        ok = p95 < FLOOR_MS and big_q == small_q
        failed |= not ok
        print(
            f"| {name} | {items} | {listed} | {percentile(samples, 50):.1f} | {p95:.1f} | {big_q} / {small_q} | "
            f"{'ok' if ok else 'OVER'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
