"""The coverage of one framework by one assessment as CSV (safe cells, core.csvio) and XLSX (the cells and
header style of the results workbook, reports.exports), a row per framework item."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from alignment.choices import COVERAGE_COLOURS, Coverage, Relationship
from alignment.coverage import ItemCoverage
from alignment.selectors import AssessmentCoverage
from assessments.choices import ResultStatus
from assessments.models import Assessment
from compliance.sl import is_satisfied
from core.csvio import csv_text
from core.xlsx import WRAP, header_cells, xlsx_cell

STATUS_ORDER = [s.value for s in ResultStatus]
COLUMNS: tuple[str, ...] = (
    "framework", "group", "item", "title", "relationship", "coverage", "iec62443_3_3", "results",
    *STATUS_ORDER, "not_satisfied", "no_counterpart",
)  # fmt: skip
WIDTHS = {"title": 44, "iec62443_3_3": 28, "not_satisfied": 50, "no_counterpart": 44, "coverage": 16}


def _row(framework: str, entry: ItemCoverage) -> list[str | int]:
    item = entry.item
    counts = entry.status_counts
    open_results = [
        f"{r.ref} @ {r.target_name} ({ResultStatus(r.status).label.lower()})"
        for r in entry.results
        if not is_satisfied(r.status)
    ]
    return [
        framework,
        item.group,
        item.ref,
        item.title,
        "; ".join(str(Relationship(value).label) for value in item.relationships),
        str(Coverage(entry.coverage).label),
        ", ".join(item.refs),
        len(entry.results),
        *(counts.get(status, 0) for status in STATUS_ORDER),
        "; ".join(open_results),
        item.no_counterpart,
    ]


def rows(data: AssessmentCoverage) -> Iterator[list[str | int]]:
    for entry in data.coverage.items:
        yield _row(data.framework.short_name, entry)


def coverage_csv(data: AssessmentCoverage) -> str:
    """The CSV text: a header of COLUMNS, then a row per framework item."""
    return csv_text(COLUMNS, rows(data))


def coverage_xlsx(assessment: Assessment, data: AssessmentCoverage, generated_at: datetime) -> bytes:
    """An XLSX workbook: the Coverage sheet (a row per item, the coverage coloured as on the page) and a few
    notes on what the coverage values mean."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Coverage")
    for n, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(n)].width = WIDTHS.get(name, max(12, len(name) + 3))
    ws.freeze_panes = "D2"
    ws.append(header_cells(ws, COLUMNS))
    coverage_col = COLUMNS.index("coverage")
    count = 0
    for entry in data.coverage.items:
        values = _row(data.framework.short_name, entry)
        cells = [xlsx_cell(ws, value, WRAP) for value in values]
        background, colour = COVERAGE_COLOURS[entry.coverage]
        cells[coverage_col].fill = PatternFill("solid", fgColor=background.removeprefix("#").upper())
        cells[coverage_col].font = Font(color=colour.removeprefix("#").upper(), bold=True)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    notes = wb.create_sheet("Notes")
    framework = data.framework
    for line in (
        f"Assessment: {assessment.title}",
        f"Framework: {framework.name} ({framework.edition}; Zonewise data {framework.version})",
        f"Generated {generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        "Coverage counts the assessment's in-scope results of the 62443-3-3 items each framework item maps to.",
        "Covered: all satisfied (met, compensated or not applicable). Partly covered: some. Not covered: none,"
        " with at least one assessed. Not assessed yet: none assessed. Not in scope: no mapped item is"
        " required of a zone or conduit in scope. Outside 62443-3-3's reach: nothing maps (not a gap).",
        "Mappings are Zonewise's reading of public sources, not an official crosswalk.",
    ):
        ws_line = [xlsx_cell(notes, line)]
        notes.append(ws_line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
