"""The procurement requirements of a zone as a spreadsheet to attach to a tender: CSV (UTF-8 with BOM, every cell
safe from formula injection, core.csvio) and XLSX (the reports' styling: bold frozen header, autofilter, printed
landscape; the vendor's two columns shaded, the response a drop-down). Both have the columns of
components.procurement.COLUMNS, one row per (component type, item)."""

from __future__ import annotations

from datetime import UTC
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from components.procurement import COLUMNS, Procurement
from core.csvio import csv_to_binary
from core.xlsx import CENTRE, TOP, WRAP, header_cells, print_setup, xlsx_cell

# What a vendor may answer per item; the same words as the PDF's "Vendor response" box.
RESPONSES = ("Met", "Not met", "Compensated")
WIDTHS = {"component_type": 10, "id": 16, "kind": 7, "fr": 6, "title": 52, "lowest_sl": 10, "required_at": 11,
          "vendor_response": 18, "evidence": 40}  # fmt: skip
ALIGNMENTS = {"id": TOP, "title": WRAP, "evidence": WRAP}  # the short codes and levels are centred
TO_FILL = PatternFill("solid", fgColor="FFF8E1")  # the cells the vendor fills in
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def procurement_csv(procurement: Procurement, out: BinaryIO) -> None:
    """Write the requirements to `out` as CSV: a header row of COLUMNS, then a row per item."""
    with csv_to_binary(out) as writer:
        writer.writerow(COLUMNS)
        writer.writerows(procurement.rows())


def procurement_xlsx(procurement: Procurement, out: BinaryIO) -> None:
    """Write the requirements to `out` as XLSX: a "Requirements" sheet with the CSV's columns and an "About"
    sheet saying what the zone, its SL-T, the purchase and the catalogue edition are."""
    wb = Workbook(write_only=True)
    wb.properties.title = f"{procurement.zone.name}: procurement requirements"
    wb.properties.creator = "Zonewise"
    _requirements_sheet(wb, procurement)
    _about_sheet(wb, procurement)
    wb.save(out)


def _requirements_sheet(wb: Workbook, procurement: Procurement) -> None:
    ws = wb.create_sheet("Requirements")
    for n, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(n)].width = max(WIDTHS[name], len(name) + 4)
    ws.freeze_panes = "C2"
    print_setup(ws, fit_width=True)
    ws.append(header_cells(ws, COLUMNS))
    count = 0
    for row in procurement.rows():
        cells = []
        for name, value in zip(COLUMNS, row, strict=True):
            cell = xlsx_cell(ws, value, ALIGNMENTS.get(name, CENTRE))
            if name in ("vendor_response", "evidence"):
                cell.fill = TO_FILL
            cells.append(cell)
        ws.append(cells)
        count += 1
    last = count + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    if count:
        response = get_column_letter(COLUMNS.index("vendor_response") + 1)
        choice = DataValidation(type="list", formula1='"' + ",".join(RESPONSES) + '"', allow_blank=True)
        choice.add(f"{response}2:{response}{last}")
        ws.data_validations.append(choice)


def _about_sheet(wb: Workbook, procurement: Procurement) -> None:
    ws = wb.create_sheet("About")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    zone, catalogue = procurement.zone, procurement.catalogue
    facts = [
        ("Site", zone.site.name),
        ("Zone", zone.name),
        ("Zone SL-T", f"{procurement.target} (FR1 to FR7)"),
        ("Planned purchase", procurement.purchase or "—"),
        ("Component types", ", ".join(f"{t.component_type} ({len(t.items)} items)" for t in procurement.types)),
        ("Catalogue", f"{catalogue.edition} (data {catalogue.version})"),
        ("Generated", f"{procurement.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"),
        (
            "How to answer",
            f"Per row, vendor_response: one of {', '.join(RESPONSES)}; evidence: the reference of "
            "the proof (an ISASecure CSA or IECEE certificate, a test report, a manual section).",
        ),
        (
            "Levels",
            "lowest_sl: the lowest security level the item is selected from; required_at: the zone's "
            "SL-T for the item's FR, which the component must support.",
        ),
    ]
    for label, value in facts:
        ws.append([xlsx_cell(ws, label, TOP), xlsx_cell(ws, value, WRAP)])
