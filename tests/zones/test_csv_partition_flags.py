"""The partitioning flags of an asset (IEC 62443-3-2 ZCR 3.2-3.6) in the assets CSV: exported as yes/no,
imported as optional booleans; a file from before the flags still imports, leaving an updated asset's flags
as they were and a new asset's False."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import Personas
from zones.choices import ComponentType
from zones.csv_io import PARTITION_FLAGS, CsvImportError, export_assets_csv, import_assets_csv
from zones.models import Asset, Zone

pytestmark = pytest.mark.django_db
OLD_HEADER = "zone,name,tag,component_type,role,vendor,model,firmware,network_addresses,sl_capability,"
OLD_HEADER += "sl_capability_source,end_of_support,legacy,criticality\n"


def test_flags_are_exported_and_round_trip(personas: Personas) -> None:
    zone = Zone.objects.create(site=personas.site, name="Control")
    Asset.objects.create(zone=zone, name="Laptop", tag="L-1", component_type=ComponentType.HDR,
                         temporarily_connected=True, wireless=True)  # fmt: skip
    Asset.objects.create(zone=zone, name="ERP link", tag="E-1", component_type=ComponentType.SAR,
                         business_system=True, safety_related=True, external_network=True)  # fmt: skip
    text = export_assets_csv(personas.site)
    rows = {r["tag"]: r for r in csv.DictReader(io.StringIO(text))}
    assert [rows["L-1"][f] for f in PARTITION_FLAGS] == ["no", "no", "yes", "yes", "no"]
    assert [rows["E-1"][f] for f in PARTITION_FLAGS] == ["yes", "yes", "no", "no", "yes"]
    before = {a.tag: (a.version, a.history.count()) for a in Asset.objects.all()}
    result = import_assets_csv(site=personas.site, data=text.encode())
    assert (result.created, result.updated) == (0, 2)
    assert {a.tag: (a.version, a.history.count()) for a in Asset.objects.all()} == before  # nothing changed
    # Flip every flag of the laptop in the file: the import writes them.
    lines = text.splitlines()  # the flags are the last five cells of a row
    laptop = next(i for i, line in enumerate(lines) if ",L-1," in line)
    cells = lines[laptop].split(",")
    cells[-5:] = ["yes", "0", "TRUE", "no", "1"]
    lines[laptop] = ",".join(cells)
    import_assets_csv(site=personas.site, data=("\n".join(lines) + "\n").encode())
    laptop_asset = Asset.objects.get(tag="L-1")
    assert [getattr(laptop_asset, f) for f in PARTITION_FLAGS] == [True, False, True, False, True]


def test_a_file_without_the_flag_columns_still_imports(personas: Personas) -> None:
    zone = Zone.objects.create(site=personas.site, name="Control")
    Asset.objects.create(zone=zone, name="Laptop", tag="L-1", component_type=ComponentType.HDR,
                         temporarily_connected=True, wireless=True)  # fmt: skip
    data = OLD_HEADER + "Control,Laptop (renamed),L-1,HDR,other,,,,,,,,no,medium\n"
    data += "Control,New PLC,P-9,EDR,plc,,,,,,,,no,high\n"
    result = import_assets_csv(site=personas.site, data=data.encode())
    assert (result.created, result.updated) == (1, 1)
    laptop = Asset.objects.get(tag="L-1")
    assert laptop.name == "Laptop (renamed)" and laptop.temporarily_connected and laptop.wireless
    new = Asset.objects.get(tag="P-9")
    assert not any(getattr(new, f) for f in PARTITION_FLAGS)


def test_a_bad_flag_is_named(personas: Personas) -> None:
    Zone.objects.create(site=personas.site, name="Control")
    data = "zone,name,component_type,wireless,safety_related\nControl,AP,NDR,maybe,\n"
    with pytest.raises(CsvImportError) as info:
        import_assets_csv(site=personas.site, data=data.encode())
    assert info.value.errors == [(2, "wireless 'maybe' is not one of yes, no, true, false, 1, 0")]
    assert not Asset.objects.exists()
