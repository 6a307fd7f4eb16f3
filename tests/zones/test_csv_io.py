"""CSV import and export of a site's assets (zones/csv_io.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.sl import SLVector
from tests.conftest import Personas
from zones.choices import AssetRole, CapabilitySource, ComponentType, Criticality
from zones.csv_io import ASSET_CSV_COLUMNS, CsvImportError, export_assets_csv, import_assets_csv
from zones.models import Asset, Site, Zone

pytestmark = pytest.mark.django_db

HEADER = "zone,name,tag,component_type,role,sl_capability,sl_capability_source\n"


def make_zone(site: Site, name: str) -> Zone:
    return Zone.objects.create(site=site, name=name)


def make_asset(zone: Zone, name: str, **fields: Any) -> Asset:
    fields.setdefault("component_type", ComponentType.EDR)
    return Asset.objects.create(zone=zone, name=name, **fields)


def errors_of(site: Site, text: str | bytes) -> list[tuple[int, str]]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(CsvImportError) as info:
        import_assets_csv(site=site, data=data)
    return info.value.errors


def test_export_import_round_trip_changes_nothing(personas: Personas) -> None:
    control, safety = make_zone(personas.site, "Control"), make_zone(personas.site, "Safety")
    make_asset(
        control,
        "PLC-1",
        tag="P-001",
        role=AssetRole.PLC,
        vendor="Siemens",
        model="S7-1500",
        firmware="2.9",
        network_addresses="10.0.0.1, 10.0.0.2",
        sl_capability=SLVector.of(2, 2, 1, 1, 3, 1, 2),
        sl_capability_source=CapabilitySource.CERTIFICATE,
        end_of_support=dt.date(2031, 6, 30),
        legacy=True,
        criticality=Criticality.VERY_HIGH,
    )
    make_asset(control, 'HMI, "north"', tag="H-001", component_type=ComponentType.HDR, role=AssetRole.HMI)
    make_asset(safety, "SIS", tag="S-001", role=AssetRole.SIS_CONTROLLER)
    before = {a.pk: (a.version, a.history.count()) for a in Asset.objects.all()}
    exported = export_assets_csv(personas.site)

    result = import_assets_csv(site=personas.site, data=exported.encode())

    assert (result.created, result.updated) == (0, 3)
    assert export_assets_csv(personas.site) == exported
    assert {a.pk: (a.version, a.history.count()) for a in Asset.objects.all()} == before


def test_export_format(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")
    make_asset(zone, "b", sl_capability="{2,2,1,1,3,1,2}", sl_capability_source="vendor_claim", legacy=True)
    make_asset(zone, "a", end_of_support=dt.date(2030, 1, 2))
    make_asset(make_zone(personas.site, "Alpha"), "z")
    rows = list(csv.DictReader(io.StringIO(export_assets_csv(personas.site))))
    assert tuple(rows[0]) == ASSET_CSV_COLUMNS
    assert [(r["zone"], r["name"]) for r in rows] == [("Alpha", "z"), ("Control", "a"), ("Control", "b")]
    assert rows[1]["end_of_support"] == "2030-01-02"
    assert (rows[1]["sl_capability"], rows[1]["legacy"], rows[1]["role"]) == ("", "no", "other")
    assert (rows[2]["sl_capability"], rows[2]["sl_capability_source"]) == ("{2,2,1,1,3,1,2}", "vendor_claim")
    assert rows[2]["legacy"] == "yes"


def test_import_creates_assets_in_their_zones(personas: Personas) -> None:
    control, dmz = make_zone(personas.site, "Control"), make_zone(personas.site, "DMZ")
    text = (
        "Zone , NAME,tag,component_type,role,sl_capability,sl_capability_source,legacy,end_of_support,criticality\n"
        "control,PLC-1,P-1,edr,PLC,{2,2,1,1,3,1,2},Vendor claim,yes,2030-12-31,Very high\n"
        "DMZ,Historian,,HDR,historian,,,,,\n"
    )
    # The SL-C contains commas, so a real file quotes it.
    text = text.replace("{2,2,1,1,3,1,2}", '"{2,2,1,1,3,1,2}"')

    result = import_assets_csv(site=personas.site, data=text.encode())

    assert (result.created, result.updated) == (2, 0)
    plc = Asset.objects.get(name="PLC-1")
    assert plc.zone == control
    assert (plc.component_type, plc.role, plc.tag) == ("EDR", "plc", "P-1")
    assert plc.sl_capability == SLVector.of(2, 2, 1, 1, 3, 1, 2)
    assert plc.sl_capability_source == CapabilitySource.VENDOR_CLAIM
    assert (plc.legacy, plc.end_of_support, plc.criticality) == (True, dt.date(2030, 12, 31), "very_high")
    historian = Asset.objects.get(name="Historian")
    assert historian.zone == dmz
    assert (historian.sl_capability, historian.sl_capability_source) == (None, "")
    assert (historian.role, historian.criticality, historian.legacy) == ("historian", "medium", False)
    assert historian.history.count() == 1


def test_all_bad_rows_are_reported_and_nothing_is_written(personas: Personas) -> None:
    make_asset(make_zone(personas.site, "Control"), "Existing", tag="E-1")
    text = (
        HEADER + "Control,Good 1,,EDR,,,\n"
        "Control,Bad type,,XYZ,,,\n"
        "Nowhere,Bad zone,,EDR,,,\n"
        'Control,Bad SL,,EDR,,"{2,2,5,1,1,1,1}",certificate\n'
        "Control,Good 2,E-1,NDR,switch,,\n"
        'Control,No source,,EDR,,"{1,1,1,1,1,1,1}",\n'
    )
    errors = errors_of(personas.site, text)
    assert [line for line, _ in errors] == [3, 4, 5, 7]
    reasons = dict(errors)
    assert "component_type 'XYZ'" in reasons[3]
    assert reasons[4] == "zone 'Nowhere' is not a zone of site 'Site A'"
    assert "FR3" in reasons[5] and "5" in reasons[5]
    assert "sl_capability_source is required" in reasons[7]
    assert Asset.objects.count() == 1
    assert Asset.objects.get().component_type == "EDR"  # the good update on line 6 was not written either


def test_several_reasons_on_one_line_are_joined(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    errors = errors_of(personas.site, "zone,name,component_type,legacy\nControl,,ABC,maybe\n")
    assert len(errors) == 1
    line, reason = errors[0]
    assert line == 2
    assert reason.count("; ") == 2
    assert "name is required" in reason and "component_type 'ABC'" in reason and "legacy 'maybe'" in reason


def test_oversize_file_is_refused(personas: Personas, settings: Any) -> None:
    settings.CSV_IMPORT_MAX_BYTES = 1024
    data = (HEADER + "Control,x,,EDR,,,\n" * 100).encode()
    assert errors_of(personas.site, data) == [(0, f"The file is {len(data)} bytes; the limit is 1024 bytes.")]


def test_unknown_header_column_is_refused(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    [(line, reason)] = errors_of(personas.site, "zone,name,component_type,colour\nControl,x,EDR,red\n")
    assert line == 1
    assert "'colour'" in reason


def test_missing_required_column_is_refused(personas: Personas) -> None:
    [(line, reason)] = errors_of(personas.site, "zone,name\nControl,x\n")
    assert (line, reason.split(" (")[0]) == (1, "missing columns: component_type")


@pytest.mark.parametrize("text", ["", "\ufeff", HEADER, HEADER + "\n,,,,,,\n"])
def test_file_without_rows_is_refused(personas: Personas, text: str) -> None:
    assert errors_of(personas.site, text) == [(1, "The file has no asset rows.")]


def test_semicolon_file_with_bom_is_accepted(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    text = (
        "\ufeffzone;name;component_type;sl_capability;sl_capability_source\r\n"
        "Control;PLC 1;EDR;{2,2,1,1,3,1,2};certificate\r\n"
    )
    result = import_assets_csv(site=personas.site, data=text.encode("utf-8"))
    assert result.created == 1
    assert Asset.objects.get().sl_capability == SLVector.of(2, 2, 1, 1, 3, 1, 2)


def test_bom_with_comma_file_is_accepted(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    result = import_assets_csv(site=personas.site, data=b"\xef\xbb\xbfzone,name,component_type\nControl,PLC,EDR\n")
    assert result.created == 1


def test_invalid_utf8_names_the_line(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    [(line, reason)] = errors_of(personas.site, b"zone,name,component_type\nControl,ok,EDR\nControl,Pump \xe9,EDR\n")
    assert line == 3
    assert "UTF-8" in reason


def test_duplicate_tag_within_the_file(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    text = "zone,name,tag,component_type\nControl,A,T-1,EDR\nControl,B,T-2,EDR\nControl,C,T-1,EDR\n"
    assert errors_of(personas.site, text) == [(4, "tag 'T-1' already used on line 2")]
    assert not Asset.objects.exists()


def test_update_by_tag_moves_the_asset_to_another_zone(personas: Personas) -> None:
    control, safety = make_zone(personas.site, "Control"), make_zone(personas.site, "Safety")
    asset = make_asset(control, "PLC", tag="P-1", vendor="Kept")
    text = "zone,name,tag,component_type,role\nsafety,PLC renamed,P-1,EDR,plc\nControl,New,P-2,NDR,switch\n"

    result = import_assets_csv(site=personas.site, data=text.encode())

    assert (result.created, result.updated) == (1, 1)
    asset.refresh_from_db()
    assert (asset.zone, asset.name, asset.role) == (safety, "PLC renamed", "plc")
    assert asset.vendor == "Kept"  # a column absent from the file leaves the field alone
    assert asset.version == 2
    assert asset.history.count() == 2
    assert Asset.objects.count() == 2


def test_tag_of_another_sites_asset_creates_a_new_asset(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    theirs = make_asset(make_zone(personas.other_site, "Control"), "Theirs", tag="P-1")
    result = import_assets_csv(site=personas.site, data=b"zone,name,tag,component_type\nControl,Ours,P-1,EDR\n")
    assert (result.created, result.updated) == (1, 0)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.zone.site) == ("Theirs", personas.other_site)


def test_zone_of_another_site_is_refused(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    make_zone(personas.other_site, "Remote")
    errors = errors_of(personas.site, "zone,name,component_type\nRemote,x,EDR\n")
    assert errors == [(2, "zone 'Remote' is not a zone of site 'Site A'")]
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ("Control,x,EDR,bogus,,,", "role 'bogus' is not one of plc,"),
        ("Control,x,EDR,,30-12-2030,,", "end_of_support '30-12-2030'"),
        ("Control,x,EDR,,2030-02-30,,", "end_of_support '2030-02-30'"),
        ("Control,x,EDR,,,,certificate", "sl_capability_source 'certificate' given without an sl_capability"),
        ("Control,x,EDR,,,{1 1 1},vendor_claim", "sl_capability '{1 1 1}' is not valid: expected 7 values"),
        ("Control," + "n" * 201 + ",EDR,,,,", "name is 201 characters long; the limit is 200"),
        (",x,EDR,,,,", "zone is required"),
        ("Control,x,,,,,", "component_type is required"),
        ("Control,x,EDR,,,,,extra", "the row has 8 values but the header has 7 columns"),
    ],
)
def test_bad_cells_are_named(personas: Personas, cells: str, expected: str) -> None:
    make_zone(personas.site, "Control")
    header = "zone,name,component_type,role,end_of_support,sl_capability,sl_capability_source\n"
    [(line, reason)] = errors_of(personas.site, header + cells + "\n")
    assert line == 2
    assert expected in reason


def test_rows_are_numbered_by_their_first_line(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    text = 'zone,name,component_type\nControl,"two\nlines",EDR\n\nControl,bad,XYZ\n'
    # Line 2 is refused too: a name is one line (core.validators.validate_single_line).
    assert [line for line, _ in errors_of(personas.site, text)] == [2, 5]


def test_export_query_count_is_constant(personas: Personas) -> None:
    zones = [make_zone(personas.site, f"Zone {i}") for i in range(5)]

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export_assets_csv(personas.site)
        return len(ctx.captured_queries)

    for i in range(5):
        make_asset(zones[i % 5], f"a{i}")
    few = count_queries()
    for i in range(5, 50):
        make_asset(zones[i % 5], f"a{i}")
    assert count_queries() == few == 1


def test_export_escapes_formulas_and_the_import_takes_the_escape_off(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")
    make_asset(zone, '=HYPERLINK("http://evil.example","x")', tag="T-1", vendor="-Siemens")
    exported = export_assets_csv(personas.site)
    (row,) = csv.DictReader(io.StringIO(exported))
    assert (row["name"], row["vendor"]) == ('\'=HYPERLINK("http://evil.example","x")', "'-Siemens")
    assert import_assets_csv(site=personas.site, data=exported.encode()).updated == 1
    asset = Asset.objects.get(tag="T-1")
    assert (asset.name, asset.vendor, asset.version) == ('=HYPERLINK("http://evil.example","x")', "-Siemens", 1)
