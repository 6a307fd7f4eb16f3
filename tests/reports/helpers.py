"""Builders shared by the reports tests: a small assessment with findings, evidence and edits, and
readers for the PDFs it produces."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Evidence, Result
from reports.choices import ReportKind
from reports.models import ReportJob
from tests.assessments.helpers import make_assessment, make_plant, mark, result_for, uniform
from tests.conftest import Personas

# A line of a contents page: "4.1 Zone: Zone 1 ........ 7".
TOC_LINE = re.compile(r"^(?P<label>(?:Appendix [A-Z]|\d+(?:\.\d+)?)\s+.+?)\s*\.{3,}\s*(?P<page>\d+)$")
PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LONG_OBSERVATION = (
    "The vendor's remote access path runs through a jump host that " + "also serves as a file drop " * 12
) + "and ends here: THE-LAST-WORDS-OF-THE-OBSERVATION."


@dataclass
class Sample:
    assessment: Assessment
    evidence: Evidence
    reference: Evidence
    not_met: Result


def sample_assessment(personas: Personas, zones: int = 2, slt: str = uniform(1)) -> Sample:
    """Zones "Zone 1".."Zone N" at `slt` and a conduit between the first two, assessed by the consultant:
    Zone 1's FR1 met, one requirement not met with a long observation, one compensated, evidence on both."""
    plant = make_plant(personas.site, [slt] * zones, conduit_slt=uniform(1))
    assessment = make_assessment(
        personas.site,
        personas.consultant,
        title="Riverside 2026 gap assessment",
        lead=personas.consultant,
        team=[personas.consultant, personas.owner],
    )
    zone1 = plant.zones[0]
    mark(assessment, zone1, ResultStatus.MET, personas.consultant, fr="FR1")
    not_met = services.result_update(
        result=result_for(assessment, zone1, "SR 2.1"),
        by=personas.consultant,
        fields={"status": ResultStatus.NOT_MET, "observations": LONG_OBSERVATION},
    )
    compensated = services.result_update(
        result=result_for(assessment, plant.zones[1], "SR 3.2"),
        by=personas.owner,
        fields={"status": ResultStatus.COMPENSATED, "countermeasure": "Application allow-listing on both stations"},
    )
    evidence = services.evidence_add(
        assessment=assessment,
        by=personas.consultant,
        file=SimpleUploadedFile("firewall-rules.pdf", PDF_BYTES, content_type="application/pdf"),
        results=[not_met],
    )
    reference = services.evidence_add(
        assessment=assessment, by=personas.owner, reference="DMS-4711 network drawing", results=[compensated]
    )
    return Sample(assessment=assessment, evidence=evidence, reference=reference, not_met=not_met)


def make_job(sample: Sample, personas: Personas, **fields: Any) -> ReportJob:
    """A queued gap-assessment job of the sample, requested by the consultant, unless `fields` say otherwise."""
    defaults: dict[str, Any] = {
        "kind": ReportKind.GAP_ASSESSMENT,
        "run_token": uuid.uuid4(),
        "site": personas.site,
        "assessment": sample.assessment,
        "requested_by": personas.consultant,
    }
    return ReportJob.objects.create(**{**defaults, **fields})


def pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() or "" for page in reader.pages]


def outline_titles(reader: PdfReader) -> list[tuple[int, str]]:
    """The PDF bookmarks as (depth, title), depth-first."""
    out: list[tuple[int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title)))

    walk(reader.outline, 0)
    return out


def page_of(pages: list[str], needle: str, start: int = 0) -> int:
    """The 1-based number of the first page at or after `start` (0-based) whose text contains `needle`."""
    for n in range(start, len(pages)):
        if needle in " ".join(pages[n].split()):
            return n + 1
    raise AssertionError(f"{needle!r} is on no page")


def squash(text: str) -> str:
    """The text with every run of whitespace (line breaks included) made one space."""
    return re.sub(r"\s+", " ", text)


def check_contents(pages: list[str], entries: int) -> None:
    """Page 2 is the contents: `entries` lines, each with the number of the page its heading is on."""
    found = [m.groupdict() for line in pages[1].splitlines() if (m := TOC_LINE.match(line.strip()))]
    assert len(found) == entries, pages[1]
    for entry in found:
        label = squash(entry["label"])
        assert page_of(pages, label, start=2) == int(entry["page"]), label


def check_running_header(pages: list[str], *texts: str) -> None:
    """Page 2 and the last page carry "Page n of N" and each of `texts` in their header or footer; the
    cover has neither."""
    total = len(pages)
    for n in (2, total):
        page = squash(pages[n - 1])
        assert f"Page {n} of {total}" in page
        for text in texts:
            assert text in page, (n, text)
    assert "Page 1 of" not in pages[0]
