"""Site, zone, conduit and asset pages: scale, permissions, forms, delete and history."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.sl import SLVector
from tests.conftest import Personas
from tests.zones.plant import Plant, make_asset, make_conduit, make_zone, small_plant
from zones.models import Asset, Conduit, Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_site_page_queries_do_not_grow_with_50_zones_100_conduits_2000_assets(
    client: Any, personas: Personas, plant: Plant
) -> None:
    client.force_login(personas.auditor)
    url = plant.site.get_absolute_url()
    small = queries_for(client, url)
    zones = [
        Zone(site=plant.site, name=f"Zone {n}", purdue_level=n % 6, sl_target=SLVector.uniform(2)) for n in range(48)
    ]
    Zone.objects.bulk_create(zones)
    Asset.objects.bulk_create(
        Asset(zone=zones[n % 48], name=f"Asset {n}", component_type="EDR", sl_capability=SLVector.uniform(n % 3),
              sl_capability_source="vendor_claim")
        for n in range(1998)
    )  # fmt: skip
    for n in range(99):
        conduit = Conduit.objects.create(site=plant.site, name=f"Conduit {n}", sl_target=SLVector.uniform(2))
        conduit.zones.set([zones[n % 48], zones[(n + 1) % 48]])
    big = queries_for(client, url)
    assert big == small, f"{small} queries for a small site, {big} for a large one"


def test_auditor_sees_no_edit_buttons_and_cannot_post(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.auditor)
    page = client.get(plant.site.get_absolute_url()).content.decode()
    assert "New zone" not in page and "Edit" not in page and "Delete" not in page
    assert client.get(f"/zones/{plant.control.pk}/edit/").status_code == 403
    assert client.post(f"/zone/{plant.control.pk}/delete/").status_code == 403
    assert Zone.objects.filter(pk=plant.control.pk).exists()


def test_consultant_sees_edit_buttons(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    page = client.get(plant.site.get_absolute_url()).content.decode()
    assert "New zone" in page and "New conduit" in page


def test_outsider_gets_404_everywhere(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.outsider)
    for url in [
        plant.site.get_absolute_url(),
        plant.control.get_absolute_url(),
        plant.conduit.get_absolute_url(),
        plant.plc.get_absolute_url(),
        f"/site/{plant.site.pk}/history/",
        f"/sites/{plant.site.pk}/assets.csv",
        f"/api/v1/sites/{plant.site.pk}/diagram.svg",
    ]:
        assert client.get(url).status_code == 404, url


def test_zone_form_shows_field_errors_and_keeps_input(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    levels = {f"sl_target_FR{n}": "2" for n in range(1, 8)} | {"sl_target_FR2": "9"}
    data = {"name": "", "kind": "control", "criticality": "high", **levels}
    response = client.post(f"/sites/{plant.site.pk}/zones/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors
    assert errors["sl_target"] == ["FR2 must be between 0 and 4, not 9"]
    assert 'name="sl_target_FR2" value="9"' in response.content.decode()  # the input is kept
    assert not Zone.objects.filter(site=plant.site, kind="control").exclude(pk=plant.control.pk).exists()


def test_zone_form_names_missing_frs(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    data = {"name": "Half", "kind": "control", "criticality": "high", "sl_target_FR1": "2"}
    response = client.post(f"/sites/{plant.site.pk}/zones/new/", data)
    assert response.context["form"].errors["sl_target"] == ["Give a level for FR2, FR3, FR4, FR5, FR6, FR7 as well."]


def test_zone_form_accepts_the_compact_notation(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    data = {"name": "SIS", "kind": "safety", "criticality": "very_high", "sl_target_compact": "{3,3,3,1,3,2,3}"}
    response = client.post(f"/sites/{plant.site.pk}/zones/new/", data)
    assert response.status_code == 302
    assert Zone.objects.get(name="SIS").sl_target == SLVector.parse("{3,3,3,1,3,2,3}")


def test_stale_form_save_shows_the_other_change(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    url = f"/zones/{plant.control.pk}/edit/"
    form = client.get(url).context["form"]
    version = form.fields["version"].initial
    Zone.objects.filter(pk=plant.control.pk).update(description="changed meanwhile", version=version + 1)
    data = {"name": "Control", "kind": "control", "criticality": "high", "sl_target_compact": "{2,2,2,2,2,2,2}",
            "description": "mine", "version": version}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else saved this zone" in response.content.decode()
    assert '<td data-role="theirs">changed meanwhile</td><td data-role="yours">mine</td>' in response.content.decode()
    assert "mine</textarea>" in response.content.decode()  # the input is kept
    assert Zone.objects.get(pk=plant.control.pk).description == "changed meanwhile"


def test_delete_says_what_goes_with_it(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.owner)
    page = client.get(f"/zone/{plant.control.pk}/delete/").content.decode()
    assert "1 asset in this zone" in page and "its place in 1 conduit " in page
    assert Zone.objects.filter(pk=plant.control.pk).exists()
    client.post(f"/zone/{plant.control.pk}/delete/")
    assert not Zone.objects.filter(pk=plant.control.pk).exists()
    assert not Asset.objects.filter(pk=plant.plc.pk).exists()
    assert not Conduit.objects.filter(pk=plant.conduit.pk).exists()  # left with one zone


def test_history_records_who_and_what(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    data = {"name": "Control", "kind": "control", "criticality": "very_high", "sl_target_compact": "{3,2,2,2,2,2,2}",
            "version": Zone.objects.get(pk=plant.control.pk).version}  # fmt: skip
    assert client.post(f"/zones/{plant.control.pk}/edit/", data).status_code == 302
    entries = client.get(f"/zone/{plant.control.pk}/history/").context["entries"]
    latest = entries[0]
    assert latest.who == "persona-consultant" and latest.action == "changed"
    changes = {label: (old, new) for label, old, new in latest.changes}
    assert changes["SL-T"] == ("{2,2,2,2,2,2,2}", "{3,2,2,2,2,2,2}")
    assert changes["criticality"] == ("Medium", "Very high")
    site_entries = client.get(f"/site/{plant.site.pk}/history/").context["entries"]
    assert {e.object_kind for e in site_entries} >= {"site", "zone", "asset", "conduit"}


def test_conduit_form_offers_only_this_sites_zones(client: Any, personas: Personas, plant: Plant) -> None:
    make_zone(personas.other_site, "Foreign")
    client.force_login(personas.consultant)
    form = client.get(f"/sites/{plant.site.pk}/conduits/new/").context["form"]
    assert {z.name for z in form.fields["zones"].queryset} == {"DMZ", "Control"}


def test_csv_export_and_import_pages(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.owner)
    exported = client.get(f"/sites/{plant.site.pk}/assets.csv")
    assert exported["Content-Type"].startswith("text/csv") and b"PLC-1" in exported.content
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.csv", b"zone,name,component_type\nNowhere,X,EDR\nControl,Y,XYZ\n")
    response = client.post(f"/sites/{plant.site.pk}/assets/import/", {"file": bad})
    assert [line for line, _ in response.context["errors"]] == [2, 3]
    good = SimpleUploadedFile("a.csv", b"zone,name,component_type\nControl,New PLC,EDR\n")
    assert client.post(f"/sites/{plant.site.pk}/assets/import/", {"file": good}).status_code == 302
    assert Asset.objects.filter(name="New PLC", zone=plant.control).exists()


def test_asset_page_warns_about_capability(client: Any, personas: Personas, plant: Plant) -> None:
    weak = make_asset(plant.control, "Weak", "{1,2,2,2,2,2,2}")
    make_conduit(personas.site, "Spare", [plant.dmz, plant.control], devices=[plant.firewall])
    client.force_login(personas.auditor)
    page = client.get(weak.get_absolute_url()).content.decode()
    assert "below zone" in page and "FR1" in page


def test_what_an_assessment_assessed_cannot_be_deleted(client: Any, personas: Personas, plant: Plant) -> None:
    from tests.assessments.helpers import make_assessment

    make_assessment(plant.site, personas.consultant, zones=[plant.control], conduits=[], title="Gap 2026")
    client.force_login(personas.owner)
    page = client.get(f"/zone/{plant.control.pk}/delete/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "cannot be deleted" in body and "1 assessment: Gap 2026" in body
    assert 'type="submit"' not in body.split('id="blockers"')[1]  # no delete button
    refused = client.post(f"/zone/{plant.control.pk}/delete/")
    assert refused.status_code == 409 and "Gap 2026" in refused.content.decode()
    site_page = client.get(f"/site/{plant.site.pk}/delete/").content.decode()
    assert "cannot be deleted" in site_page
    assert Zone.objects.filter(pk=plant.control.pk).exists()
    assert Asset.objects.filter(pk=plant.plc.pk).exists()


def test_delete_lists_the_records_of_other_apps_that_go_with_it(client: Any, personas: Personas, plant: Plant) -> None:
    from datetime import date

    from tests.program.factories import critical

    critical(plant.plc, date(2026, 3, 1), cve="CVE-2026-0001")
    critical(plant.plc, date(2026, 3, 2), cve="CVE-2026-0002")
    client.force_login(personas.owner)
    assert "2 vulnerabilities recorded on it" in client.get(f"/asset/{plant.plc.pk}/delete/").content.decode()
    assert (
        "2 vulnerabilities recorded on those assets" in client.get(f"/zone/{plant.control.pk}/delete/").content.decode()
    )
    site_page = client.get(f"/site/{plant.site.pk}/delete/").content.decode()
    assert "2 zones" in site_page and "2 vulnerabilities" in site_page
