"""The results of an assessment as a spreadsheet: CSV (UTF-8 with BOM, for Excel and for tools) and XLSX
(styled, with a Summary sheet of SL-T, SL-A and gap per zone and conduit). Its change history as CSV is
reports.history_export.

One row per result, in scope or not, zones first (by Purdue level and name), then conduits, each in
catalogue order. Both formats have the same columns (RESULT_COLUMNS); see docs/evidence-bundle.md.
SL-A and gap come from assessments.selectors.summary, never from arithmetic here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from accounts.models import User
from assessments.choices import ResultStatus, TargetKind
from assessments.models import Assessment, Evidence, Result
from assessments.selectors import Summary, TargetSummary, results_for, summary
from compliance.choices import FR_CODES
from compliance.models import FoundationalRequirement
from core import palette
from core.csvio import csv_to_binary
from core.xlsx import (
    BAD_FILL,
    CENTRE,
    MIDDLE,
    OK_FILL,
    STATUS_COLOURS,
    TOP,
    WRAP,
    header_cells,
    hex_colour,
    print_setup,
    xlsx_cell,
)

# fmt: off
RESULT_COLUMNS: tuple[str, ...] = (
    "assessment", "site", "target_kind", "target", "requirement", "requirement_title", "fr", "level",
    "sl_target_for_fr", "status", "in_scope", "observations", "countermeasure", "justification", "evidence",
    "evidence_sha256", "assignee", "updated_by", "updated_at", "version", "result_id",
)
# fmt: on
LIST_SEPARATOR = "; "


def person(user: User | None) -> str:
    """How a person is named in exports: full name, else user name; empty for nobody."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def target_sort_key(result: Result) -> tuple[Any, ...]:
    """Zones before conduits, zones by Purdue level then name (as the assessment pages list them),
    then the catalogue order of the requirement."""
    if result.zone is not None:
        target: tuple[Any, ...] = (0, result.zone.purdue_level or 0, result.zone.name, str(result.zone.pk))
    else:
        assert result.conduit is not None
        target = (1, 0, result.conduit.name, str(result.conduit.pk))
    return (*target, result.requirement.position)


def load_results(assessment: Assessment) -> list[Result]:
    """Every result of the assessment with what a row shows, in export order (a constant number of
    queries whatever the number of results)."""
    return sorted(results_for(assessment), key=target_sort_key)


def ordered_evidence(result: Result) -> list[Evidence]:
    """A result's evidence: uploaded files (by name) first, then references, so that the n-th
    SHA-256 in `evidence_sha256` belongs to the n-th name in `evidence`."""
    items = list(result.evidence.all())  # prefetched by results_for
    files = sorted((e for e in items if e.is_file), key=lambda e: (e.filename.lower(), str(e.pk)))
    references = sorted((e for e in items if not e.is_file), key=lambda e: (e.reference.lower(), str(e.pk)))
    return files + references


def evidence_label(evidence: Evidence) -> str:
    return evidence.filename if evidence.is_file else evidence.reference


@dataclass(frozen=True)
class ResultRow:
    """One result as the exports show it; `values()` follows RESULT_COLUMNS."""

    assessment: str
    site: str
    target_kind: str
    target: str
    requirement: str
    requirement_title: str
    fr: str
    level: int | None
    sl_target_for_fr: int | None
    status: str
    in_scope: bool
    observations: str
    countermeasure: str
    justification: str
    evidence: str
    evidence_sha256: str
    assignee: str
    updated_by: str
    updated_at: datetime
    version: int
    result_id: str

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in RESULT_COLUMNS]


def result_rows(assessment: Assessment, results: Iterable[Result] | None = None) -> Iterator[ResultRow]:
    """The export rows of an assessment (of `results` when the caller has loaded them already)."""
    site = assessment.site
    for result in load_results(assessment) if results is None else results:
        target = result.target
        fr = str(result.requirement.fr_id or "")
        evidence = ordered_evidence(result)
        yield ResultRow(
            assessment=assessment.title,
            site=site.name,
            target_kind=TargetKind.ZONE if result.zone_id else TargetKind.CONDUIT,
            target=target.name,
            requirement=result.requirement.ref,
            requirement_title=result.requirement.title,
            fr=fr,
            level=assessment.level_of(result.requirement),  # the level it pinned (decision 0032)
            sl_target_for_fr=target.sl_target[fr] if fr in FR_CODES else None,
            status=result.status,
            in_scope=result.in_scope,
            observations=result.observations,
            countermeasure=result.countermeasure,
            justification=result.justification,
            evidence=LIST_SEPARATOR.join(evidence_label(e) for e in evidence),
            evidence_sha256=LIST_SEPARATOR.join(e.sha256 for e in evidence if e.is_file),
            assignee=person(result.assignee),
            updated_by=person(result.updated_by),
            updated_at=result.updated_at,
            version=result.version,
            result_id=str(result.pk),
        )


# --- CSV ------------------------------------------------------------------------------------------
def write_results_csv(rows: Iterable[ResultRow], out: BinaryIO) -> None:
    with csv_to_binary(out) as writer:
        writer.writerow(RESULT_COLUMNS)
        for row in rows:
            writer.writerow(row.values())


def results_csv(assessment: Assessment, out: BinaryIO) -> None:
    """Write every result of `assessment` to `out` as CSV: UTF-8 with BOM, a header row of
    RESULT_COLUMNS, formula-like text escaped with a leading apostrophe."""
    write_results_csv(result_rows(assessment), out)


# --- XLSX -----------------------------------------------------------------------------------------
RESULT_WIDTHS: dict[str, float] = {
    "assessment": 24, "site": 24, "target_kind": 10, "target": 24, "requirement": 14, "requirement_title": 40,
    "fr": 6, "level": 7, "sl_target_for_fr": 9, "status": 15, "in_scope": 9, "observations": 50,
    "countermeasure": 40, "justification": 40, "evidence": 32, "evidence_sha256": 30, "assignee": 20,
    "updated_by": 20, "updated_at": 20, "version": 8, "result_id": 38,
}  # fmt: skip
WRAPPED = {"requirement_title", "observations", "countermeasure", "justification", "evidence"}


def _results_sheet(wb: Workbook, rows: Iterable[ResultRow]) -> None:
    ws = wb.create_sheet("Results")
    for n, name in enumerate(RESULT_COLUMNS, start=1):
        # Room for the header and the autofilter's button.
        ws.column_dimensions[get_column_letter(n)].width = max(RESULT_WIDTHS.get(name, 14), len(name) + 4)
    ws.freeze_panes = "A2"
    print_setup(ws, fit_width=False)
    ws.append(header_cells(ws, RESULT_COLUMNS))
    status_col = RESULT_COLUMNS.index("status")
    count = 0
    for row in rows:
        cells = [
            xlsx_cell(ws, value, WRAP if name in WRAPPED else TOP)
            for name, value in zip(RESULT_COLUMNS, row.values(), strict=True)
        ]
        background, colour = STATUS_COLOURS.get(row.status, (hex_colour(palette.WHITE), hex_colour(palette.INK)))
        cells[status_col].fill = PatternFill("solid", fgColor=background)
        cells[status_col].font = Font(color=colour, bold=row.status == ResultStatus.NOT_MET)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_COLUMNS))}{count + 1}"


SUMMARY_COLUMNS: tuple[str, ...] = ("Kind", "Zone or conduit", "Measure")
SUMMARY_TAIL: tuple[str, ...] = ("At target", "Assessed", "Required", "Progress %", "Out of scope")
MEASURES = (("SL-T", "target"), ("SL-A", "achieved"), ("Gap", "gap"))


def _summary_rows(ws: WriteOnlyWorksheet, target: TargetSummary) -> Iterator[list[WriteOnlyCell]]:
    kind = TargetKind(target.kind).label
    for n, (measure, attribute) in enumerate(MEASURES):
        vector = getattr(target.standing, attribute)
        cells = [xlsx_cell(ws, kind, MIDDLE), xlsx_cell(ws, target.name, MIDDLE), xlsx_cell(ws, measure, MIDDLE)]
        for fr in FR_CODES:
            cell = xlsx_cell(ws, vector[fr], CENTRE)
            if attribute == "gap":
                cell.fill = BAD_FILL if vector[fr] > 0 else OK_FILL
            if attribute == "achieved":
                cell.font = Font(bold=True)
            cells.append(cell)
        if n == 0:  # once per zone or conduit, on its first line
            at_target = xlsx_cell(ws, target.standing.at_target, CENTRE)
            at_target.fill = OK_FILL if target.standing.at_target else BAD_FILL
            progress = (target.progress.assessed, target.progress.total, target.progress.percent, target.out_of_scope)
            cells += [at_target, *(xlsx_cell(ws, value, CENTRE) for value in progress)]
        if n == len(MEASURES) - 1:
            for cell in cells:
                cell.border = Border(bottom=Side(style="thin", color="D9DEE5"))
        yield cells


def _summary_sheet(wb: Workbook, assessment: Assessment, data: Summary, generated_at: datetime) -> None:
    ws = wb.create_sheet("Summary")
    frs = {fr.code: fr.abbreviation for fr in FoundationalRequirement.objects.all()}
    header = [*SUMMARY_COLUMNS, *(f"{fr} {frs.get(fr, '')}".strip() for fr in FR_CODES), *SUMMARY_TAIL]
    widths = [10, 30, 9, *([9] * len(FR_CODES)), 10, 10, 10, 11, 12]
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "D2"
    print_setup(ws, fit_width=True)
    cells = header_cells(ws, header)
    for cell in cells[len(SUMMARY_COLUMNS) :]:
        cell.alignment = CENTRE
    ws.append(cells)
    count = 0
    for target in data.targets:
        for cells in _summary_rows(ws, target):
            ws.append(cells)
            count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    total = data.progress
    ws.append([])
    notes = [
        f"Zones and conduits at target: {data.at_target} of {len(data.targets)}",
        f"Progress: {total.assessed} of {total.total} required results assessed ({total.percent} %)",
        "SL-A per FR: the highest level whose selected items are all satisfied (met, compensated, or not "
        "applicable with a justification). Gap = SL-T - SL-A, never below zero.",
        f"Assessment: {assessment.title} · {assessment.site.name} · status {assessment.get_status_display()}",
        f"Catalogue: {assessment.catalogue.edition} (data {assessment.catalogue.version})",
        f"Generated {generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC; times in the Results sheet are UTC.",
    ]
    for note in notes:
        ws.append([xlsx_cell(ws, note)])


def results_xlsx(assessment: Assessment, out: BinaryIO) -> None:
    """Write every result of `assessment` to `out` as an XLSX workbook: a "Results" sheet with the
    columns of the CSV (bold frozen header, autofilter, status colours) and a "Summary" sheet with
    SL-T, SL-A and gap per FR and the progress of every zone and conduit in scope."""
    generated_at = datetime.now(tz=UTC)
    wb = Workbook(write_only=True)  # rows stream to a temporary file: memory stays flat
    wb.properties.title = f"{assessment.title}: results"
    wb.properties.creator = "Zonewise"
    _results_sheet(wb, result_rows(assessment))
    _summary_sheet(wb, assessment, summary(assessment), generated_at)
    wb.save(out)
