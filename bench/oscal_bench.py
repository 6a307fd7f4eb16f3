"""Benchmark of the OSCAL assessment-results export of the 20-zone benchmark assessment (1,820 results).

    .venv/bin/python bench/oscal_bench.py               # 7 timed runs after one warm-up
    .venv/bin/python bench/oscal_bench.py --runs 3

The assessment is report_bench's (20 zones at SL-T 3, realistic statuses and texts, 40 evidence files),
with its remediation findings generated so findings carry their links. Each run builds the document,
validates it with compliance-trestle's model and writes the JSON, as the report job does. Prints median
and p95 wall time, the queries of one run and the size of the file. The database is PostgreSQL
(`zonewise_oscal_bench`, recreated and dropped by each run). The target (issue 18) is under 5 s.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common, report_bench
from bench._common import p95

DB_NAME = "zonewise_oscal_bench"
TARGET_SECONDS = 5.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    return _common.on_report_bench_database(DB_NAME, lambda: run(args.runs))


def run(runs: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from assessments.models import Assessment, Result
    from remediation.services import findings_generate
    from reports.oscal.assessment_results import write_assessment_results

    assessment = Assessment.objects.get(pk=report_bench.build())
    findings_generate(assessment=assessment, by=User.objects.get(username="bench-consultant"), allow_unreviewed=True)
    results = Result.objects.filter(assessment=assessment).count()
    out = io.BytesIO()
    write_assessment_results(assessment, out)  # warm-up: imports, trestle's models, the catalogue cache
    times = []
    for _ in range(runs):
        out = io.BytesIO()
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            write_assessment_results(Assessment.objects.get(pk=assessment.pk), out)
        times.append(time.perf_counter() - began)
    info = _common.machine()
    median, worst = statistics.median(times), p95(times)
    print(f"\nOSCAL assessment results of {results} results ({assessment.title}), {runs} runs:")
    print(f"  median {median:.2f} s, p95 {worst:.2f} s, {len(queries)} queries, {len(out.getvalue()) / 1e6:.1f} MB")
    print(f"  target < {TARGET_SECONDS:.0f} s: {'met' if worst < TARGET_SECONDS else 'NOT met'}")
    print(f"  {info['date']}; {info['cpus']}; {info['ram']}; {info['load']}; code {info['code']}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
