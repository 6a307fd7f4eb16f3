"""compliance.sl.projection: SL-A on a date when planned fixes land, and when the target is met,
checked on hand-made cases and against a day-by-day oracle built on `achieved`."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from compliance import sl
from compliance.choices import FR_CODES
from compliance.sl import PlannedItem, SLVector

D1, D2, D3 = date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30)
TARGET = SLVector.of(2, 2, 0, 0, 0, 0, 0)


def items(*rows: tuple[str, int, bool, date | None]) -> list[PlannedItem]:
    return [PlannedItem(fr, level, satisfied, due) for fr, level, satisfied, due in rows]


def test_zone_whose_gaps_are_all_covered_reaches_target_at_the_last_due_date() -> None:
    plan = items(
        ("FR1", 1, True, None),
        ("FR1", 2, False, D1),
        ("FR2", 1, False, D3),
        ("FR2", 2, False, D2),
        ("FR1", 3, False, None),  # above target: does not matter
    )
    p = sl.projection(TARGET, plan)
    assert p.current == SLVector.of(1, 0, 4, 4, 4, 4, 4)
    assert p.reaches_target_on == D3
    assert p.reaches_target and not p.at_target_now
    assert p.projected.meets(TARGET)
    assert p.uncovered == []
    # FR2 stays 0 until its level-1 item lands on D3; then nothing above level 2 holds it back
    assert p.steps == ((D1, SLVector.of(2, 0, 4, 4, 4, 4, 4)), (D3, SLVector.of(2, 4, 4, 4, 4, 4, 4)))


def test_zone_with_an_uncovered_gap_never_reaches_target() -> None:
    plan = items(("FR1", 1, False, D1), ("FR2", 1, False, None), ("FR2", 2, False, D2))
    p = sl.projection(TARGET, plan)
    assert p.reaches_target_on is None
    assert not p.reaches_target
    assert p.uncovered == ["FR2"]
    assert p.projected == SLVector.of(4, 0, 4, 4, 4, 4, 4)  # FR2's later fix cannot lift it past SR at level 1


def test_zone_already_at_target_has_no_reach_date() -> None:
    p = sl.projection(TARGET, items(("FR1", 1, True, None), ("FR1", 2, True, None), ("FR2", 3, False, D1)))
    assert p.at_target_now and p.reaches_target
    assert p.reaches_target_on is None
    assert p.current == p.projected or p.projected.meets(p.current)


def test_fix_on_a_satisfied_item_changes_nothing() -> None:
    p = sl.projection(TARGET, items(("FR1", 1, True, D1), ("FR2", 1, True, D2)))
    assert p.steps == ()
    assert p.projected == p.current


def test_achieved_on_counts_fixes_due_that_day() -> None:
    plan = items(("FR1", 1, False, D1))
    assert sl.achieved_on(plan, D1 - timedelta(days=1))["FR1"] == 0
    assert sl.achieved_on(plan, D1)["FR1"] == 4


def test_no_items_means_every_fr_is_met() -> None:
    p = sl.projection(SLVector.uniform(4), [])
    assert p.current == SLVector.uniform(4)
    assert p.at_target_now


# --- against an oracle -------------------------------------------------------------------------------
dates = st.one_of(st.none(), st.integers(0, 20).map(lambda n: D1 + timedelta(days=30 * n)))
planned = st.lists(
    st.builds(
        PlannedItem, fr=st.sampled_from(FR_CODES), level=st.integers(1, 4), satisfied=st.booleans(), fix_due=dates
    ),
    max_size=30,
)
vectors = st.tuples(*[st.integers(0, 4)] * 7).map(lambda levels: SLVector(levels))


@given(vectors, planned)
def test_projection_matches_a_day_by_day_oracle(target: SLVector, plan: list[PlannedItem]) -> None:
    p = sl.projection(target, plan)
    current = sl.achieved(sl.ItemState(i.fr, i.level, i.satisfied) for i in plan)
    assert p.current == current
    days = sorted({i.fix_due for i in plan if i.fix_due is not None})
    final = sl.achieved_on(plan, days[-1]) if days else current
    assert p.projected == final
    first = next((d for d in days if sl.achieved_on(plan, d).meets(target)), None)
    assert p.reaches_target_on == (None if current.meets(target) else first)
    assert p.uncovered == final.frs_below(target)
    # SL-A never goes down as fixes land
    for when, level in p.steps:
        assert level.meets(current) and level == sl.achieved_on(plan, when)
