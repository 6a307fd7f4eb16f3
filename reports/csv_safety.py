"""CSV that is safe to open in a spreadsheet, and plain text for cells.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets (CSV or formula injection: `=HYPERLINK(...)` in an observation would run
in the auditor's spreadsheet). Such text cells get a leading apostrophe, the spreadsheets' own
"this is text" mark. Numbers are written as numbers and never escaped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as the start of a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def escape_formula(text: str) -> str:
    """`text`, with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + text if is_formula_like(text) else text


def plain(value: Any) -> str | int:
    """A cell's plain value before escaping: text for text, dates and times in ISO 8601, yes/no for
    booleans, integers kept as integers, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def safe_cell(value: Any) -> str | int:
    """The value as a CSV cell: `plain(value)`, with formula-like text escaped."""
    cell = plain(value)
    return escape_formula(cell) if isinstance(cell, str) else cell


class SafeWriter:
    """A `csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


@contextmanager
def csv_to_binary(out: IO[bytes], *, bom: bool = True) -> Iterator[SafeWriter]:
    """A SafeWriter over a binary stream, in UTF-8 (with the byte-order mark Excel needs to read
    UTF-8 when `bom`). The stream is flushed, not closed, at the end."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=True)
    try:
        yield SafeWriter(text)
    finally:
        text.flush()
        text.detach()  # the caller owns `out`: closing the wrapper must not close it
