"""The shipped catalogue: counts from the primer and a dozen known items."""

from __future__ import annotations

import pytest

from compliance.models import Catalogue, Requirement

pytestmark = pytest.mark.django_db


def items(part: str) -> list[Requirement]:
    return list(Requirement.objects.current().filter(catalogue__part=part))


def test_3_3_has_51_srs_and_49_res() -> None:
    reqs = items("3-3")
    assert sum(r.kind == "SR" for r in reqs) == 51
    assert sum(r.kind == "RE" for r in reqs) == 49
    assert all(r.assessable for r in reqs)


@pytest.mark.parametrize(("level", "expected"), [(1, 37), (2, 60), (3, 91), (4, 100)])
def test_3_3_cumulative_selection(level: int, expected: int) -> None:
    assert sum(1 for r in items("3-3") if r.lowest_sl is not None and r.lowest_sl <= level) == expected


@pytest.mark.parametrize(("component_type", "expected"), [("SAR", 73), ("EDR", 83), ("HDR", 84), ("NDR", 92)])
def test_4_2_items_per_component_type_at_sl4(component_type: str, expected: int) -> None:
    qs = Requirement.objects.current().filter(catalogue__part="4-2").assessable().for_component_type(component_type)
    assert qs.filter(lowest_sl__lte=4).count() == expected


def test_4_2_pointer_headings_are_structure_only() -> None:
    heading = Requirement.objects.current().get(catalogue__part="4-2", ref="CR 2.4")
    assert heading.assessable is False
    assert heading.lowest_sl is None
    assert heading.component_types == []
    assert {c.ref for c in heading.children.all()} >= {"SAR 2.4", "EDR 2.4", "HDR 2.4", "NDR 2.4"}


def test_3_2_has_seven_zcrs_and_32_sub_requirements() -> None:
    reqs = items("3-2")
    assert sum(r.parent_id is None for r in reqs) == 7
    assert sum(r.parent_id is not None for r in reqs) == 32
    assert not any(r.assessable for r in reqs)


@pytest.mark.parametrize(
    ("part", "ref", "title", "fr", "lowest_sl"),
    [
        ("3-3", "SR 1.1", "Human user identification and authentication", "FR1", 1),
        ("3-3", "SR 1.1 RE 1", "Unique identification and authentication", "FR1", 2),
        ("3-3", "SR 1.1 RE 2", "Multifactor authentication for untrusted networks", "FR1", 3),
        ("3-3", "SR 2.1", "Authorization enforcement", "FR2", 1),
        ("3-3", "SR 3.3", "Security functionality verification", "FR3", 1),
        ("3-3", "SR 4.1", "Information confidentiality", "FR4", 1),
        ("3-3", "SR 5.1", "Network segmentation", "FR5", 1),
        ("3-3", "SR 5.2", "Zone boundary protection", "FR5", 1),
        ("3-3", "SR 5.2 RE 2", "Island mode", "FR5", 3),
        ("3-3", "SR 6.1", "Audit log accessibility", "FR6", 1),
        ("3-3", "SR 7.1", "Denial of service protection", "FR7", 1),
        ("3-3", "SR 7.6", "Network and security configuration settings", "FR7", 1),
        ("4-2", "CR 1.1", "Human user identification and authentication", "FR1", 1),
        ("4-2", "CR 7.1", "Denial of service protection", "FR7", 1),
    ],
)
def test_known_items(part: str, ref: str, title: str, fr: str, lowest_sl: int) -> None:
    item = Requirement.objects.current().get(catalogue__part=part, ref=ref)
    assert item.title == title
    assert item.fr_id == fr
    assert item.lowest_sl == lowest_sl


def test_res_share_their_parents_fr_and_never_start_below_it() -> None:
    for re_item in Requirement.objects.current().filter(kind="RE").select_related("parent"):
        assert re_item.parent is not None
        assert re_item.fr_id == re_item.parent.fr_id
        if re_item.parent.lowest_sl is not None:
            assert re_item.lowest_sl is not None and re_item.lowest_sl >= re_item.parent.lowest_sl


def test_each_part_has_exactly_one_current_release() -> None:
    assert sorted(Catalogue.objects.filter(is_current=True).values_list("part", flat=True)) == ["3-2", "3-3", "4-2"]


def test_disputed_items_carry_a_note() -> None:
    assert Requirement.objects.current().exclude(note="").count() >= 5
