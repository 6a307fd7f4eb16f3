"""Benchmark of the gap-assessment Word report of the 20-zone benchmark assessment (1,820 results).

    .venv/bin/python bench/docx_bench.py                 # 5 timed runs after one warm-up
    .venv/bin/python bench/docx_bench.py --runs 3 --convert /tmp/bench-docx   # and look at it in LibreOffice

The assessment is report_bench's (20 zones at SL-T 3, realistic statuses and texts, 40 evidence files, a
history of edits). Each run reads the data, writes the document (diagram drawn by CairoSVG) and saves it,
as the report job does. Prints median and p95 wall time, where the time of the last run went and the file's
size; --convert also writes the .docx to a folder and converts it to PDF with LibreOffice (not timed: the
workers never run LibreOffice). The database is PostgreSQL (`zonewise_docx_bench`, recreated and dropped by
each run). The target (issue 18) is under 30 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common, report_bench
from bench._common import p95

DB_NAME = "zonewise_docx_bench"
TARGET_SECONDS = 30.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--convert", type=Path, help="write the .docx here and convert it to PDF with soffice")
    args = parser.parse_args(argv)
    return _common.on_report_bench_database(DB_NAME, lambda: run(args.runs, args.convert))


def run(runs: int, convert: Path | None) -> int:
    from assessments.models import Assessment, Result
    from reports.docx.gap_assessment import render_gap_assessment_docx

    assessment = Assessment.objects.get(pk=report_bench.build())
    results = Result.objects.filter(assessment=assessment).count()
    render_gap_assessment_docx(assessment)  # warm-up: imports, the catalogue cache, fonts
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        rendered = render_gap_assessment_docx(Assessment.objects.get(pk=assessment.pk))
        times.append(time.perf_counter() - began)
    info = _common.machine()
    median, worst = statistics.median(times), p95(times)
    parts = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in rendered.timings.items())
    print(f"\nWord gap report of {results} results ({assessment.title}), {runs} runs:")
    print(f"  median {median:.2f} s, p95 {worst:.2f} s, {len(rendered.data) / 1e6:.2f} MB; last run: {parts}")
    print(f"  target < {TARGET_SECONDS:.0f} s: {'met' if worst < TARGET_SECONDS else 'NOT met'}")
    print(f"  {info['date']}; {info['cpus']}; {info['ram']}; {info['load']}; code {info['code']}")
    if convert is not None:
        convert.mkdir(parents=True, exist_ok=True)
        source = convert / "bench-gap-assessment.docx"
        source.write_bytes(rendered.data)
        began = time.perf_counter()
        profile = f"-env:UserInstallation=file://{convert / 'lo-profile'}"
        command = ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(convert), str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=600)  # noqa: S603
        from pypdf import PdfReader

        pages = len(PdfReader(convert / "bench-gap-assessment.pdf").pages)
        print(f"  LibreOffice: {pages} pages in {time.perf_counter() - began:.1f} s ({convert})")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
