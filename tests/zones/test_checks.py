"""The capability check and every topology rule."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import Personas
from tests.zones.plant import make_asset, make_conduit, make_zone, small_plant
from zones.selectors import site_overview

pytestmark = pytest.mark.django_db


def rules(personas: Personas) -> list[str]:
    return sorted(f.rule for f in site_overview(personas.site).findings)


def test_a_sound_design_has_no_findings(personas: Personas) -> None:
    small_plant(personas.site)
    assert rules(personas) == []


def test_capability_below_target_is_listed_per_fr(personas: Personas) -> None:
    plant = small_plant(personas.site)
    weak = make_asset(plant.control, "Old PLC", "{1,2,2,1,2,2,2}", legacy=True)
    cap = site_overview(personas.site).capability_by_zone[plant.control.pk]
    assert {fr: [a.name for a in assets] for fr, assets in cap.below_target.items()} == {
        "FR1": ["Old PLC"],
        "FR4": ["Old PLC"],
    }
    assert [a.pk for a in cap.assets_below_target] == [weak.pk]


def test_no_capability_recorded_is_not_a_violation_but_is_counted(personas: Personas) -> None:
    plant = small_plant(personas.site)
    make_asset(plant.control, "Unknown box")
    cap = site_overview(personas.site).capability_by_zone[plant.control.pk]
    assert cap.below_target == {} and [a.name for a in cap.no_capability] == ["Unknown box"]


def test_past_end_of_support(personas: Personas) -> None:
    plant = small_plant(personas.site)
    make_asset(plant.control, "Old HMI", end_of_support=datetime.date(2020, 1, 1))
    make_asset(plant.control, "New HMI", end_of_support=datetime.date(2040, 1, 1))
    cap = site_overview(personas.site, today=datetime.date(2026, 1, 1)).capability_by_zone[plant.control.pk]
    assert [a.name for a in cap.past_end_of_support] == ["Old HMI"]


def test_conduit_between_different_sl_t_without_boundary_device(personas: Personas) -> None:
    a = make_zone(personas.site, "A", "{2,2,2,2,2,2,2}")
    b = make_zone(personas.site, "B", "{3,2,2,2,2,2,2}")
    make_conduit(personas.site, "A-B", [a, b], "{3,2,2,2,2,2,2}")
    assert rules(personas) == ["conduit-mixed-sl-no-boundary"]


def test_conduit_to_external_zone_without_boundary_device(personas: Personas) -> None:
    a = make_zone(personas.site, "DMZ", "{2,2,2,2,2,2,2}")
    internet = make_zone(personas.site, "Vendor", "{2,2,2,2,2,2,2}", kind="external")
    conduit = make_conduit(personas.site, "Remote", [a, internet])
    found = site_overview(personas.site).findings
    assert [f.rule for f in found] == ["external-no-boundary"]
    assert "Vendor" in found[0].message and found[0].conduit_id == str(conduit.pk)


def test_conduit_sl_t_below_a_zone(personas: Personas) -> None:
    a = make_zone(personas.site, "A", "{2,2,2,2,3,2,2}")
    b = make_zone(personas.site, "B", "{2,2,2,2,3,2,2}")
    make_conduit(personas.site, "A-B", [a, b], "{2,2,2,2,2,2,2}")
    found = site_overview(personas.site).findings
    assert [f.rule for f in found] == ["conduit-below-zone", "conduit-below-zone"]
    assert "on FR5" in found[0].message


def test_zone_with_assets_but_no_conduits(personas: Personas) -> None:
    lonely = make_zone(personas.site, "Lonely")
    make_zone(personas.site, "Empty")  # no assets: not flagged
    make_asset(lonely, "Box")
    found = site_overview(personas.site).findings
    assert [(f.rule, f.zone_ids) for f in found] == [("zone-isolated", (str(lonely.pk),))]
