"""GET /api/v1/catalogue/oscal/: the catalogue as an OSCAL catalog that trestle's models accept."""

from __future__ import annotations

from typing import Any

import pytest
from trestle.oscal.catalog import Catalog

from compliance.models import Requirement
from compliance.oscal import PROP_NS, control_id
from tests.conftest import PERSONA_NAMES, Personas, api_as

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalogue/oscal/"


def controls(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every control of a catalog, nested ones included (depth first, in document order)."""
    found = []
    for node in nodes:
        found.append(node)
        found += controls(node.get("controls", []))
    return found


def ours(control: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in control.get("props", []) if p["name"] == name and p.get("ns") == PROP_NS]


def test_login_required(api: Any) -> None:
    assert api.get(URL).status_code in (401, 403)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_any_member_may_read_it(personas: Personas, name: str) -> None:
    assert api_as(personas.by_name(name)).get(URL).status_code == 200


def test_3_3_catalog_validates_and_holds_every_item_once(personas: Personas) -> None:
    body = api_as(personas.auditor).get(URL, {"part": "3-3"}).json()
    catalog = Catalog.model_validate(body["catalog"])  # raises if it is not valid OSCAL
    assert catalog.metadata.oscal_version.root.root.startswith("1.1.")
    groups = body["catalog"]["groups"]
    assert [g["id"] for g in groups] == [f"fr{n}" for n in range(1, 8)]
    every = controls([c for g in groups for c in g["controls"]])
    items = list(Requirement.objects.current().filter(catalogue__part="3-3").order_by("position"))
    # Round trip: the catalogue's ids, titles and levels come back out of the document, in the standard's order.
    assert [c["id"] for c in every] == [control_id(i.ref) for i in items]
    assert [c["title"] for c in every] == [i.title for i in items]
    assert [ours(c, "lowest-sl") for c in every] == [[str(i.lowest_sl)] if i.lowest_sl else [] for i in items]
    sr11 = groups[0]["controls"][0]
    assert sr11["id"] == "sr-1.1"
    assert [re["id"] for re in sr11["controls"]] == ["sr-1.1-re-1", "sr-1.1-re-2", "sr-1.1-re-3"]
    assert {"name": "label", "value": "SR 1.1 RE 1"} in sr11["controls"][0]["props"]
    # No normative text: controls carry no parts.
    assert not any("parts" in c for c in every)


def test_4_2_nests_component_type_items_and_is_stable(personas: Personas) -> None:
    client = api_as(personas.consultant)
    first, second = (client.get(URL, {"part": "4-2"}).json() for _ in range(2))
    assert first == second  # same UUID, same everything, export after export
    Catalog.model_validate(first["catalog"])
    every = {c["id"]: c for g in first["catalog"]["groups"] for c in controls(g["controls"])}
    cr24 = every["cr-2.4"]
    assert ours(cr24, "assessable") == ["false"]
    assert "sar-2.4" in [c["id"] for c in cr24["controls"]]
    assert ours(every["sar-2.4"], "component-type") == ["SAR"]


def test_3_2_and_unknown_parts_are_refused(personas: Personas) -> None:
    client = api_as(personas.owner)
    for part in ("3-2", "9-9"):
        response = client.get(URL, {"part": part})
        assert response.status_code == 400
        assert "part" in response.json()
