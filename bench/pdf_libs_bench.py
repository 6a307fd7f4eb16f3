"""Benchmark of WeasyPrint's PDF write phase with HarfBuzz's subset library and without it (fontTools).

    .venv/bin/python bench/pdf_libs_bench.py              # 7 writes each way, interleaved
    .venv/bin/python bench/pdf_libs_bench.py --runs 3     # a quick look

The document is the 20-zone benchmark assessment's gap report (report_bench's data: 1,820 results, about
215 pages), laid out once; then `write_pdf()` of that same layout runs alternately with libharfbuzz-subset
(what ./zw and the Dockerfile install) and with WeasyPrint's fallback, fontTools, which it takes when the
library cannot be loaded (simulated by clearing WeasyPrint's handle to it, the same branch it takes on a
machine without the package). Prints median and p95 of each, the PDF sizes and the fallback's warnings.
The database is PostgreSQL (`zonewise_pdflibs_bench`, recreated and dropped by each run).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common, report_bench
from bench._common import p95

DB_NAME = "zonewise_pdflibs_bench"


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    return _common.on_report_bench_database(DB_NAME, lambda: run(args.runs))


def run(runs: int) -> int:
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint import HTML

    from reports.pdf.fetcher import BASE_URL, ProjectFilesFetcher

    if pdf_fonts.harfbuzz_subset is None:
        print("libharfbuzz-subset cannot be loaded here: install libharfbuzz-subset0 to compare.")
        return 1
    subset_lib = pdf_fonts.harfbuzz_subset
    html, _ = report_bench.render_html(report_bench.build())
    began = time.perf_counter()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher()).render()
    layout = time.perf_counter() - began
    warnings = _Count()
    logging.getLogger("weasyprint").addHandler(warnings)
    times: dict[str, list[float]] = {"harfbuzz-subset": [], "fontTools": []}
    sizes: dict[str, int] = {}
    fallback_warnings = 0
    try:
        for _ in range(runs):
            for way in times:
                pdf_fonts.harfbuzz_subset = subset_lib if way == "harfbuzz-subset" else None
                before = len(warnings.messages)
                began = time.perf_counter()
                data = document.write_pdf()
                times[way].append(time.perf_counter() - began)
                sizes[way] = len(data)
                if way == "fontTools":
                    fallback_warnings = sum("fontTools" in m for m in warnings.messages[before:])
    finally:
        pdf_fonts.harfbuzz_subset = subset_lib
        logging.getLogger("weasyprint").removeHandler(warnings)

    info = _common.machine()
    print(f"# PDF write phase, {len(document.pages)} pages ({info['date']}, {info['code']})")
    print(f"- machine: {info['cpus']}, {info['ram']}, {info['os']}; {info['load']}")
    print(f"- layout (once, not compared): {layout:.1f} s; {runs} writes each way, interleaved")
    for way, values in times.items():
        print(
            f"- {way:15}: median {statistics.median(values):.2f} s, p95 {p95(values):.2f} s, "
            f"PDF {sizes[way] / 1e6:.2f} MB"
        )
    ratio = statistics.median(times["fontTools"]) / statistics.median(times["harfbuzz-subset"])
    print(f"- fontTools / harfbuzz-subset (medians): {ratio:.2f}x; warnings per write without the library: "
          f"{fallback_warnings}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
