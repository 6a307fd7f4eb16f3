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
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, router, transaction
from django.utils import timezone

from core.versioning import Versioned

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


class ImportConflict(Exception):
    """What an import read changed before it could write (a matched row edited, a row it might have matched
    created): its checks no longer hold, so it must read and check again."""


IMPORT_ATTEMPTS = 3
IMPORT_CHANGE_REASON = "CSV import"
CHANGED_MEANWHILE = (
    "Someone changed rows this file updates while it was being imported; nothing was imported. Import it again."
)


@dataclass
class ImportBatch:
    """What an all-or-nothing import collects while it checks the rows: the refused lines (starting with
    those `read_rows` refused), how many rows create and update, and the objects to write.

    The rows are read and checked outside any transaction; only `save` writes, in one short transaction of
    bulk statements. On SQLite that transaction holds the database's one write lock, so everything slow
    (parsing, validating, building objects) happens before it. What the check relied on is verified inside
    it: the rows of `read`'s queryset must be those read, in the versions read (ImportConflict if not)."""

    errors: list[LineError]
    created: int = 0
    updated: int = 0
    to_save: list[models.Model] = field(default_factory=list)
    changed_fields: dict[type[models.Model], set[str]] = field(default_factory=dict)
    scope: models.QuerySet[Any] | None = None
    read_versions: dict[Any, Any] = field(default_factory=dict)

    def read(self, queryset: models.QuerySet[Any]) -> list[Any]:
        """The existing rows the file may match, read once; `save` checks that they are still the same."""
        rows = list(queryset)
        self.scope = queryset
        self.read_versions = {row.pk: getattr(row, "version", None) for row in rows}
        return rows

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
            after = field_values(obj)
            if after != before:
                self.to_save.append(obj)
                fields = obj._meta.concrete_fields
                changed = {f.name for f, old, new in zip(fields, before, after, strict=True) if old != new}
                self.changed_fields.setdefault(type(obj), set()).update(changed)

    def save(self) -> ImportResult:
        """Write every object, or nothing: CsvImportError with every refused line, in line order;
        ImportConflict when what was read changed meanwhile (see `run_import`).

        History is written as a save writes it (a full snapshot per object, "+" or "~", the signed-in user
        from the request), with the change reason IMPORT_CHANGE_REASON and one date for the whole file.
        Every statement and its values are prepared before the transaction (Django's SQL compilation of
        thousands of rows takes seconds of CPU: with bulk_create inside the transaction, 12,000 rows held
        SQLite's write lock for 9 to 25 s); inside it, one executemany per table."""
        if self.errors:
            raise CsvImportError(sorted(self.errors))
        now = timezone.now()
        writes: list[_Statement] = []
        for model, objs in _by_model(self.to_save).items():
            new = [o for o in objs if o._state.adding]
            old = [o for o in objs if not o._state.adding]
            if new:
                writes.append(_insert(model, new))
                writes += _history(model, new, "+", now)
            if old:
                writes.append(_update(model, old, self.changed_fields.get(model, set()), now))
                writes += _history(model, old, "~", now)
        db = router.db_for_write(type(self.to_save[0])) if self.to_save else DEFAULT_DB_ALIAS
        try:
            with transaction.atomic(using=db):
                self._check_unchanged()
                with connections[db].cursor() as cursor:
                    for statement in writes:
                        cursor.executemany(statement.sql, statement.rows)
        except IntegrityError as exc:
            # A row the file refers to (a zone, an asset) was deleted after it was read.
            raise ImportConflict(str(exc)) from exc
        for obj in self.to_save:
            obj._state.adding, obj._state.db = False, db
        return ImportResult(created=self.created, updated=self.updated)

    def _check_unchanged(self) -> None:
        """ImportConflict unless the rows of `scope` are the ones read, and the ones updated unchanged.

        Locks them (PostgreSQL) until the write ends, so nobody edits them between this check and it."""
        if self.scope is None:
            return
        now = dict(self.scope.select_for_update(of=("self",)).values_list("pk", "version"))
        if now.keys() - self.read_versions.keys():
            raise ImportConflict("rows the file might match were created")
        for obj in self.to_save:
            if not obj._state.adding and obj.pk in self.read_versions and now.get(obj.pk) != self.read_versions[obj.pk]:
                raise ImportConflict(f"{obj} was changed or deleted")


@dataclass
class _Statement:
    """One statement and the parameters of each row it writes (run with executemany)."""

    sql: str
    rows: list[list[Any]]


def _by_model(objs: list[models.Model]) -> dict[type[models.Model], list[models.Model]]:
    grouped: dict[type[models.Model], list[models.Model]] = {}
    for obj in objs:
        grouped.setdefault(type(obj), []).append(obj)
    return grouped


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> _Statement:
    """The INSERT of `objs`, with their values as a save would store them (defaults, auto_now_add)."""
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    # A database-generated key (an AutoField, as history rows have) is left to the database.
    fields = [f for f in model._meta.concrete_fields if not f.generated and not (f.primary_key and f.db_returning)]
    # Table and column names from the model, quoted by the backend; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(_column(f)) for f in fields), ", ".join(["%s"] * len(fields))
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    return _Statement(sql, rows)


def _column(field: models.Field[Any, Any]) -> str:
    """The column of a concrete field (every concrete field has one)."""
    assert field.column is not None
    return field.column


def _update(model: type[models.Model], objs: list[models.Model], changed: set[str], now: datetime) -> _Statement:
    """The UPDATE of the columns an import changes: those the file changed, the version a save bumps
    (core.versioning.Versioned) and the times a save refreshes (auto_now)."""
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f.name in changed and not f.primary_key]
    for f in model._meta.concrete_fields:
        if (f.name == "version" or getattr(f, "auto_now", False)) and f.name not in changed:
            fields.append(f)
    for obj in objs:
        if isinstance(obj, Versioned):
            obj.version += 1
        for f in fields:
            if getattr(f, "auto_now", False):
                setattr(obj, f.attname, now)
    pk = model._meta.pk
    assert pk is not None
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(f"{qn(_column(f))} = %s" for f in fields), qn(_column(pk))
    )
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        + [pk.get_db_prep_save(obj.pk, connection)]
        for obj in objs
    ]
    return _Statement(sql, rows)


def _history(model: type[models.Model], objs: list[models.Model], kind: str, now: datetime) -> list[_Statement]:
    """The history rows django-simple-history's bulk_history_create would write for `objs`: a snapshot of
    every tracked field, who (the request's user, as for a save), when and why. None for a model without
    history, or with history turned off (SIMPLE_HISTORY_ENABLED)."""
    manager = getattr(model, "history", None)
    if manager is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    history = manager.model
    rows = [
        history(
            history_date=now,
            history_user=history.get_default_history_user(obj),
            history_change_reason=IMPORT_CHANGE_REASON,
            history_type=kind,
            **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
        )
        for obj in objs
    ]
    return [_insert(history, rows)]


def run_import(check: Callable[[], ImportBatch], *, attempts: int = IMPORT_ATTEMPTS) -> ImportResult:
    """Check the rows (`check` reads what they may match and returns the batch) and write them; if what
    was read changed before the write, check again, up to `attempts` times, then refuse the file."""
    for _ in range(attempts):
        try:
            return check().save()
        except ImportConflict:
            continue
    raise CsvImportError([(0, CHANGED_MEANWHILE)])


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
