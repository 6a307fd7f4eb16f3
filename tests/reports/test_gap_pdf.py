"""The gap-assessment PDF itself: its sections, numbers, contents page, bookmarks, running header and
footer, and metadata, read back with pypdf."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from assessments.models import Assessment
from reports.pdf.gap_assessment import expected_pages, render_gap_assessment
from reports.pdf.gap_data import gap_report
from reports.pdf.render import RenderedPdf
from tests.assessments.api_helpers import sign_off
from tests.conftest import Personas, make_personas, rolled_back
from tests.reports.helpers import (
    check_contents,
    check_running_header,
    outline_titles,
    page_of,
    pdf_text,
    sample_assessment,
    squash,
)

# One worker renders the module's shared report once (see `rendered`).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("gap_pdf")]


@dataclass(frozen=True)
class Rendered:
    """The sample's report as rendered, with what the tests compare it with."""

    pdf: RenderedPdf
    estimate: int  # the page estimate that drives the progress bar
    evidence_sha256: str
    progress: list[int]


@pytest.fixture(scope="module")
def rendered(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The draft sample assessment's report, rendered once (seconds of WeasyPrint) for the tests that read
    it; the data behind it is rolled back."""
    seen: list[int] = []
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), rolled_back(django_db_blocker):
        sample = sample_assessment(make_personas())
        pdf = render_gap_assessment(sample.assessment, progress=lambda percent, stage: seen.append(percent))
        return Rendered(pdf, expected_pages(gap_report(sample.assessment)), sample.evidence.sha256, seen)


def test_the_report_has_every_section_with_the_right_numbers(rendered: Rendered) -> None:
    pdf = rendered.pdf
    reader, pages = pdf_text(pdf.data)
    assert pdf.pages == len(reader.pages)
    assert 10 <= pdf.pages <= 40
    assert abs(rendered.estimate - pdf.pages) <= 0.3 * pdf.pages  # the progress bar
    text = squash(" ".join(pages))

    cover = squash(pages[0])
    for fact in ("Riverside 2026 gap assessment", "Site A", "Org A", "Not signed off", "Draft", "persona-consultant"):
        assert fact in cover, fact
    assert "IEC 62443-3-3:2013 + Corrigendum 1:2014" in cover

    for heading in ("1 Executive summary", "2 Scope and method", "3 Zones and conduits", "4.1 Zone: Zone 1",
                    "4.2 Zone: Zone 2", "5.1 Conduit: Conduit 1-2", "6 Findings", "7 Sign-off",
                    "Appendix A Evidence index", "Appendix B Summary of changes"):  # fmt: skip
        assert heading in text, heading
    # Zone 1: SL-T 1 everywhere, SL-A 1 on FR1 only (its FR1 items are met), so gap 1 on the others.
    zone1 = squash(pages[page_of(pages, "4.1 Zone: Zone 1", start=2) - 1])
    assert "SL-T {1,1,1,1,1,1,1}" in zone1
    assert "SL-A {1,0,0,0,0,0,0}" in zone1
    assert "Gap {0,1,1,1,1,1,1}" in zone1
    assert "1 / 3 zones and conduits" not in text and "0 / 3 zones and conduits" in text
    # The long observation is there to its last word (tables break, text is not cut off).
    assert "THE-LAST-WORDS-OF-THE-OBSERVATION" in text.replace(" ", "").replace("-\n", "-")
    assert rendered.evidence_sha256 in text.replace(" ", "")
    assert "F032 SR 2.1 Zone 1 Not met" in text


def test_contents_page_numbers_bookmarks_header_and_footer(rendered: Rendered) -> None:
    reader, pages = pdf_text(rendered.pdf.data)

    check_contents(pages, entries=12)

    bookmarks = outline_titles(reader)
    assert (0, "Contents") in bookmarks
    assert (0, "1 Executive summary") in bookmarks
    assert (1, "4.1 Zone: Zone 1") in bookmarks
    assert (1, "5.1 Conduit: Conduit 1-2") in bookmarks
    assert (0, "Appendix B Summary of changes") in bookmarks

    check_running_header(pages, "Site A · Gap assessment", "Org A · Confidential")

    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Riverside 2026 gap assessment — IEC 62443-3-3 gap assessment report"
    assert "persona-consultant" in (meta.author or "")


def test_a_signed_off_assessment_says_so(personas: Personas) -> None:
    sample = sample_assessment(personas)
    assessment = sign_off(sample.assessment, personas.consultant)
    assessment = Assessment.objects.get(pk=assessment.pk)
    _, pages = pdf_text(render_gap_assessment(assessment).data)
    text = squash(" ".join(pages))
    assert "Not signed off" not in text and "Draft: not signed off" not in text
    assert f"signed off in Zonewise on {assessment.signed_off_at:%-d %B %Y}" in text


def test_progress_moves_forward_to_the_end(rendered: Rendered) -> None:
    seen = rendered.progress
    assert seen == sorted(seen)
    assert seen[0] < 10 and seen[-1] >= 80
