"""Benchmark of carry forward (decision 0026): next year's assessment of the 20-zone benchmark plant,
created from this year's (1,820 results, realistic findings, evidence on a share of them).

    .venv/bin/python bench/carry_bench.py               # 7 timed runs after one warm-up
    .venv/bin/python bench/carry_bench.py --runs 3

Each run creates the new assessment with `previous` through the service, as POST /api/v1/assessments/
does, inside a transaction rolled back afterwards (so every run starts from the same data), and the same
creation without `previous` for comparison. Prints median and p95 wall time and the queries of one run.
The database is PostgreSQL (`zonewise_carry_bench`, recreated and dropped by each run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common, report_bench
from bench._common import p95

DB_NAME = "zonewise_carry_bench"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    return _common.on_report_bench_database(DB_NAME, lambda: run(args.runs))


def run(runs: int) -> int:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from assessments import services
    from assessments.models import Assessment, Result

    last = Assessment.objects.get(pk=report_bench.build())
    by = User.objects.get(username="bench-consultant")
    results = Result.objects.filter(assessment=last).count()

    def create(previous: Assessment | None) -> tuple[float, int, int]:
        with transaction.atomic():
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                new = services.assessment_create(site=last.site, title="Next year", by=by, previous=previous)
            elapsed = time.perf_counter() - began
            carried = Result.objects.filter(assessment=new, carried_forward=True).count()
            transaction.set_rollback(True)
        return elapsed, len(queries), carried

    create(last)  # warm-up: imports, the catalogue cache
    with_carry, without = [], []
    for _ in range(runs):
        elapsed, with_queries, carried = create(last)
        with_carry.append(elapsed)
        without.append(create(None)[0])
    info = _common.machine()
    print(f"\nCarry forward of {results} results ({last.title}), {runs} runs; {info['load']}:")
    print(f"  create with previous:    median {statistics.median(with_carry):.2f} s, p95 {p95(with_carry):.2f} s,"
          f" {with_queries} queries, {carried} results carried")  # fmt: skip
    print(f"  create without previous: median {statistics.median(without):.2f} s, p95 {p95(without):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
