"""A component capability gap as a finding: created once on the asset's zone, naming the FRs below SL-T, with
the three suggested actions; the API answers 201 then 200 with the same finding; no gap is a 400."""

from __future__ import annotations

import pytest

from compliance.sl import SLVector
from components.services.products import product_set_capability
from remediation.choices import FindingSource
from remediation.models import Finding
from tests.conftest import Personas, api_as
from tests.factories import ProductFactory
from tests.zones.plant import make_asset, make_zone

pytestmark = pytest.mark.django_db


def test_the_gap_becomes_one_finding_with_the_suggested_actions(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control", "{2,2,2,2,2,2,2}", criticality="high")
    slc = SLVector.parse("{2,1,2,2,2,2,1}")
    product = ProductFactory.create(
        organization=personas.org, name="M500", release="4.1", sl_capability=slc, sl_capability_source="certificate"
    )
    asset = make_asset(zone, "PLC 1", product=product)
    url = f"/api/v1/assets/{asset.pk}/capability-finding/"
    client = api_as(personas.consultant)
    first = client.post(url)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["zone"] == str(zone.pk) and body["asset"] == str(asset.pk) and body["source"] == "capability_gap"
    assert "FR2, FR7" in body["title"] and body["severity"] == "medium"  # gap 1 on a high-criticality zone
    for words in ("Upgrade", "Replace", "Compensate at the zone boundary", "from product Acme Automation M500 4.1"):
        assert words in body["description"]
    again = client.post(url)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Finding.objects.filter(source=FindingSource.CAPABILITY_GAP).count() == 1

    # The gap moves (a lower SL-C): still one finding, now naming the new FRs.
    product_set_capability(product=product, sl_capability=SLVector.parse("{1,1,2,2,2,2,1}"), source="certificate",
                           note="", by=personas.admin)  # fmt: skip
    moved = client.post(url).json()
    assert moved["id"] == body["id"] and "FR1, FR2, FR7" in moved["title"]


def test_no_gap_no_finding_and_readers_and_outsiders_are_refused(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control", "{2,2,2,2,2,2,2}")
    ok = make_asset(zone, "PLC ok", "{2,2,2,2,2,2,2}")
    low = make_asset(zone, "PLC low", "{1,1,1,1,1,1,1}")
    refused = api_as(personas.admin).post(f"/api/v1/assets/{ok.pk}/capability-finding/")
    assert refused.status_code == 400 and "meets its zone's SL-T" in str(refused.json())
    assert api_as(personas.auditor).post(f"/api/v1/assets/{low.pk}/capability-finding/").status_code == 403
    assert api_as(personas.outsider).post(f"/api/v1/assets/{low.pk}/capability-finding/").status_code == 404
    assert not Finding.objects.exists()


def test_the_button_on_the_asset_page_records_it_once(personas: Personas, client: object) -> None:
    from django.test import Client

    zone = make_zone(personas.site, "Control", "{3,3,3,3,3,3,3}")
    asset = make_asset(zone, "PLC 1", "{2,2,2,2,2,2,2}")
    browser = Client()
    browser.force_login(personas.owner)
    first = browser.post(f"/assets/{asset.pk}/capability-finding/")
    finding = Finding.objects.get()
    assert first.status_code == 302 and first["Location"] == finding.get_absolute_url()
    browser.post(f"/assets/{asset.pk}/capability-finding/")
    assert Finding.objects.count() == 1
    assert "Record as a finding" in browser.get(f"/zones/{zone.pk}/").content.decode()
