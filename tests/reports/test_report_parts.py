"""The gap report rendered in parts and assembled (decision 0039): page numbers, contents, links and bookmarks
right across parts; stored parts reused; the met items option."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings
from pypdf import PdfReader

from assessments.choices import ResultStatus
from assessments.models import Result
from reports import parts
from reports.models import ReportPart
from reports.pdf.gap_assessment import render_gap_assessment
from reports.pdf.render import RenderedPdf
from tests.conftest import make_personas, rolled_back
from tests.reports.helpers import (
    TOC_LINE,
    check_contents,
    check_running_header,
    outline_titles,
    page_of,
    pdf_text,
    sample_assessment,
    squash,
)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("gap_parts")]


@dataclass(frozen=True)
class Rendered:
    whole: RenderedPdf  # the old single-document render, to compare with
    assembled: RenderedPdf
    parts: int
    again: RenderedPdf  # an unchanged second report
    again_rendered: list[str]  # kinds of the parts laid out for it (none expected)
    changed_rendered: list[str]  # after one result of zone 1 changed
    omit: RenderedPdf
    met: int


@pytest.fixture(scope="module")
def rendered(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The sample (2 zones, 1 conduit) rendered whole and by parts, again unchanged, after one change, and
    with met items left out: every real render of this module, once."""
    laid_out: list[str] = []
    real = parts.render_stored

    def counting(part: ReportPart) -> ReportPart:
        laid_out.append(part.kind)
        return real(part)

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), rolled_back(django_db_blocker):
        parts.render_stored = counting
        try:
            sample = sample_assessment(make_personas())
            a = sample.assessment
            whole = render_gap_assessment(a)
            assembled = parts.render_gap_assessment_parts(a)
            count = len(laid_out)
            laid_out.clear()
            again = parts.render_gap_assessment_parts(a)
            again_rendered = list(laid_out)
            laid_out.clear()
            result = (
                Result.objects.filter(assessment=a, zone__name="Zone 1").exclude(status=ResultStatus.NOT_MET).first()
            )
            assert result is not None
            Result.objects.filter(pk=result.pk).update(status=ResultStatus.NOT_MET, observations="Changed for the test")
            parts.render_gap_assessment_parts(a)
            changed_rendered = list(laid_out)
            met = Result.objects.filter(assessment=a, in_scope=True, status=ResultStatus.MET).count()
            omit = parts.render_gap_assessment_parts(a, omit_met=True)
        finally:
            parts.render_stored = real
        return Rendered(whole, assembled, count, again, again_rendered, changed_rendered, omit, met)


def test_pages_are_numbered_right_across_parts(rendered: Rendered) -> None:
    _reader, pages = pdf_text(rendered.assembled.data)
    total = len(pages)
    # Every zone and conduit section starts a page of its own (parts), where they used to run on.
    assert rendered.assembled.pages == total == rendered.whole.pages + 1
    assert rendered.parts == 6  # body, two zones, one conduit, findings, tail (the front is laid out at assembly)
    for n in range(2, total + 1):
        assert f"Page {n} of {total}" in squash(pages[n - 1]), n
    check_running_header(pages, "Gap assessment")


def test_contents_point_at_the_pages_of_their_headings(rendered: Rendered) -> None:
    reader, pages = pdf_text(rendered.assembled.data)
    _, whole_pages = pdf_text(rendered.whole.data)
    entries = len([line for line in whole_pages[1].splitlines() if TOC_LINE.match(line.strip())])
    assert entries == 12
    check_contents(pages, entries)
    # Each entry is a link to the page of its heading.
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    targets = [(reader.get_page_number(link["/Dest"][0].get_object()) or 0) + 1 for link in links if "/Dest" in link]
    assert len(targets) >= entries


def test_bookmarks_match_the_whole_document(rendered: Rendered) -> None:
    whole, _ = pdf_text(rendered.whole.data)
    merged, pages = pdf_text(rendered.assembled.data)
    assert outline_titles(merged) == outline_titles(whole)

    def pages_of(reader: PdfReader) -> list[int]:
        out: list[int] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    out.append((reader.get_destination_page_number(item) or 0) + 1)

        walk(reader.outline)
        return out

    found = pages_of(merged)
    assert found == sorted(found)
    for (_depth, title), page in zip(outline_titles(merged), found, strict=True):
        assert page_of(pages, squash(title), start=2 if title != "Contents" else 1) == page, title


def test_an_unchanged_report_renders_no_part(rendered: Rendered) -> None:
    assert rendered.again_rendered == []
    assert rendered.again.pages == rendered.assembled.pages


def test_one_changed_result_renders_its_zone_and_the_totals_only(rendered: Rendered) -> None:
    # The summary (body) and the findings show it; the tail (sign-off, appendices) does not: the change was
    # written without a history record, so the summary of changes stays as it was.
    assert sorted(rendered.changed_rendered) == ["body", "findings", "zone"]


def test_omit_met_leaves_met_items_out_and_says_so(rendered: Rendered) -> None:
    _, pages = pdf_text(rendered.omit.data)
    text = squash(" ".join(pages))
    assert rendered.met > 0
    assert f"Left out of this report: {rendered.met} met item" in text
    assert "Met requirements are left out of this report" in text
    _, full = pdf_text(rendered.assembled.data)
    assert text.count("Met ") < squash(" ".join(full)).count("Met ")
    assert io  # the module reads PDFs from bytes only


def test_the_assembled_pdf_says_what_it_is_like_the_whole_one(rendered: Rendered) -> None:
    whole = PdfReader(io.BytesIO(rendered.whole.data)).metadata
    merged = PdfReader(io.BytesIO(rendered.assembled.data)).metadata
    assert whole is not None and merged is not None
    for key in ("/Title", "/Author", "/Subject", "/Keywords"):
        assert merged[key] == whole[key], key
    assert str(merged["/Producer"]).startswith("WeasyPrint")
    assert str(merged["/CreationDate"]).startswith("D:20")
