"""The gap-assessment PDF's "Regulatory alignment" chapter (reports.pdf.gap_data calls this): for each
framework the organization chose, the number of items per coverage and a row per item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from alignment.choices import Coverage
from alignment.coverage import ItemCoverage
from alignment.models import Framework
from alignment.selectors import coverages_for
from assessments.models import Assessment

if TYPE_CHECKING:  # the outline is the report's; alignment only adds its entries to it
    from reports.pdf.toc import Outline, TocEntry

# The PDF's badge classes (static/css/pdf/report.css and palette.css): judgements coloured, the rest neutral.
PDF_BADGE: dict[str, str] = {
    Coverage.COVERED: "badge-ok",
    Coverage.PARTIAL: "status-partially_met",
    Coverage.NOT_COVERED: "badge-bad",
    Coverage.NOT_ASSESSED: "status-not_assessed",
    Coverage.OUT_OF_SCOPE: "",
    Coverage.NO_COUNTERPART: "",
}


@dataclass(frozen=True)
class ReportRow:
    ref: str
    title: str
    group: str
    coverage: str
    label: str
    badge: str
    refs: str  # the mapped 62443-3-3 ids, with no-break spaces inside each id
    note: str  # why nothing maps, for an item outside 62443-3-3's reach


@dataclass(frozen=True)
class AlignmentSection:
    """One framework's section of the chapter."""

    entry: TocEntry
    framework: Framework
    counts: list[tuple[str, str, int, str]]  # (coverage, label, items, badge class)
    rows: list[ReportRow]


def _row(entry: ItemCoverage) -> ReportRow:
    item = entry.item
    return ReportRow(
        ref=item.ref,
        title=item.title,
        group=item.group,
        coverage=entry.coverage,
        label=str(Coverage(entry.coverage).label),
        badge=PDF_BADGE[entry.coverage],
        refs=", ".join(ref.replace(" ", "\u00a0") for ref in item.refs),
        note=item.no_counterpart,
    )


def alignment_sections(assessment: Assessment, keys: list[str], outline: Outline) -> list[AlignmentSection]:
    """The chapter's sections for the frameworks of `keys` that are loaded, entered in `outline` as it is made
    (a chapter heading, then a numbered section per framework). None when no framework is chosen."""
    coverages = coverages_for(assessment, keys)
    if not coverages:
        return []
    outline.add("alignment", "Regulatory alignment")
    sections = []
    for data in coverages:
        counts = data.coverage.counts
        sections.append(
            AlignmentSection(
                entry=outline.add(f"alignment-{data.framework.key}", data.framework.short_name, level=2),
                framework=data.framework,
                counts=[(value, str(label), counts[value], PDF_BADGE[value]) for value, label in Coverage.choices],
                rows=[_row(entry) for entry in data.coverage.items],
            )
        )
    return sections
