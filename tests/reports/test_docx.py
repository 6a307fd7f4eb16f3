"""The gap-assessment report as a Word document: its structure read back with python-docx (headings, the
contents field, repeated header rows, the diagram, the heat map's colours), and the file opened by
LibreOffice, converted to PDF and read with pypdf (it must open without repair and say what the report says)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from django.test import override_settings
from docx.document import Document
from docx.oxml.ns import qn

from assessments import services
from core import palette
from reports.choices import JobStatus, ReportKind
from reports.docx import ooxml
from reports.docx.gap_assessment import render_gap_assessment_docx
from tests.assessments.helpers import make_assessment, result_for
from tests.conftest import Personas, make_personas, rolled_back
from tests.reports.helpers import pdf_text, sample_assessment, squash
from tests.reports.test_jobs import request

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("gap_pdf")]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    document: Document
    evidence_sha256: str


@pytest.fixture(scope="module")
def rendered(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The draft sample assessment's Word report, written once for the module (its data rolled back)."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), rolled_back(django_db_blocker):
        sample = sample_assessment(make_personas())
        data = render_gap_assessment_docx(sample.assessment).data
        return Rendered(data, docx.Document(io.BytesIO(data)), sample.evidence.sha256)


def _headings(document: Document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading ")
    ]


def test_the_chapters_and_sections_are_real_headings(rendered: Rendered) -> None:
    headings = _headings(rendered.document)
    for level, text in [
        (1, "1 Executive summary"),
        (2, "Target and achieved security levels"),
        (1, "2 Scope and method"),
        (1, "3 Zones and conduits"),
        (1, "4 Zone assessments"),
        (2, "4.1 Zone: Zone 1"),
        (3, "FR1 Identification and authentication control (SL-T 1, SL-A 1)"),
        (2, "5.1 Conduit: Conduit 1-2"),
        (1, "6 Findings"),
        (1, "Appendix A Evidence index"),
    ]:
        assert (level, text) in headings, text
    assert rendered.document.core_properties.title == "Riverside 2026 gap assessment"


def test_the_contents_is_a_toc_field_filled_with_links_to_every_heading(rendered: Rendered) -> None:
    body = rendered.document.element.body
    codes = [t.text.strip() for t in body.iter(f"{W}instrText")]
    assert 'TOC \\o "1-3" \\h \\z \\u' in codes
    # Shown until the field is updated: one linked entry per heading, each to a bookmark on that heading.
    anchors = [link.get(qn("w:anchor")) for link in body.iter(f"{W}hyperlink")]
    bookmarks = {b.get(qn("w:name")) for b in body.iter(f"{W}bookmarkStart")}
    assert len(anchors) == len(_headings(rendered.document)) and set(anchors) <= bookmarks
    settings = rendered.document.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"  # Word asks to update on opening


def test_every_table_with_a_header_repeats_it_and_the_heat_map_is_coloured(rendered: Rendered) -> None:
    tables = rendered.document.tables
    headed = [t for t in tables if t.rows[0]._tr.trPr is not None]
    assert len(headed) >= 10
    for table in headed:
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    heat = next(t for t in tables if t.rows[0].cells[0].text == "Zone or conduit" and len(t.columns) == 9)
    zone1 = next(row for row in heat.rows if row.cells[0].text == "Zone: Zone 1")
    # Zone 1: SL-T 1 everywhere, SL-A 1 on FR1 only.
    assert [c.text for c in zone1.cells[1:3]] == ["1 / 1", "1 / 0"]
    fills = [c._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for c in zone1.cells[1:3]]
    assert fills == [palette.gap_colour(0).lstrip("#").upper(), palette.gap_colour(1).lstrip("#").upper()]


def test_the_diagram_is_a_picture_and_the_findings_are_there(rendered: Rendered) -> None:
    assert len(rendered.document.inline_shapes) == 1
    with zipfile.ZipFile(io.BytesIO(rendered.data)) as package:
        images = [n for n in package.namelist() if n.startswith("word/media/")]
        assert len(images) == 1 and package.read(images[0]).startswith(b"\x89PNG")
    text = "\n".join(cell.text for table in rendered.document.tables for row in table.rows for cell in row.cells)
    assert "THE-LAST-WORDS-OF-THE-OBSERVATION" in text
    assert "Countermeasure: Application allow-listing on both stations" in text
    assert rendered.evidence_sha256 in text


def test_text_xml_cannot_hold_is_dropped() -> None:
    assert ooxml.clean("tab\tline\nbell\x07 form\x0c end") == "tab\tline\nbell form end"


@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"), reason="LibreOffice: ./zw test")
def test_libreoffice_opens_it_and_prints_what_it_says(rendered: Rendered, tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    source.write_bytes(rendered.data)
    # A profile of its own: two soffice processes sharing one would wait on each other's lock.
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    command = ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})  # noqa: S603
    reader, pages = pdf_text((tmp_path / "report.pdf").read_bytes())
    assert 12 <= len(reader.pages) <= 40
    text = squash(" ".join(pages))
    for expected in ("Riverside 2026 gap assessment", "Contents", "1 Executive summary", "4.1 Zone: Zone 1",
                     "6 Findings", "Appendix B Summary of changes", "End of report"):  # fmt: skip
        assert expected in text, expected
    assert "THE-LAST-WORDS-OF-THE-OBSERVATION" in text.replace(" ", "")
    assert f"Page 2 of {len(reader.pages)}" in squash(pages[1])  # the footer's fields, computed by LibreOffice
    assert "Page" not in pages[0]  # the cover has no footer


def test_a_word_report_is_requested_rendered_and_stored_like_the_others(
    sample: Any, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = request(sample, personas.auditor, django_capture_on_commit_callbacks, kind=ReportKind.GAP_ASSESSMENT_DOCX)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.filename.endswith(".docx") and job.content_type.endswith("wordprocessingml.document")
    assert docx.Document(job.file.open("rb")).core_properties.title == "Riverside 2026 gap assessment"
    assert job.parameters == {"compact_not_assessed": True}  # a draft: like the PDF, not-assessed items listed once


def test_a_follow_up_assessment_gets_the_since_the_last_assessment_chapter(sample: Any, personas: Personas) -> None:
    later = make_assessment(personas.site, personas.consultant, title="Riverside 2027 gap assessment")
    services.result_update(
        result=result_for(later, sample.not_met.zone, "SR 2.1"), by=personas.consultant, fields={"status": "met"}
    )
    document = docx.Document(io.BytesIO(render_gap_assessment_docx(later).data))
    headings = _headings(document)
    assert (1, "7 Since the last assessment") in headings and (1, "8 Sign-off") in headings
    changed = next(t for t in document.tables if [c.text for c in t.rows[0].cells][-2:] == ["Then", "Now"])
    rows = [[c.text for c in row.cells] for row in changed.rows[1:]]
    assert ["Zone: Zone 1", "SR 2.1 Authorization enforcement", "Not met", "Met"] in rows
    # Zone 1's FR1 items were met and start over as not assessed: no longer satisfied, so they come first.
    assert rows[0][0] == "Zone: Zone 1" and rows[0][2:] == ["Met", "Not assessed"]
