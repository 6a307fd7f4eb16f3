"""Writing XLSX sheets people open in Excel or LibreOffice: text that stays text (never a formula), the
palette's colours, a styled header row and a printable page set-up. Used by every spreadsheet export (results,
procurement requirements, regulatory coverage)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core import palette
from core.csvio import is_formula_like


def hex_colour(colour: str) -> str:
    """A palette colour as openpyxl writes it: RRGGBB without the hash."""
    return colour.removeprefix("#").upper()


# The status colours of the pages (core.palette, as static/css/app.css .status-*): background, text.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    status: (hex_colour(colours.bg), hex_colour(colours.fg)) for status, colours in palette.RESULT_STATUS.items()
}
OK_FILL = PatternFill("solid", fgColor=hex_colour(palette.OK_BG))
BAD_FILL = PatternFill("solid", fgColor=hex_colour(palette.BAD_BG))
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
HEADER_FONT = Font(bold=True, color="10233D")
HEADER_BORDER = Border(bottom=Side(style="thin", color="5B6675"))
TOP = Alignment(vertical="top")
MIDDLE = Alignment(vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center")
WRAP = Alignment(vertical="top", wrap_text=True)
# Excel's own limit for one cell.
XLSX_CELL_LIMIT = 32767
TRUNCATED = " … [truncated: the full text is in the CSV export]"


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: without the control characters the format forbids, within
    Excel's length limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - len(TRUNCATED)] + TRUNCATED
    return text


def xlsx_cell(ws: WriteOnlyWorksheet, value: Any, alignment: Alignment = TOP) -> WriteOnlyCell:
    """A cell whose text is always text: a value such as `=HYPERLINK(...)` is stored as a string
    with Excel's quote prefix (the apostrophe a user would type), never as a formula."""
    if isinstance(value, datetime):
        # Excel has no time zones: UTC, as the notes under the Summary sheet say.
        cell = WriteOnlyCell(ws, value=value.astimezone(UTC).replace(tzinfo=None, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, bool):
        cell = WriteOnlyCell(ws, value="yes" if value else "no")
    elif isinstance(value, int) or value is None:
        cell = WriteOnlyCell(ws, value=value)
    else:
        text = xlsx_text(str(value))
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
    cell.alignment = alignment
    return cell


def header_cells(ws: WriteOnlyWorksheet, names: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(vertical="center")
        cells.append(cell)
    return cells


def print_setup(ws: WriteOnlyWorksheet, *, fit_width: bool) -> None:
    """Printed: landscape, the header row on every page, as wide as the page if asked (the 21
    columns of the results would be unreadably small)."""
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
