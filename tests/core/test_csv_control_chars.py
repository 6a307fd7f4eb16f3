"""CSV imports refuse control characters (NUL and the other C0 codes but tab, CR and LF) in any cell, as the
API does: the row is refused with its line and column, and nothing is imported."""

from __future__ import annotations

import pytest

from core.csvio import CsvImportError, read_rows
from program.csv_io import import_csv
from program.models import Vulnerability
from tests.conftest import Personas
from tests.zones.plant import small_plant
from zones.csv_io import import_assets_csv
from zones.models import Asset, Zone

pytestmark = pytest.mark.django_db


def _accept(header: list[str]) -> None:
    pass


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_read_rows_refuses_a_cell_with_a_control_character(char: str) -> None:
    data = f"name,notes\nok,fine\nbad{char}name,fine\n".encode()
    rows, errors = read_rows(data, _accept, "thing")
    assert [line for line, _ in rows] == [2]
    assert errors == [(3, f"column name: control characters are not allowed (U+{ord(char):04X})")]


def test_read_rows_names_every_bad_column_of_a_row() -> None:
    rows, errors = read_rows(b"name,notes\na\x00,b\x1b\n", _accept, "thing")
    assert rows == []
    assert errors == [
        (2, "column name: control characters are not allowed (U+0000); "
            "column notes: control characters are not allowed (U+001B)")
    ]  # fmt: skip


def test_read_rows_keeps_tab_and_line_breaks_inside_cells() -> None:
    rows, errors = read_rows(b'name,notes\nPLC,"one\ttwo\r\nthree\nfour"\n', _accept, "thing")
    assert errors == []
    assert rows == [(2, {"name": "PLC", "notes": "one\ttwo\r\nthree\nfour"})]


def test_asset_import_refuses_a_nul_byte_and_imports_nothing(personas: Personas) -> None:
    Zone.objects.create(site=personas.site, name="Control")
    data = b"zone,name,component_type\nControl,PLC-1,EDR\nControl,PLC-2,EDR\nControl,PLC\x00-3,EDR\n"
    with pytest.raises(CsvImportError) as caught:
        import_assets_csv(site=personas.site, data=data)
    assert caught.value.errors == [(4, "column name: control characters are not allowed (U+0000)")]
    assert "line 4: column name: control characters are not allowed" in str(caught.value)
    assert not Asset.objects.exists()


def test_vulnerability_import_refuses_a_control_character_and_imports_nothing(personas: Personas) -> None:
    plant = small_plant(personas.site)
    data = (
        "asset,cve,title,cvss,found,notes\n"
        f"{plant.plc.name},CVE-2026-1234,Overflow,9.8,2026-01-10,fine\n"
        f"{plant.plc.name},CVE-2026-1235,Over\x00flow,9.8,2026-01-10,\x1b[31mred\n"
    ).encode()
    with pytest.raises(CsvImportError) as caught:
        import_csv(site=plant.site, data=data)
    assert caught.value.errors == [
        (3, "column title: control characters are not allowed (U+0000); "
            "column notes: control characters are not allowed (U+001B)")
    ]  # fmt: skip
    assert not Vulnerability.objects.exists()


def test_vulnerability_notes_keep_tabs_and_line_breaks(personas: Personas) -> None:
    plant = small_plant(personas.site)
    data = (
        f'asset,cve,title,cvss,found,notes\n{plant.plc.name},CVE-2026-1234,Overflow,9.8,2026-01-10,"step\t1\nstep\t2"\n'
    ).encode()
    import_csv(site=plant.site, data=data)
    assert Vulnerability.objects.get().notes == "step\t1\nstep\t2"
