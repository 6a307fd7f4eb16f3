"""CSV in and out: one row reader for every all-or-nothing import, one safe writer for every export.

Named `csvio`, not `csv`, so that `import csv` always means the standard library.

Writing: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV or formula injection: `=HYPERLINK(...)` in an asset name would
run in the reader's spreadsheet). Such text cells get a leading apostrophe, the spreadsheets' own "this is
text" mark. Numbers are written as numbers and never escaped.

Reading: UTF-8 with or without a byte-order mark, comma or semicolon (the header decides), header names
trimmed and lower-cased, a size limit, control characters refused (tab and line breaks aside), every problem
reported with its line. An apostrophe this module's writer put in front of a formula-like cell is taken off
again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db import models

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The C0 control characters but tab, line feed and carriage return (which a multi-line cell may hold): the API
# refuses NUL, databases and spreadsheets choke on them, and no one types them on purpose.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Row = tuple[int, dict[str, str]]
LineError = tuple[int, str]


# --- writing ------------------------------------------------------------------------------------------------
def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as the start of a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def escape_formula(text: str) -> str:
    """`text`, with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + text if is_formula_like(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of `escape_formula`: an apostrophe followed by a formula-like text is taken off."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


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
        """Write one row, every cell made safe."""
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write every row, every cell made safe."""
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> str:
    """A header and rows as CSV text (no byte-order mark), every cell made safe."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


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


# --- reading ------------------------------------------------------------------------------------------------
class CsvImportError(Exception):
    """A file that cannot be imported; `errors` lists (line, reason), line 1 being the header."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors))


@dataclass
class ImportResult:
    """What an import did: how many objects it created and how many rows matched existing ones."""

    created: int
    updated: int


def field_values(obj: models.Model) -> tuple[Any, ...]:
    """The stored value of every concrete field: compared before and after a row is applied."""
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


@dataclass
class ImportBatch:
    """What an all-or-nothing import collects while it checks the rows: the refused lines (starting with
    those `read_rows` refused), how many rows create and update, and the objects to write."""

    errors: list[LineError]
    created: int = 0
    updated: int = 0
    to_save: list[models.Model] = field(default_factory=list)

    def add(self, line: int, obj: models.Model, reasons: list[str], *, before: tuple[Any, ...]) -> None:
        """Count a checked row: refused with its reasons, or a new object, or an update of `obj`, whose
        field values were `before` the row was applied."""
        if reasons:
            self.errors.append((line, "; ".join(reasons)))
        elif obj._state.adding:
            self.created += 1
            self.to_save.append(obj)
        else:
            self.updated += 1
            # An unchanged object is not saved: that would bump its ETag and add an empty history entry.
            if field_values(obj) != before:
                self.to_save.append(obj)

    def save(self) -> ImportResult:
        """Write every object, or nothing: CsvImportError with every refused line, in line order."""
        if self.errors:
            raise CsvImportError(sorted(self.errors))
        for obj in self.to_save:
            obj.save()
        return ImportResult(created=self.created, updated=self.updated)


def check_header(
    header: list[str], *, allowed: Sequence[str], required: Sequence[str | tuple[str, ...]], noun: str
) -> None:
    """Refuse a header (CsvImportError on line 1) with unknown, missing or repeated columns.

    A tuple in `required` asks for at least one of its columns ("cve or advisory").
    """
    if not any(header):
        raise CsvImportError([(1, f"The file has no {noun} rows.")])
    reasons = []
    if unknown := [h for h in header if h not in allowed]:
        reasons.append(f"unknown columns: {', '.join(repr(h) for h in unknown)}")
    missing = [
        " or ".join(need) if isinstance(need, tuple) else need
        for need in required
        if not any(c in header for c in ((need,) if isinstance(need, str) else need))
    ]
    if missing:
        reasons.append(f"missing columns: {', '.join(missing)}")
    if repeated := sorted({h for h in header if header.count(h) > 1}):
        reasons.append(f"repeated columns: {', '.join(repeated)}")
    if reasons:
        raise CsvImportError([(1, "; ".join(reasons) + f" (allowed: {', '.join(allowed)})")])


def read_rows(
    data: bytes, check: Callable[[list[str]], None], noun: str, *, max_bytes: int | None = None
) -> tuple[list[Row], list[LineError]]:
    """The non-blank data rows as (line, {column: trimmed value}) and the rows too long to read;
    shared by every all-or-nothing CSV import. `check` vets the normalised header (see check_header).

    Size (`max_bytes`, default settings.CSV_IMPORT_MAX_BYTES), encoding and header problems are raised at
    once: no row can be read past them.
    """
    limit = settings.CSV_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise CsvImportError([(0, f"The file is {len(data)} bytes; the limit is {limit} bytes.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError([(line, "the file is not UTF-8 text; save it as 'CSV UTF-8'")]) from exc
    # Spreadsheets in comma-decimal locales write semicolons; the header (plain names) tells which it is.
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    rows: list[Row] = []
    errors: list[LineError] = []
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        check(header)
        start = reader.line_num + 1
        for cells in reader:
            # A quoted value may span lines; the row is numbered by the line it starts on.
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                errors.append((line, f"the row has {len(cells)} values but the header has {len(header)} columns"))
                continue
            if bad := _control_characters(header, cells):
                errors.append((line, bad))
                continue
            values = {col: unescape_formula(cell.strip()) for col, cell in zip(header, cells, strict=False)}
            rows.append((line, values))
    except csv.Error as exc:
        raise CsvImportError([(reader.line_num, f"not valid CSV: {exc}")]) from exc
    if not rows and not errors:
        raise CsvImportError([(1, f"The file has no {noun} rows.")])
    return rows, errors


def _control_characters(header: list[str], cells: list[str]) -> str:
    """Why the row's cells cannot be imported because of control characters; empty if they can."""
    reasons = []
    for column, cell in zip(header, cells, strict=False):
        if found := CONTROL_CHARACTERS.search(cell):
            reasons.append(f"column {column}: control characters are not allowed (U+{ord(found.group()):04X})")
    return "; ".join(reasons)
