"""The zones API: contract fields, the permission matrix, cross-organization refusals, If-Match (428/412)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as
from tests.zones.plant import Plant, make_asset, make_conduit, make_zone, small_plant
from zones.models import Asset, Conduit, Site, Zone

if TYPE_CHECKING:
    from core.versioning import Versioned

pytestmark = pytest.mark.django_db
VEC = {"FR1": 2, "FR2": 2, "FR3": 1, "FR4": 1, "FR5": 3, "FR6": 1, "FR7": 2}


@pytest.fixture
def plant(personas: Personas) -> Plant:
    small_plant(personas.other_site)  # noise in the other organization
    return small_plant(personas.site)


def etag(obj: Versioned) -> str:
    obj.refresh_from_db()
    return obj.etag


def detail_urls(plant: Plant) -> dict[str, str]:
    return {
        "sites": f"/api/v1/sites/{plant.site.pk}/",
        "zones": f"/api/v1/zones/{plant.control.pk}/",
        "conduits": f"/api/v1/conduits/{plant.conduit.pk}/",
        "assets": f"/api/v1/assets/{plant.plc.pk}/",
    }


def test_contract_fields(personas: Personas, plant: Plant) -> None:
    client = api_as(personas.auditor)
    site = client.get(f"/api/v1/sites/{plant.site.pk}/").json()
    assert {"id", "organization", "name", "location", "sector", "description"} <= set(site)
    zone = client.get(f"/api/v1/zones/{plant.control.pk}/").json()
    assert {"id", "site", "name", "kind", "purdue_level", "criticality", "sl_target"} <= set(zone)
    assert zone["sl_target"] == {f"FR{n}": 2 for n in range(1, 8)}
    conduit = client.get(f"/api/v1/conduits/{plant.conduit.pk}/").json()
    assert set(conduit["zones"]) == {str(plant.dmz.pk), str(plant.control.pk)}
    assert conduit["boundary_devices"] == [str(plant.firewall.pk)]
    asset = client.get(f"/api/v1/assets/{plant.plc.pk}/").json()
    fields = ["zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware", "sl_capability",
              "end_of_support", "legacy", "criticality"]  # fmt: skip
    assert set(fields) <= set(asset)


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("endpoint", ["sites", "zones", "conduits", "assets"])
def test_read_matrix(personas: Personas, plant: Plant, name: str, endpoint: str) -> None:
    client = api_as(personas.by_name(name))
    listing = client.get(f"/api/v1/{endpoint}/").json()
    detail = client.get(detail_urls(plant)[endpoint])
    if name == "outsider":
        assert detail.status_code == 404
        assert str(plant.site.pk) not in str(listing)
    else:
        assert detail.status_code == 200
        assert listing["count"] == {"sites": 1, "zones": 2, "conduits": 1, "assets": 2}[endpoint]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_write_matrix(personas: Personas, plant: Plant, name: str) -> None:
    client = api_as(personas.by_name(name))
    response = client.patch(
        f"/api/v1/zones/{plant.control.pk}/", {"description": "edited"}, format="json", HTTP_IF_MATCH='"1"'
    )
    expected = 200 if name in WRITERS else 404 if name == "outsider" else 403
    assert response.status_code == expected
    created = client.post(
        "/api/v1/zones/", {"site": str(plant.site.pk), "name": f"New {name}", "sl_target": VEC}, format="json"
    )
    assert created.status_code == (201 if name in WRITERS else 403 if name == "auditor" else 400)
    deleted = client.delete(f"/api/v1/assets/{plant.plc.pk}/", HTTP_IF_MATCH='"1"')
    assert deleted.status_code == (204 if name in WRITERS else 404 if name == "outsider" else 403)


def test_create_a_whole_plant(personas: Personas) -> None:
    client = api_as(personas.consultant)
    site = client.post(
        "/api/v1/sites/", {"organization": str(personas.org.pk), "name": "Works", "sector": "water"}, format="json"
    ).json()
    z1 = client.post(
        "/api/v1/zones/", {"site": site["id"], "name": "A", "kind": "dmz", "sl_target": VEC}, format="json"
    )
    z2 = client.post(
        "/api/v1/zones/", {"site": site["id"], "name": "B", "purdue_level": 1, "sl_target": VEC}, format="json"
    )
    assert z1.status_code == z2.status_code == 201
    fw = client.post(
        "/api/v1/assets/",
        {"zone": z1.json()["id"], "name": "FW", "component_type": "NDR", "role": "firewall", "sl_capability": VEC,
         "sl_capability_source": "certificate"},
        format="json",
    )  # fmt: skip
    assert fw.status_code == 201, fw.json()
    conduit = client.post(
        "/api/v1/conduits/",
        {"site": site["id"], "name": "A-B", "zones": [z1.json()["id"], z2.json()["id"]], "sl_target": VEC,
         "boundary_devices": [fw.json()["id"]], "direction": "unidirectional", "protocols": "OPC UA",
         "source_zone": z1.json()["id"], "destination_zone": z2.json()["id"]},
        format="json",
    )  # fmt: skip
    assert conduit.status_code == 201, conduit.json()
    assert client.get(f"/api/v1/zones/?site={site['id']}").json()["count"] == 2
    assert client.get(f"/api/v1/assets/?zone={z1.json()['id']}").json()["count"] == 1
    svg = client.get(f"/api/v1/sites/{site['id']}/diagram.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"A-B" in svg.content


@pytest.mark.parametrize(
    ("vector", "message"),
    [
        ({**VEC, "FR3": 7}, "FR3 must be between 0 and 4, not 7"),
        ({k: v for k, v in VEC.items() if k != "FR6"}, "FR6 is missing"),
        ("{2,2,2}", "expected an object"),
    ],
)
def test_bad_vectors_are_400_naming_the_fr(personas: Personas, plant: Plant, vector: Any, message: str) -> None:
    response = api_as(personas.consultant).patch(
        f"/api/v1/zones/{plant.control.pk}/", {"sl_target": vector}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert message in str(response.json()["sl_target"])


def test_cross_organization_links_are_refused(personas: Personas, plant: Plant) -> None:
    foreign_zone = make_zone(personas.other_site, "Foreign")
    client = api_as(personas.consultant)
    # A conduit with a zone of another organization: that zone does not exist for this user.
    r = client.post(
        "/api/v1/conduits/",
        {"site": str(plant.site.pk), "name": "X", "zones": [str(plant.dmz.pk), str(foreign_zone.pk)], "sl_target": VEC},
        format="json",
    )
    assert r.status_code == 400 and "zones" in r.json()
    # A zone moved to another organization's site.
    r = client.patch(
        f"/api/v1/zones/{plant.dmz.pk}/", {"site": str(personas.other_site.pk)}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert r.status_code == 400 and "site" in r.json()
    # An asset in another organization's zone.
    r = client.post(
        "/api/v1/assets/", {"zone": str(foreign_zone.pk), "name": "A", "component_type": "EDR"}, format="json"
    )
    assert r.status_code == 400 and "zone" in r.json()
    assert Zone.objects.get(pk=plant.dmz.pk).site_id == plant.site.pk


def test_conduit_between_zones_of_two_sites_is_400(personas: Personas, plant: Plant) -> None:
    from tests.factories import SiteFactory

    second = SiteFactory.create(organization=personas.org, name="Second")
    other_zone = make_zone(second, "Elsewhere")
    r = api_as(personas.consultant).post(
        "/api/v1/conduits/",
        {"site": str(plant.site.pk), "name": "X", "zones": [str(plant.dmz.pk), str(other_zone.pk)], "sl_target": VEC},
        format="json",
    )
    assert r.status_code == 400
    assert "must belong to the conduit's site" in str(r.json()["zones"])
    assert not Conduit.objects.filter(name="X").exists()


def test_conduit_needs_two_zones(personas: Personas, plant: Plant) -> None:
    r = api_as(personas.owner).post(
        "/api/v1/conduits/", {"site": str(plant.site.pk), "name": "X", "zones": [str(plant.dmz.pk)], "sl_target": VEC},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400 and "at least two zones" in str(r.json())


def test_stale_write_is_412_and_loses_nothing(personas: Personas, plant: Plant) -> None:
    url = f"/api/v1/zones/{plant.control.pk}/"
    first, second = api_as(personas.consultant), api_as(personas.owner)
    read = first.get(url)["ETag"]
    ok = second.patch(url, {"description": "owner's note"}, format="json", HTTP_IF_MATCH=read)
    assert ok.status_code == 200 and ok["ETag"] != read
    stale = first.patch(url, {"description": "consultant's note"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    assert stale.json()["current"]["description"] == "owner's note" and stale["ETag"] == ok["ETag"]
    assert Zone.objects.get(pk=plant.control.pk).description == "owner's note"
    assert first.patch(url, {"description": "merged"}, format="json", HTTP_IF_MATCH=ok["ETag"]).status_code == 200


def test_sl_capability_source_rules(personas: Personas, plant: Plant) -> None:
    r = api_as(personas.owner).patch(
        f"/api/v1/assets/{plant.plc.pk}/", {"sl_capability_source": ""}, format="json", HTTP_IF_MATCH=etag(plant.plc)
    )
    assert r.status_code == 400 and "sl_capability_source" in r.json()


@pytest.mark.parametrize("endpoint", ["sites", "zones", "conduits", "assets"])
def test_list_query_count_does_not_grow(personas: Personas, endpoint: str) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_as(personas.auditor).get(f"/api/v1/{endpoint}/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    plant = small_plant(personas.site)
    small = count()
    for n in range(15):
        zone = make_zone(personas.site, f"Z{n}")
        make_asset(zone, f"A{n}")
        make_conduit(personas.site, f"C{n}", [zone, plant.control], devices=[plant.firewall])
    assert count() == small


def test_unfiltered_list_only_shows_own_sites(personas: Personas, plant: Plant) -> None:
    body = api_as(personas.outsider).get("/api/v1/sites/").json()
    assert [s["name"] for s in body["results"]] == ["Site B"]
    assert Site.objects.count() == 2 and Asset.objects.count() == 4


def test_a_zone_with_conduits_or_assets_does_not_move_to_another_site(personas: Personas, plant: Plant) -> None:
    from tests.factories import SiteFactory

    second = SiteFactory.create(organization=personas.org, name="Second")
    client = api_as(personas.consultant)
    for zone in (plant.control, make_zone(plant.site, "Linked only")):  # with assets; with a conduit only
        if zone.name == "Linked only":
            make_conduit(plant.site, "Link", [zone, plant.dmz], devices=[plant.firewall])
        r = client.patch(f"/api/v1/zones/{zone.pk}/", {"site": str(second.pk)}, format="json", HTTP_IF_MATCH=etag(zone))
        assert r.status_code == 400 and "cannot be moved" in str(r.json()["site"])
        assert Zone.objects.get(pk=zone.pk).site_id == plant.site.pk
    empty = make_zone(plant.site, "Empty")
    moved = client.patch(f"/api/v1/zones/{empty.pk}/", {"site": str(second.pk)}, format="json", HTTP_IF_MATCH='"1"')
    assert moved.status_code == 200


def test_deleting_what_an_assessment_assessed_is_409_and_keeps_it(personas: Personas, plant: Plant) -> None:
    from tests.assessments.helpers import make_assessment

    make_assessment(plant.site, personas.consultant, zones=[plant.control], conduits=[], title="Gap 2026")
    client = api_as(personas.consultant)
    for obj, url in (
        (plant.control, f"/api/v1/zones/{plant.control.pk}/"),
        (plant.site, f"/api/v1/sites/{plant.site.pk}/"),
    ):
        response = client.delete(url, HTTP_IF_MATCH=etag(obj))
        assert response.status_code == 409, url
        assert "Gap 2026" in response.json()["detail"]
    assert Zone.objects.filter(pk=plant.control.pk).exists()


def test_a_zone_whose_deletion_would_take_an_assessed_conduit_is_kept(personas: Personas, plant: Plant) -> None:
    from tests.assessments.helpers import make_assessment

    # Only the conduit is assessed; deleting either of its two zones would delete it too.
    make_assessment(plant.site, personas.consultant, zones=[], conduits=[plant.conduit], title="Conduit review")
    response = api_as(personas.consultant).delete(
        f"/api/v1/zones/{plant.control.pk}/", HTTP_IF_MATCH=etag(plant.control)
    )
    assert response.status_code == 409
    assert "Conduit review" in response.json()["detail"]
    assert Zone.objects.filter(pk=plant.control.pk).exists() and Conduit.objects.filter(pk=plant.conduit.pk).exists()


@pytest.mark.parametrize("endpoint", ["sites", "zones", "conduits", "assets"])
def test_writes_need_if_match_and_a_stale_one_gets_412_with_the_current_state(
    personas: Personas, plant: Plant, endpoint: str
) -> None:
    """The unified contract (docs/api-changes.md, 2026-12-02): If-Match is required, as everywhere else."""
    client = api_as(personas.owner)
    url = detail_urls(plant)[endpoint]
    read = client.get(url)
    assert read["ETag"] == f'"{read.json()["version"]}"'
    body = {"description": "x"} if endpoint != "assets" else {"firmware": "4.2"}
    assert client.patch(url, body, format="json").status_code == 428
    assert client.put(url, read.json(), format="json").status_code == 428
    assert client.delete(url).status_code == 428
    ok = client.patch(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert ok.status_code == 200 and ok["ETag"] == f'"{ok.json()["version"]}"' != read["ETag"]
    stale = client.delete(url, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert stale.json()["current"] == ok.json() and stale["ETag"] == ok["ETag"]
    assert client.get(url).status_code == 200  # nothing was deleted


def test_put_replaces_the_whole_object_under_if_match(personas: Personas, plant: Plant) -> None:
    client = api_as(personas.consultant)
    url = f"/api/v1/sites/{plant.site.pk}/"
    read = client.get(url)
    body = {**read.json(), "name": "Renamed works", "description": ""}
    response = client.put(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200 and response.json()["name"] == "Renamed works"
    from accounts.choices import Role
    from tests.factories import MembershipFactory

    MembershipFactory.create(user=personas.consultant, organization=personas.other_org, role=Role.CONSULTANT)
    moved = client.patch(
        url, {"organization": str(personas.other_org.pk)}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert moved.status_code == 400
    assert moved.json()["organization"] == ["A site cannot move to another organization."]
