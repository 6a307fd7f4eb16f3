"""core.csvio: the shared CSV row reader and the formula-safe writer."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.csvio import (
    CsvImportError,
    ImportBatch,
    check_header,
    csv_text,
    csv_to_binary,
    escape_formula,
    field_values,
    read_rows,
    safe_cell,
    unescape_formula,
)
from tests.conftest import Personas

ALLOWED = ("name", "tag", "cve", "advisory")


def check(header: list[str]) -> None:
    check_header(header, allowed=ALLOWED, required=("name", ("cve", "advisory")), noun="thing")


def errors_of(data: bytes, **kwargs: int) -> list[tuple[int, str]]:
    with pytest.raises(CsvImportError) as caught:
        read_rows(data, check, "thing", **kwargs)
    return caught.value.errors


# --- writing ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_formula_like_text_gets_an_apostrophe_and_loses_it_when_read(text: str) -> None:
    assert escape_formula(text) == safe_cell(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize("text", ["", "a=b", "SR 1.1", "1-2", "'quoted", "'", "Zone 1", " =x"])
def test_ordinary_text_is_left_alone_both_ways(text: str) -> None:
    assert escape_formula(text) == unescape_formula(text) == text


def test_plain_cells() -> None:
    assert [safe_cell(v) for v in (-3, True, False, None, Decimal("9.8"), date(2026, 1, 2))] == [
        -3,
        "yes",
        "no",
        "",
        "9.8",
        "2026-01-02",
    ]
    assert safe_cell(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert safe_cell(["=a", 1]) == '["=a", 1]'


def test_csv_text_escapes_every_cell_and_quotes_separators() -> None:
    text = csv_text(("name", "notes"), [['=HYPERLINK("http://x")', "a, b"], ["-patched", 3]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "notes"],
        ['\'=HYPERLINK("http://x")', "a, b"],
        ["'-patched", "3"],
    ]
    assert not text.startswith("\ufeff")


def test_csv_to_binary_writes_a_bom_and_leaves_the_stream_open() -> None:
    out = io.BytesIO()
    with csv_to_binary(out) as writer:
        writer.writerow(["@x", "é"])
    assert out.getvalue() == "\ufeff'@x,é\r\n".encode()
    with csv_to_binary(out, bom=False) as writer:
        writer.writerow(["y"])
    assert out.getvalue().endswith(b"'@x,\xc3\xa9\r\ny\r\n")


# --- reading ------------------------------------------------------------------------------------------------
def test_rows_are_trimmed_numbered_and_unescaped() -> None:
    data = '\ufeff Name ;CVE\n\n a ; CVE-1 \n"multi\nline";x\n\'=HYPERLINK(1);\n'.encode()
    rows, errors = read_rows(data, check, "thing")
    assert errors == []
    assert rows == [
        (3, {"name": "a", "cve": "CVE-1"}),
        (4, {"name": "multi\nline", "cve": "x"}),
        (6, {"name": "=HYPERLINK(1)", "cve": ""}),
    ]


def test_a_too_long_row_is_an_error_of_its_line_and_short_rows_are_fine() -> None:
    rows, errors = read_rows(b"name,cve\na,b,c\nd\n", check, "thing")
    assert errors == [(2, "the row has 3 values but the header has 2 columns")]
    assert rows == [(3, {"name": "d"})]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("name,cve,colour", "unknown columns: 'colour' (allowed: name, tag, cve, advisory)"),
        ("tag,cve", "missing columns: name (allowed:"),
        ("name,tag", "missing columns: cve or advisory (allowed:"),
        ("name,advisory,name", "repeated columns: name (allowed:"),
        ("colour,name", "unknown columns: 'colour'; missing columns: cve or advisory"),
    ],
)
def test_a_bad_header_refuses_the_file_on_line_1(header: str, message: str) -> None:
    ((line, reason),) = errors_of(f"{header}\na,b\n".encode())
    assert line == 1 and reason.startswith(message)


def test_files_that_cannot_be_read(settings: Any) -> None:
    assert errors_of(b"") == [(1, "The file has no thing rows.")]
    assert errors_of(b"name,cve\n\n,\n") == [(1, "The file has no thing rows.")]
    assert errors_of(b"name,cve\nok,1\nCaf\xe9,2\n") == [(3, "the file is not UTF-8 text; save it as 'CSV UTF-8'")]
    assert errors_of(b"x" * 11, max_bytes=10) == [(0, "The file is 11 bytes; the limit is 10 bytes.")]
    settings.CSV_IMPORT_MAX_BYTES = 5
    assert errors_of(b"name,cve") == [(0, "The file is 8 bytes; the limit is 5 bytes.")]


def test_the_error_message_lists_every_line() -> None:
    assert str(CsvImportError([(2, "a"), (5, "b")])) == "line 2: a; line 5: b"


# --- the batch of checked rows -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_batch_saves_new_and_changed_objects_only(personas: Personas) -> None:
    from zones.models import Site

    unchanged, changed = personas.site, personas.other_site
    batch = ImportBatch([])
    batch.add(2, unchanged, [], before=field_values(unchanged))
    before = field_values(changed)
    changed.name = "Renamed"
    batch.add(3, changed, [], before=before)
    new = Site(organization=personas.org, name="New site")
    batch.add(4, new, [], before=field_values(new))
    versions = (unchanged.version, changed.version)
    result = batch.save()
    assert (result.created, result.updated) == (1, 2)
    unchanged.refresh_from_db()
    changed.refresh_from_db()
    assert (unchanged.version, changed.version) == (versions[0], versions[1] + 1)
    assert Site.objects.filter(name="New site").exists()


@pytest.mark.django_db
def test_a_batch_with_a_refused_line_writes_nothing(personas: Personas) -> None:
    site = personas.site
    batch = ImportBatch([(7, "too long")])
    before = field_values(site)
    site.name = "Renamed"
    batch.add(3, site, [], before=before)
    batch.add(2, site, ["zone 'x' is unknown", "name is required"], before=before)
    with pytest.raises(CsvImportError) as caught:
        batch.save()
    assert caught.value.errors == [(2, "zone 'x' is unknown; name is required"), (7, "too long")]
    site.refresh_from_db()
    assert site.name != "Renamed"
