"""SL-C of a component assessment: its scope on the real 4-2 catalogue file, and compliance.sl's arithmetic
over it (components.selectors.summarize) checked against an oracle written from the definition, for every
component type."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance import sl
from compliance.choices import FR_CODES, ResultStatus
from compliance.loader import CATALOGUE_DIR, read_file
from components.requirements import COMPONENT_TYPES, ComponentItem, required_component_items
from components.selectors import summarize


def _real_items() -> tuple[ComponentItem, ...]:
    """The real compliance/catalogue/iec62443-4-2.yaml as plain items (read with the loader, no database)."""
    data = read_file(CATALOGUE_DIR / "iec62443-4-2.yaml")
    return tuple(
        ComponentItem(
            id=uuid.uuid5(uuid.NAMESPACE_URL, item.ref),
            ref=item.ref,
            kind=item.kind,
            fr=item.fr,
            title=item.title,
            level=item.lowest_sl,
            component_types=frozenset(item.component_types),
            assessable=item.assessable,
        )
        for item in data.items
    )


ITEMS = _real_items()
FULL = sl.SLVector.uniform(4)
# The primer's counts of assessable items per component type at SL4.
AT_SL4 = {"SAR": 73, "EDR": 83, "HDR": 84, "NDR": 92}


@pytest.mark.parametrize("component_type", COMPONENT_TYPES)
def test_scope_at_sl4_matches_the_primer(component_type: str) -> None:
    assert len(required_component_items(ITEMS, component_type, FULL)) == AT_SL4[component_type]


@pytest.mark.parametrize("component_type", COMPONENT_TYPES)
def test_a_lower_target_keeps_only_the_items_at_or_below_it(component_type: str) -> None:
    target = sl.SLVector.of(2, 1, 2, 1, 1, 2, 1)
    scope = required_component_items(ITEMS, component_type, target)
    assert 0 < len(scope) < AT_SL4[component_type]
    assert all(item.level is not None and 1 <= item.level <= target[item.fr or ""] for item in scope)
    at_sl1 = required_component_items(ITEMS, component_type, sl.SLVector.uniform(1))
    assert {i.ref for i in at_sl1} <= {i.ref for i in scope}


def test_pointer_headings_are_never_results() -> None:
    pointers = {item.ref for item in ITEMS if not item.assessable}
    assert pointers  # the 4-2 file has headings that only point to the component-type items
    for component_type in COMPONENT_TYPES:
        scope = {item.ref for item in required_component_items(ITEMS, component_type, FULL)}
        assert not scope & pointers


def oracle(type_items: list[ComponentItem], satisfied: dict[uuid.UUID, bool]) -> dict[str, int]:
    """From the definition: per FR, the highest n in 0..4 such that every item of that FR applying to the
    component type and selected at a level <= n is satisfied (an item that is not a result is not)."""
    out = {}
    for fr in FR_CODES:
        levels = [
            n
            for n in range(5)
            if all(
                satisfied.get(i.id, False) for i in type_items if i.fr == fr and i.level is not None and i.level <= n
            )
        ]
        out[fr] = max(levels)
    return out


STATUSES = st.sampled_from(ResultStatus.values)
LEVELS = st.integers(min_value=0, max_value=4)


@pytest.mark.parametrize("component_type", COMPONENT_TYPES)
@given(data=st.data(), target=st.tuples(*[LEVELS] * 7))
def test_sl_c_matches_the_oracle(component_type: str, data: st.DataObject, target: tuple[int, ...]) -> None:
    vector = sl.SLVector.of(*target)
    type_items = required_component_items(ITEMS, component_type, FULL)
    results = required_component_items(ITEMS, component_type, vector)
    # Mostly satisfying statuses, so that high levels are reached often enough to be tested.
    statuses = {
        item.id: data.draw(st.one_of(st.just(ResultStatus.MET.value), STATUSES), label=item.ref) for item in results
    }
    capability, rows = summarize(type_items, statuses, vector)
    expected = oracle(type_items, {k: sl.is_satisfied(v) for k, v in statuses.items()})
    assert capability.to_dict() == expected
    for row in rows:
        assert row.total == sum(1 for i in results if i.fr == row.fr)
        # Above the target nothing was assessed: SL-C passes the target only where the type has no items above it.
        above = [i for i in type_items if i.fr == row.fr and (i.level or 0) > vector[row.fr]]
        if above:
            assert row.capability <= vector[row.fr]
        assert row.capped_by_target == (row.capability == vector[row.fr] < 4)


@pytest.mark.parametrize("component_type", COMPONENT_TYPES)
def test_everything_met_at_sl4_gives_the_full_vector_and_nothing_gives_zero(component_type: str) -> None:
    type_items = required_component_items(ITEMS, component_type, FULL)
    met = {i.id: ResultStatus.MET.value for i in type_items}
    assert summarize(type_items, met, FULL)[0] == FULL
    unassessed = {i.id: ResultStatus.NOT_ASSESSED.value for i in type_items}
    assert summarize(type_items, unassessed, FULL)[0] == sl.ZERO


def test_sl_c_stops_at_the_target_when_items_lie_above_it() -> None:
    type_items = required_component_items(ITEMS, "NDR", FULL)
    target = sl.SLVector.uniform(2)
    met = {i.id: ResultStatus.MET.value for i in required_component_items(ITEMS, "NDR", target)}
    capability, rows = summarize(type_items, met, target)
    assert capability["FR1"] == 2  # FR1 has items at SL3 and SL4 for an NDR
    assert next(r for r in rows if r.fr == "FR1").capped_by_target
