"""Fixtures of the reports tests."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from reports import parts
from reports.pdf import gap_assessment, roadmap
from reports.pdf.gap_parts import RenderedPart
from reports.pdf.render import ProgressFn, RenderedPdf
from tests.conftest import Personas
from tests.reports.helpers import Sample, sample_assessment

A4 = (595, 842)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Report files (and evidence uploads) of one test go to a folder of their own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sample(personas: Personas, media_root: Path) -> Sample:
    """The small assessment of `sample_assessment`, its files in this test's media folder."""
    return sample_assessment(personas)


@pytest.fixture
def light_pdf(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """WeasyPrint's layout swapped for blank pages, as many as the report's own estimate: for tests of who
    may request, read and download a report, where a real render (seconds each) would prove nothing more.
    Reading the data and filling the template still run. The HTML documents it was given, in order, are
    returned. The real PDFs are checked once per module in test_gap_pdf.py, test_roadmap_pdf.py and
    test_jobs.py, and through a real Celery worker in test_worker.py."""
    documents: list[str] = []

    def html_to_pdf(
        html: str, *, progress: ProgressFn | None = None, expected_pages: int = 0, span: tuple[int, int] = (20, 95)
    ) -> RenderedPdf:
        documents.append(html)
        pages = max(expected_pages, 1)
        if progress is not None:
            progress(span[0] + (span[1] - span[0]) * 85 // 100, f"Writing the PDF ({pages} pages)")
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(*A4)
        out = io.BytesIO()
        writer.write(out)
        return RenderedPdf(data=out.getvalue(), pages=pages)

    def render_part(
        html: str, *, front: bool = False
    ) -> RenderedPart:  # the gap report's parts (decision 0039): 3 blank pages each
        documents.append(html)
        writer = PdfWriter()
        for _ in range(3):
            writer.add_blank_page(*A4)
        out = io.BytesIO()
        writer.write(out)
        meta = {"anchors": {}, "links": [], "bookmarks": [], "heights": [A4[1]] * 3}
        return RenderedPart(RenderedPdf(data=out.getvalue(), pages=3), meta)

    monkeypatch.setattr(gap_assessment, "html_to_pdf", html_to_pdf)
    monkeypatch.setattr(roadmap, "html_to_pdf", html_to_pdf)
    monkeypatch.setattr(parts, "render_part", render_part)
    return documents
