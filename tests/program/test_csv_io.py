"""The vulnerability CSV import: all or nothing, every refusal with its line, create or update, round trip."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from program.csv_io import VULNERABILITY_CSV_COLUMNS, CsvImportError, export_csv, import_csv
from program.models import Vulnerability
from tests.conftest import Personas
from tests.program.factories import critical
from tests.zones.plant import Plant, make_asset, small_plant

pytestmark = pytest.mark.django_db
HEADER = "asset,cve,advisory,title,cvss,severity,found,fixed,status"


@pytest.fixture
def plant(personas: Personas) -> Plant:
    small_plant(personas.other_site)  # another organization has a PLC-1 too
    return small_plant(personas.site)


def refusals(plant: Plant, text: str) -> list[tuple[int, str]]:
    with pytest.raises(CsvImportError) as caught:
        import_csv(site=plant.site, data=text.encode())
    assert Vulnerability.objects.count() == 0, "nothing may be saved when a file is refused"
    return caught.value.errors


def test_a_good_file_creates_every_row(plant: Plant) -> None:
    text = "\n".join(
        [
            HEADER,
            "PLC-1,CVE-2026-1234,ICSA-26-001-01,Buffer overflow,9.8,,2026-01-10,2026-02-09,",
            "firewall,cve-2025-99999,,Weak TLS,5.3,medium,2026-03-01,,",
            "FW-1,,SSA-123456,Vendor advisory without a CVE,,high,2026-03-02,2026-03-20,mitigated",
        ]
    )
    result = import_csv(site=plant.site, data=text.encode())
    assert (result.created, result.updated) == (3, 0)
    rows = {v.identifier: v for v in Vulnerability.objects.select_related("asset")}
    plc = rows["CVE-2026-1234"]
    assert (plc.asset, plc.severity, plc.cvss_score, plc.status) == (plant.plc, "critical", Decimal("9.8"), "fixed")
    assert plc.days_to_fix == 30
    assert (rows["CVE-2025-99999"].asset, rows["CVE-2025-99999"].status) == (plant.firewall, "open")
    assert rows["SSA-123456"].status == "mitigated"


def test_every_bad_row_is_refused_with_its_line_and_nothing_is_saved(plant: Plant) -> None:
    text = "\n".join(
        [
            HEADER,
            "PLC-1,CVE-26-1234,,Bad id,9.8,,2026-01-10,,",  # 2
            "PLC-1,CVE-2026-1235,,Too high,10.5,,2026-01-10,,",  # 3
            "PLC-1,CVE-2026-1236,,Negative,-1,,2026-01-10,,",  # 4
            "PLC-9,CVE-2026-1237,,Unknown asset,9.8,,2026-01-10,,",  # 5
            "PLC-1,CVE-2026-1238,,Fixed first,9.8,,2026-02-10,2026-01-10,",  # 6
            "PLC-1,CVE-2026-1239,,First,9.8,,2026-01-10,,",  # 7
            "",
            "plc-1,cve-2026-1239,,Again,9.8,,2026-01-11,,",  # 9: the same asset and CVE as line 7
            "PLC-1,CVE-2026-1240,,Mismatch,9.8,low,2026-01-10,,",  # 10
            "PLC-1,,,No id,9.8,,2026-01-10,,",  # 11
            "PLC-1,CVE-2026-1241,,Bad date,9.8,,10/01/2026,,",  # 12
            "PLC-1,CVE-2026-1242,,Open but fixed,9.8,,2026-01-10,2026-01-12,open",  # 13
            "PLC-1,CVE-2026-1243,,Fixed without date,9.8,,2026-01-10,,fixed",  # 14
            "PLC-1,CVE-2026-1244,,No severity,,,2026-01-10,,",  # 15
            "PLC-1,CVE-2026-1245,,Future,9.8,,2999-01-10,,",  # 16
            "PLC-1,CVE-2026-1246,,Too many,9.8,,2026-01-10,,,extra",  # 17
        ]
    )
    errors = dict(refusals(plant, text))
    assert sorted(errors) == [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    assert "cve 'CVE-26-1234' is not a CVE id like CVE-2024-12345" in errors[2]
    assert "cvss 10.5 is out of range" in errors[3]
    assert "cvss '-1' is not a score like 9.8" in errors[4]
    assert "asset 'PLC-9' is not the tag or name of an asset of site 'Site A'" in errors[5]
    assert "fixed 2026-01-10 is before found 2026-02-10" in errors[6]
    assert "the same asset and CVE-2026-1239 as line 7" in errors[9]
    assert "severity 'low' does not match cvss 9.8 (rated critical)" in errors[10]
    assert "give a cve or an advisory id" in errors[11]
    assert "found '10/01/2026' is not a date like 2026-03-31" in errors[12]
    assert "status 'open' cannot have a fixed date" in errors[13]
    assert "status 'fixed' needs a fixed date" in errors[14]
    assert "severity is required when there is no cvss score" in errors[15]
    assert "found 2999-01-10 is in the future" in errors[16]
    assert "the row has 10 values but the header has 9 columns" in errors[17]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("asset,cve,found,colour", "unknown columns: 'colour'"),
        ("cve,found", "missing columns: asset"),
        ("asset,found,title", "missing columns: cve or advisory"),
        ("asset,cve,found,cve", "repeated columns: cve"),
    ],
)
def test_a_wrong_header_refuses_the_file_on_line_1(plant: Plant, header: str, message: str) -> None:
    errors = refusals(plant, f"{header}\nPLC-1,CVE-2026-1234,2026-01-10,x\n")
    assert len(errors) == 1 and errors[0][0] == 1 and message in errors[0][1]


def test_files_that_cannot_be_read(plant: Plant, settings: Any) -> None:
    assert refusals(plant, "")[0] == (1, "The file has no vulnerability rows.")
    assert refusals(plant, HEADER + "\n\n")[0] == (1, "The file has no vulnerability rows.")
    with pytest.raises(CsvImportError, match="not UTF-8"):
        import_csv(
            site=plant.site, data=(HEADER + "\nPLC-1,CVE-2026-1234,,Caf\xe9,9.8,,2026-01-10,,").encode("latin-1")
        )
    settings.CSV_IMPORT_MAX_BYTES = 1024
    with pytest.raises(CsvImportError, match="the limit is 1024 bytes"):
        import_csv(site=plant.site, data=b"x" * 1025)


def test_a_matching_row_updates_and_an_unchanged_one_is_not_saved(plant: Plant) -> None:
    vuln = critical(plant.plc, found=date(2026, 1, 10), cve="CVE-2026-1234")
    other = critical(plant.firewall, found=date(2026, 1, 10), cve="CVE-2026-1234")
    text = "\n".join(
        [
            "asset;cve;fixed;found;notes",  # semicolons, columns in another order, status left out
            "PLC-1;CVE-2026-1234;2026-02-01;2026-01-10;Patched in the February window",
            "FW-1;CVE-2026-1234;;2026-01-10;",
        ]
    )
    result = import_csv(site=plant.site, data=text.encode())
    assert (result.created, result.updated) == (0, 2)
    vuln.refresh_from_db()
    other.refresh_from_db()
    assert (vuln.status, vuln.fixed, vuln.version) == ("fixed", date(2026, 2, 1), 2)
    assert vuln.notes == "Patched in the February window"
    assert vuln.severity == "critical"  # kept: the file has no severity or cvss column
    assert other.version == 1 and other.history.count() == 1  # nothing changed: not saved


def test_an_update_is_checked_against_what_the_file_leaves_as_it_is(plant: Plant) -> None:
    critical(plant.plc, found=date(2026, 3, 1), cve="CVE-2026-1234")  # CVSS 9.8
    errors = refusals_keep(plant, "asset,cve,found,severity\nPLC-1,CVE-2026-1234,2026-03-01,high\n")
    assert len(errors) == 1 and errors[0][0] == 2
    assert errors[0][1].startswith("severity 'high' does not match cvss 9.8 (rated critical)")


def refusals_keep(plant: Plant, text: str) -> list[tuple[int, str]]:
    with pytest.raises(CsvImportError) as caught:
        import_csv(site=plant.site, data=text.encode())
    return caught.value.errors


def test_assets_of_another_site_are_unknown_and_ambiguous_names_refused(plant: Plant, personas: Personas) -> None:
    make_asset(plant.control, "PLC 1")  # a second asset named "PLC 1", untagged
    errors = dict(refusals(plant, f"{HEADER}\nPLC 1,CVE-2026-1234,,x,9.8,,2026-01-10,,\n"))
    assert "asset 'PLC 1' matches 2 assets of site 'Site A'; use a unique tag" in errors[2]


def test_export_then_import_round_trips(plant: Plant) -> None:
    critical(plant.plc, found=date(2026, 1, 10), fixed=date(2026, 2, 1), cve="CVE-2026-1234", notes="a, b")
    critical(plant.firewall, found=date(2026, 1, 12), cve="", advisory="SSA-1")
    text = export_csv(plant.site)
    assert text.splitlines()[0] == ",".join(VULNERABILITY_CSV_COLUMNS)
    result = import_csv(site=plant.site, data=text.encode())
    assert (result.created, result.updated) == (0, 2)
    assert set(Vulnerability.objects.values_list("version", flat=True)) == {1}


def test_the_documented_example_imports(personas: Personas) -> None:
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "vulnerabilities-csv.md").read_text()
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    plant = small_plant(personas.site)
    for tag in ("PLC-INT-01", "PLC-FIL-01", "FIT-101"):
        make_asset(plant.control, tag, tag=tag)
    result = import_csv(site=personas.site, data=example.encode())
    assert (result.created, result.updated) == (3, 0)
    assert set(Vulnerability.objects.values_list("status", flat=True)) == {"fixed", "mitigated", "open"}


def test_export_escapes_formulas_and_round_trips(plant: Plant) -> None:
    critical(plant.plc, found=date(2026, 1, 10), cve="CVE-2026-1234", notes="=HYPERLINK(1)", title="@risk")
    text = export_csv(plant.site)
    assert ",'@risk," in text and text.rstrip().endswith(",'=HYPERLINK(1)")
    assert import_csv(site=plant.site, data=text.encode()).updated == 1
    assert Vulnerability.objects.get().version == 1
