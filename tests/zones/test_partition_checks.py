"""The partitioning checks of IEC 62443-3-2 (ZCR 3.2-3.6): a zone that mixes what should be separate, by the
assets' flags, shown with the topology findings; and the flags in the form, the API and the admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas, api_as
from tests.zones.plant import Plant, make_asset, small_plant
from zones.checks import PARTITION_FLAGS
from zones.models import Asset
from zones.selectors import site_overview, zone_findings

pytestmark = pytest.mark.django_db

RULES = {
    "business_system": "zone-mixes-business-iacs",
    "safety_related": "zone-mixes-safety",
    "temporarily_connected": "zone-mixes-temporary",
    "wireless": "zone-mixes-wireless",
    "external_network": "zone-mixes-external",
}


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def rules(personas: Personas) -> list[str]:
    return sorted(f.rule for f in site_overview(personas.site).findings)


@pytest.mark.parametrize("flag", PARTITION_FLAGS)
def test_a_zone_mixing_flagged_and_other_assets_is_a_finding(personas: Personas, plant: Plant, flag: str) -> None:
    make_asset(plant.control, "Odd one", None, **{flag: True})
    overview = site_overview(personas.site)
    assert [f.rule for f in overview.findings] == [RULES[flag]]
    finding = overview.findings[0]
    assert finding.zone_ids == (str(plant.control.pk),) and finding.conduit_id is None
    assert "Odd one" in finding.message and "PLC 1" in finding.message and "ZCR 3." in finding.message
    # It counts as a warning of the zone (the diagram's badge, the zone page's checks).
    assert overview.zone_warnings[str(plant.control.pk)] == 1
    assert zone_findings(overview, plant.control) == [finding]


@pytest.mark.parametrize("flag", PARTITION_FLAGS)
def test_a_zone_where_every_asset_is_flagged_is_fine(personas: Personas, plant: Plant, flag: str) -> None:
    Asset.objects.filter(pk=plant.plc.pk).update(**{flag: True})
    make_asset(plant.control, "Second", None, **{flag: True})
    assert rules(personas) == []


def test_each_mix_is_its_own_finding_and_names_are_shortened(personas: Personas, plant: Plant) -> None:
    for n in range(5):
        make_asset(plant.control, f"Laptop {n}", temporarily_connected=True, wireless=True)
    overview = site_overview(personas.site)
    assert sorted(f.rule for f in overview.findings) == ["zone-mixes-temporary", "zone-mixes-wireless"]
    assert "Laptop 0, Laptop 1, Laptop 2 and 2 more" in overview.findings[0].message
    assert {f.severity for f in overview.findings} == {"medium"}


def test_safety_and_business_mixes_are_high(personas: Personas, plant: Plant) -> None:
    make_asset(plant.control, "SIS", safety_related=True)
    make_asset(plant.control, "ERP client", business_system=True)
    make_asset(plant.control, "Cellular router", external_network=True)
    assert {f.severity for f in site_overview(personas.site).findings} == {"high"}


def test_site_and_zone_pages_show_the_finding(client: Any, personas: Personas, plant: Plant) -> None:
    make_asset(plant.control, "WirelessHART gateway", wireless=True)
    client.force_login(personas.auditor)
    for url in (plant.site.get_absolute_url(), plant.control.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "mixes wireless devices (WirelessHART gateway) with wired assets" in page


def test_the_form_sets_the_flags(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    data = {
        "zone": plant.control.pk,
        "name": "Maintenance laptop",
        "component_type": "HDR",
        "role": "other",
        "criticality": "medium",
        "temporarily_connected": "on",
        "wireless": "on",
    }
    response = client.post(f"/zones/{plant.control.pk}/assets/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    asset = Asset.objects.get(name="Maintenance laptop")
    assert (asset.temporarily_connected, asset.wireless, asset.business_system) == (True, True, False)
    page = client.get(f"/assets/{asset.pk}/edit/").content.decode()
    assert 'name="external_network"' in page and 'name="safety_related"' in page


def test_the_api_reads_and_writes_the_flags(personas: Personas, plant: Plant) -> None:
    client = api_as(personas.consultant)
    url = f"/api/v1/assets/{plant.plc.pk}/"
    body = client.get(url).json()
    assert {flag: body[flag] for flag in PARTITION_FLAGS} == dict.fromkeys(PARTITION_FLAGS, False)
    response = client.patch(url, {"safety_related": True}, format="json", HTTP_IF_MATCH=body_etag(client, url))
    assert response.status_code == 200, response.json()
    assert response.json()["safety_related"] is True
    bad = client.patch(url, {"wireless": "maybe"}, format="json", HTTP_IF_MATCH=body_etag(client, url))
    assert bad.status_code == 400 and "wireless" in str(bad.json())


def body_etag(client: Any, url: str) -> str:
    return str(client.get(url)["ETag"])


def test_the_admin_filters_by_the_flags(admin_client: Any, plant: Plant) -> None:
    make_asset(plant.control, "Tablet", wireless=True)
    page = admin_client.get("/admin/zones/asset/?wireless__exact=1").content.decode()
    assert "Tablet" in page and "PLC 1" not in page
