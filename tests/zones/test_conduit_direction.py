"""A one-way conduit says where its data comes from and goes to: chosen in the form (two of its zones),
refused without them, shown as "A → B" in the tables, on its page, in the API and as an arrow on the diagram;
the boundary-device picker offers the network devices of the zones it joins first."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from compliance.sl import SLVector
from tests.conftest import Personas, api_as
from tests.zones.plant import Plant, make_asset, make_zone, small_plant
from zones import services
from zones.forms import NETWORK_DEVICES_HERE, OTHER_ASSETS, ConduitForm
from zones.models import Conduit

pytestmark = pytest.mark.django_db
VEC = "{2,2,2,2,2,2,2}"


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def one_way(plant: Plant, **flow: object) -> Conduit:
    return services.conduit_save(
        conduit=plant.conduit,
        fields={"direction": "unidirectional", **flow},
        expected_version=plant.conduit.version,
    )


def test_one_way_needs_a_source_and_a_destination(plant: Plant) -> None:
    with pytest.raises(ValidationError) as exc:
        one_way(plant)
    assert set(exc.value.message_dict) == {"source_zone", "destination_zone"}


def test_source_and_destination_are_two_different_zones_of_the_conduit(personas: Personas, plant: Plant) -> None:
    stranger = make_zone(personas.site, "Elsewhere")
    with pytest.raises(ValidationError) as exc:
        one_way(plant, source_zone=stranger, destination_zone=plant.control)
    assert "source_zone" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        one_way(plant, source_zone=plant.dmz, destination_zone=plant.dmz)
    assert "destination_zone" in exc.value.message_dict


def test_saved_one_way_reads_as_an_arrow_and_switching_back_clears_it(plant: Plant) -> None:
    conduit = one_way(plant, source_zone=plant.control, destination_zone=plant.dmz)
    conduit.refresh_from_db()
    assert conduit.flow == "Control → DMZ"
    assert [str(i) for i in conduit.flow_zone_ids()[:2]] == [str(plant.control.pk), str(plant.dmz.pk)]
    both = services.conduit_save(
        conduit=conduit, fields={"direction": "bidirectional"}, expected_version=conduit.version
    )
    both.refresh_from_db()
    assert both.source_zone_id is None and both.destination_zone_id is None
    assert "↔" in both.flow


def test_the_form_offers_the_flow_and_refuses_a_one_way_conduit_without_it(personas: Personas, plant: Plant) -> None:
    client = Client()
    client.force_login(personas.consultant)
    url = f"/conduits/{plant.conduit.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="source_zone"' in page and 'name="destination_zone"' in page
    data = {
        "name": "DMZ-Control", "zones": [plant.dmz.pk, plant.control.pk], "direction": "unidirectional",
        "sl_target_compact": VEC, "version": plant.conduit.version,
    }  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "needs the zone its data flows from" in refused.content.decode()
    saved = client.post(url, {**data, "source_zone": plant.control.pk, "destination_zone": plant.dmz.pk})
    assert saved.status_code == 302
    plant.conduit.refresh_from_db()
    assert (plant.conduit.source_zone, plant.conduit.destination_zone) == (plant.control, plant.dmz)
    detail = client.get(f"/conduits/{plant.conduit.pk}/").content.decode()
    assert "One way: Control → DMZ" in detail
    site_page = client.get(f"/sites/{plant.site.pk}/").content.decode()
    assert "<td>Control → DMZ</td>" in site_page


def test_the_api_reads_and_writes_the_flow(personas: Personas, plant: Plant) -> None:
    client = api_as(personas.consultant)
    url = f"/api/v1/conduits/{plant.conduit.pk}/"
    before = client.get(url)
    assert before.json()["source_zone"] is None and before.json()["destination_zone"] is None
    refused = client.patch(url, {"direction": "unidirectional"}, format="json", HTTP_IF_MATCH=before["ETag"])
    assert refused.status_code == 400 and "source_zone" in refused.json()
    body = {"direction": "unidirectional", "source_zone": str(plant.control.pk), "destination_zone": str(plant.dmz.pk)}
    saved = client.patch(url, body, format="json", HTTP_IF_MATCH=before["ETag"])
    assert saved.status_code == 200, saved.json()
    assert saved.json()["source_zone"] == str(plant.control.pk)
    assert saved.json()["destination_zone"] == str(plant.dmz.pk)


def test_the_diagram_points_the_arrow_at_the_destination(plant: Plant) -> None:
    from tests.zones.test_diagram import SVG, box, conduit_links, parse
    from zones.selectors import site_overview

    # The DMZ sits above Control; data flowing down ends on the Control box's top edge.
    one_way(plant, source_zone=plant.dmz, destination_zone=plant.control)
    root = parse(site_overview(plant.site).diagram_svg())
    (path,) = conduit_links(root, str(plant.conduit.pk)).iter(f"{SVG}path")
    assert path.get("marker-end") == "url(#zw-arrow)"
    _, top, _, _ = box(root, str(plant.control.pk))
    assert float(path.attrib["d"].split()[-1].split(",")[1]) == top
    # Turned around, it ends on the DMZ's bottom edge.
    plant.conduit.refresh_from_db()
    one_way(plant, source_zone=plant.control, destination_zone=plant.dmz)
    root = parse(site_overview(plant.site).diagram_svg())
    (path,) = conduit_links(root, str(plant.conduit.pk)).iter(f"{SVG}path")
    _, y, _, h = box(root, str(plant.dmz.pk))
    assert float(path.attrib["d"].split()[-1].split(",")[1]) == y + h


def test_a_one_way_hub_has_one_arrowhead_at_its_destination() -> None:
    from tests.zones.test_diagram import SVG, conduit, conduit_links, parse, zone
    from zones.diagram import render_site_diagram

    zones = [zone("a", 3), zone("b", 2), zone("c", 1)]
    hub = conduit("hub", "a", "b", "c", direction="unidirectional", destination_id="c")
    paths = list(conduit_links(parse(render_site_diagram(zones, [hub])), "hub").iter(f"{SVG}path"))
    assert len(paths) == 3
    assert [p.get("marker-end") for p in paths] == [None, None, "url(#zw-arrow)"]


def test_the_boundary_picker_offers_network_devices_of_the_joined_zones_first(personas: Personas, plant: Plant) -> None:
    elsewhere = make_zone(personas.site, "Elsewhere")
    far_switch = make_asset(elsewhere, "Far switch", component_type="NDR", role="switch")
    form = ConduitForm(instance=plant.conduit, site=plant.site)
    groups = dict(form.fields["boundary_devices"].choices)  # type: ignore[attr-defined]
    assert [label for _, label in groups[NETWORK_DEVICES_HERE]] == ["Firewall (FW-1) · Firewall · DMZ"]
    others = {value for value, _ in groups[OTHER_ASSETS]}
    assert {plant.plc.pk, far_switch.pk} == others
    # Posted zones decide, so a conduit being re-drawn offers its new zones' devices.
    posted = ConduitForm(
        {"zones": [str(elsewhere.pk), str(plant.control.pk)], "sl_target_compact": VEC, "name": "x"},
        instance=plant.conduit,
        site=plant.site,
    )
    first = dict(posted.fields["boundary_devices"].choices)[NETWORK_DEVICES_HERE]  # type: ignore[attr-defined]
    assert [value for value, _ in first] == [far_switch.pk]


def test_the_demo_diode_has_a_direction() -> None:
    from accounts.models import Organization
    from zones.demo import seed_water_works

    site = seed_water_works(Organization.objects.create(name="Demo water"))
    diode = site.conduits.get(direction="unidirectional")
    assert diode.flow == "Chlorine dosing SIS → Process control"
    assert SLVector.parse("{3,3,3,1,3,2,3}") == diode.sl_target
