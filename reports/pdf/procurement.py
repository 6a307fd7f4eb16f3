"""The procurement requirements of a zone, as a tender annex: data (components.procurement) → HTML
(templates/reports/pdf/procurement.html, print CSS report.css and procurement.css) → PDF. Called by the report
runner in a Celery worker. Only ids, short titles and levels of IEC 62443-4-2 appear: never its text."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.template.loader import render_to_string

from components.procurement import FrRequirements, Procurement, TypeRequirements
from reports.pdf.fetcher import static_url
from reports.pdf.render import ProgressFn, RenderedPdf, html_to_pdf
from reports.pdf.toc import Outline, TocEntry

TEMPLATE = "reports/pdf/procurement.html"
ROWS_PER_PAGE = 22  # about, in the item tables (with their FR headings), for the progress bar
# Where a vendor's claim can be checked: public certification schemes for IEC 62443-4-2 components.
EVIDENCE_EXAMPLES = (
    "an ISASecure CSA certificate (component security assurance, which certifies against IEC 62443-4-2)",
    "an IECEE certificate of conformity for industrial cyber security capability (IEC 62443-4-2)",
    "a test report of an accredited laboratory, or the section of the product's security manual",
)


@dataclass(frozen=True)
class TypeSection:
    """One component type's chapter: its numbered heading and an entry per FR (FR1 to FR7)."""

    entry: TocEntry
    requirements: TypeRequirements
    fr_entries: list[TocEntry]

    @property
    def groups(self) -> list[tuple[TocEntry, FrRequirements]]:
        return list(zip(self.fr_entries, self.requirements.frs, strict=True))


@dataclass(frozen=True)
class ProcurementReport:
    """The procurement data with the document's outline."""

    procurement: Procurement
    outline: Outline
    chapters: dict[str, TocEntry]
    sections: list[TypeSection]

    @property
    def disputed(self) -> int:
        return len({item.ref for t in self.procurement.types for item in t.disputed})


def procurement_report(procurement: Procurement) -> ProcurementReport:
    outline = Outline()
    chapters = {"reading": outline.add("reading", "How to read and answer this annex")}
    sections = []
    for requirements in procurement.types:
        key = f"type-{requirements.component_type.lower()}"
        entry = outline.add(key, f"{requirements.label}s ({requirements.component_type})")
        frs = [outline.add(f"{key}-{g.fr.lower()}", f"{g.fr} {g.name}", level=2) for g in requirements.frs]
        sections.append(TypeSection(entry, requirements, frs))
    chapters["declaration"] = outline.add("declaration", "Vendor declaration")
    return ProcurementReport(procurement=procurement, outline=outline, chapters=chapters, sections=sections)


def context(report: ProcurementReport) -> dict[str, object]:
    procurement = report.procurement
    return {
        "r": report,
        "p": procurement,
        "zone": procurement.zone,
        "site": procurement.site,
        "organization": procurement.site.organization,
        "evidence_examples": EVIDENCE_EXAMPLES,
        "stylesheets": [static_url("css/pdf/report.css"), static_url("css/pdf/procurement.css")],
    }


def expected_pages(report: ProcurementReport) -> int:
    """About how many pages, for the progress bar: cover, contents, how to read, declaration, and per type its
    tables (a chapter starts on a new page)."""
    return 4 + sum(1 + len(t.items) // ROWS_PER_PAGE for t in report.procurement.types)


def render_procurement(procurement: Procurement, *, progress: ProgressFn | None = None) -> RenderedPdf:
    """The procurement requirements PDF of `procurement` (its zone with the site and organization joined)."""
    notify = progress or (lambda percent, stage: None)
    began = time.perf_counter()
    notify(5, "Composing the procurement requirements")
    report = procurement_report(procurement)
    document = render_to_string(TEMPLATE, context(report))
    timings = {"template": time.perf_counter() - began}
    pdf = html_to_pdf(document, progress=progress, expected_pages=expected_pages(report), span=(15, 98))
    return RenderedPdf(data=pdf.data, pages=pdf.pages, timings={**timings, **pdf.timings})
