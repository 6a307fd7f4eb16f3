"""HTML to PDF with WeasyPrint, reporting progress from its page-by-page layout."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from weasyprint import HTML

from reports.pdf.fetcher import BASE_URL, ProjectFilesFetcher

# progress(percent 0-100, what is happening) — called from the rendering thread, at most a few times a second.
ProgressFn = Callable[[int, str], None]

_PAGE = re.compile(r"Creating layout - Page (\d+)")


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered PDF: its bytes and its number of pages (and, for benchmarks, where the time went)."""

    data: bytes
    pages: int
    timings: dict[str, float] = field(default_factory=dict, compare=False)


class _LayoutProgress(logging.Handler):
    """Turns WeasyPrint's progress log ("Step 5 - Creating layout - Page 12") into percentages
    between `start` and `end`, assuming about `expected_pages` pages."""

    def __init__(self, report: ProgressFn, start: int, end: int, expected_pages: int, interval: float = 0.5) -> None:
        super().__init__(logging.INFO)
        self.report, self.start, self.end = report, start, end
        self.expected = max(expected_pages, 1)
        self.interval = interval
        self.thread = threading.get_ident()
        self.last = 0.0
        self.best = start

    def emit(self, record: logging.LogRecord) -> None:
        if threading.get_ident() != self.thread:  # another render in another thread
            return
        match = _PAGE.search(record.getMessage())
        if not match:
            return
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        page = int(match.group(1))
        if page > self.expected * 0.95:  # longer than estimated: keep the bar moving, ever more slowly
            self.expected = int(page * 1.1) + 1
        percent = self.start + int((self.end - self.start) * min(page / self.expected, 0.98))
        if percent <= self.best:  # a repagination pass starts again at page 1: the bar never goes back
            return
        self.best = percent
        self.report(percent, f"Laying out page {page}")


@contextmanager
def _listening(progress: ProgressFn | None, start: int, end: int, expected_pages: int) -> Iterator[None]:
    """Feed WeasyPrint's progress log to `progress`, and keep it out of the worker's log (a line per page)."""
    logger = logging.getLogger("weasyprint.progress")
    handler = _LayoutProgress(progress, start, end, expected_pages) if progress is not None else None
    old_level, old_propagate = logger.level, logger.propagate
    if handler is not None:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        if handler is not None:
            logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def html_to_pdf(
    html: str, *, progress: ProgressFn | None = None, expected_pages: int = 0, span: tuple[int, int] = (20, 95)
) -> RenderedPdf:
    """Lay out `html` (which links its stylesheet under the fetcher's base URL) and write the PDF.
    Progress moves from span[0] to span[1] percent: layout takes most of it, writing the rest."""
    start, end = span
    layout_end = start + (end - start) * 85 // 100
    fetcher = ProjectFilesFetcher()
    timings: dict[str, float] = {}
    with _listening(progress, start, layout_end, expected_pages):
        began = time.perf_counter()
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        timings["layout"] = time.perf_counter() - began
        if progress is not None:
            progress(layout_end, f"Writing the PDF ({len(document.pages)} pages)")
        began = time.perf_counter()
        data = document.write_pdf()
        timings["write"] = time.perf_counter() - began
    return RenderedPdf(data=data, pages=len(document.pages), timings=timings)
