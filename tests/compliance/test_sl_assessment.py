"""The assessment arithmetic of compliance.sl: satisfied statuses, required items, SL-A checked
against a brute-force oracle written straight from the primer, gap, standing and progress."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments.choices import ResultStatus
from assessments.selectors import CatalogueItem, catalogue_items
from compliance import sl
from compliance.choices import FR_CODES
from compliance.sl import ItemState, Progress, SLVector, Standing
from tests.assessments.helpers import current_catalogue

# --- strategies -----------------------------------------------------------------------------------
frs = st.sampled_from(FR_CODES)
item_levels = st.integers(1, 4)
items_st = st.lists(st.builds(ItemState, fr=frs, level=item_levels, satisfied=st.booleans()), max_size=40)
vectors = st.tuples(*[st.integers(0, 4)] * 7).map(lambda levels: SLVector(levels))


def oracle(items: list[ItemState]) -> SLVector:
    """The primer, literally: for each FR the highest n in 0..4 such that every item of that FR
    selected at level n or below is satisfied."""
    levels = []
    for fr in FR_CODES:
        best = 0
        for n in range(5):
            if all(i.satisfied for i in items if i.fr == fr and i.level <= n):
                best = n
        levels.append(best)
    return SLVector.of(*levels)


# --- satisfied statuses ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "satisfied"),
    [
        ("met", True),
        ("compensated", True),
        ("not_applicable", True),
        ("partially_met", False),
        ("not_met", False),
        ("not_assessed", False),
    ],
)
def test_is_satisfied(status: str, satisfied: bool) -> None:
    assert sl.is_satisfied(status) is satisfied
    assert ResultStatus(status).satisfied is satisfied


def test_satisfying_statuses_match_the_result_choices() -> None:
    assert set(ResultStatus.values) == {
        "met",
        "compensated",
        "not_applicable",
        "partially_met",
        "not_met",
        "not_assessed",
    }
    assert {s.value for s in ResultStatus if s.satisfied} == sl.SATISFYING_STATUSES
    assert {"met", "compensated", "not_applicable"} == sl.SATISFYING_STATUSES
    assert ResultStatus.NOT_ASSESSED.value == sl.NOT_ASSESSED


def test_unknown_status_is_not_satisfied() -> None:
    assert sl.is_satisfied("Met") is False
    assert sl.is_satisfied("") is False


# --- required items -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("level", "target", "required"),
    [
        (1, 1, True),
        (1, 4, True),
        (2, 2, True),
        (3, 2, False),
        (4, 3, False),
        (4, 4, True),
        (1, 0, False),
        (0, 0, False),
        (0, 4, False),
        (None, 4, False),
        (None, 0, False),
    ],
)
def test_is_required_table(level: int | None, target: int, required: bool) -> None:
    vector = SLVector.of(target, 0, 0, 0, 0, 0, 0)
    assert sl.is_required("FR1", level, vector) is required


@given(fr=frs, level=st.one_of(st.none(), st.integers(0, 4)), target=vectors)
def test_is_required_property(fr: str, level: int | None, target: SLVector) -> None:
    assert sl.is_required(fr, level, target) == (level is not None and 0 < level <= target[fr])


def test_is_required_reads_the_items_own_fr() -> None:
    target = SLVector.of(0, 3, 0, 0, 0, 0, 0)
    assert sl.is_required("FR2", 3, target) is True
    assert sl.is_required("FR1", 1, target) is False
    assert sl.is_required("FR3", 1, target) is False


# --- SL-A ------------------------------------------------------------------------------------------------
@given(items_st)
def test_achieved_agrees_with_the_oracle(items: list[ItemState]) -> None:
    assert sl.achieved(items) == oracle(items)


@given(items_st)
def test_achieved_is_within_0_to_4(items: list[ItemState]) -> None:
    assert all(0 <= level <= 4 for level in sl.achieved(items))


@given(items_st, st.data())
def test_satisfying_one_more_item_never_lowers_sl_a(items: list[ItemState], data: st.DataObject) -> None:
    unsatisfied = [n for n, i in enumerate(items) if not i.satisfied]
    if not unsatisfied:
        return
    n = data.draw(st.sampled_from(unsatisfied))
    better = [*items[:n], ItemState(items[n].fr, items[n].level, True), *items[n + 1 :]]
    before, after = sl.achieved(items), sl.achieved(better)
    assert after.meets(before)
    # only the FR of the changed item can move
    assert [fr for fr in FR_CODES if before[fr] != after[fr]] in ([], [items[n].fr])


@given(items_st.map(lambda items: [ItemState(i.fr, i.level, True) for i in items]))
def test_all_satisfied_gives_4(items: list[ItemState]) -> None:
    assert sl.achieved(items) == SLVector.uniform(4)


def test_no_items_gives_4() -> None:
    # The docstring's warning: a missing item counts as satisfied, so callers pass the whole catalogue.
    assert sl.achieved([]) == SLVector.uniform(4)


@given(items_st, frs)
def test_an_unsatisfied_level_1_item_gives_0_for_its_fr(items: list[ItemState], fr: str) -> None:
    result = sl.achieved([*items, ItemState(fr, 1, False)])
    assert result[fr] == 0


@given(items_st, frs, item_levels)
def test_an_unsatisfied_item_caps_its_fr_below_its_level(items: list[ItemState], fr: str, level: int) -> None:
    assert sl.achieved([*items, ItemState(fr, level, False)])[fr] <= level - 1


@given(items_st, frs)
def test_frs_are_independent(items: list[ItemState], fr: str) -> None:
    """Changing the items of one FR leaves the other six FRs' SL-A alone."""
    others = [i for i in items if i.fr != fr]
    flipped = [ItemState(i.fr, i.level, not i.satisfied) if i.fr == fr else i for i in items]
    full, without, changed = sl.achieved(items), sl.achieved(others), sl.achieved(flipped)
    for other in FR_CODES:
        if other != fr:
            assert full[other] == without[other] == changed[other]
    assert without[fr] == 4


@given(items_st, st.randoms(use_true_random=False))
def test_item_order_does_not_matter(items: list[ItemState], random: object) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert sl.achieved(shuffled) == sl.achieved(items)
    assert sl.achieved(list(reversed(items))) == sl.achieved(items)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([ItemState("FR1", 1, True), ItemState("FR1", 2, True), ItemState("FR1", 3, False)], (2, 4, 4, 4, 4, 4, 4)),
        ([ItemState("FR1", 1, True), ItemState("FR1", 2, False), ItemState("FR1", 3, True)], (1, 4, 4, 4, 4, 4, 4)),
        ([ItemState("FR2", 4, False)], (4, 3, 4, 4, 4, 4, 4)),
        ([ItemState("FR7", 1, False), ItemState("FR7", 1, True)], (4, 4, 4, 4, 4, 4, 0)),
        ([ItemState(fr, 2, False) for fr in FR_CODES], (1, 1, 1, 1, 1, 1, 1)),
    ],
)
def test_achieved_examples(items: list[ItemState], expected: tuple[int, ...]) -> None:
    assert sl.achieved(items).levels == expected


# --- gap and standing ----------------------------------------------------------------------------------
@given(vectors, items_st)
def test_gap_is_target_minus_achieved_never_negative(target: SLVector, items: list[ItemState]) -> None:
    standing = sl.standing(target, items)
    assert standing.achieved == sl.achieved(items)
    assert standing.gap.levels == tuple(max(t - a, 0) for t, a in zip(target, standing.achieved, strict=True))
    assert all(g >= 0 for g in standing.gap)
    assert standing.at_target is all(g == 0 for g in standing.gap)
    assert standing.at_target is standing.achieved.meets(target)


@given(vectors, vectors)
def test_gap_is_zero_when_achieved_reaches_target(target: SLVector, extra: SLVector) -> None:
    achieved = target.elementwise_max(extra)  # >= target everywhere
    standing = Standing(target=target, achieved=achieved)
    assert standing.gap == SLVector.uniform(0)
    assert standing.at_target is True


def test_standing_example() -> None:
    standing = Standing(target=SLVector.parse("{2,2,1,1,3,1,2}"), achieved=SLVector.parse("{1,2,4,0,3,0,2}"))
    assert standing.gap == SLVector.parse("{1,0,0,1,0,1,0}")
    assert standing.at_target is False
    assert Standing(target=SLVector.uniform(0), achieved=SLVector.uniform(0)).at_target is True


# --- progress -----------------------------------------------------------------------------------------------
def test_progress_counts_everything_but_not_assessed() -> None:
    statuses = ["not_assessed", "met", "partially_met", "not_met", "not_applicable", "compensated", "not_assessed"]
    result = sl.progress(statuses)
    assert (result.assessed, result.total) == (5, 7)
    assert result.complete is False
    assert sl.progress(iter(["met", "not_met"])) == Progress(assessed=2, total=2)


def test_progress_of_nothing_is_complete() -> None:
    empty = sl.progress([])
    assert (empty.assessed, empty.total, empty.percent, empty.complete) == (0, 0, 100, True)


@pytest.mark.parametrize(
    ("assessed", "total", "percent"),
    [
        (0, 5, 0),
        (5, 5, 100),
        (1, 3, 33),
        (2, 3, 67),
        (1, 8, 13),  # half up, not to even (Python's round() would say 12)
        (3, 8, 38),
        (1, 200, 1),  # 0.5 %: half up
        (1, 1000, 1),  # something was assessed: never shown as 0 %
        (199, 200, 99),  # 99.5 %: not complete, so never shown as 100 %
        (999, 1000, 99),
        (37, 60, 62),
    ],
)
def test_progress_percent_rounding(assessed: int, total: int, percent: int) -> None:
    result = Progress(assessed=assessed, total=total)
    assert result.percent == percent
    assert result.complete is (assessed == total)


def _assessed_of(total: int) -> st.SearchStrategy[int]:
    # the edges are where rounding goes wrong: nearly nothing and nearly everything assessed
    near_end = st.integers(0, min(3, total)).map(lambda missing: total - missing)
    return st.one_of(st.integers(0, total), st.integers(0, min(3, total)), near_end)


@given(st.integers(1, 2000).flatmap(lambda total: st.tuples(_assessed_of(total), st.just(total))))
@example((199, 200))
@example((1, 201))
def test_progress_percent_is_100_only_when_complete(case: tuple[int, int]) -> None:
    assessed, total = case
    result = Progress(assessed=assessed, total=total)
    assert 0 <= result.percent <= 100
    assert (result.percent == 100) is result.complete
    assert (result.percent == 0) is (assessed == 0)
    assert abs(result.percent - 100 * assessed / total) <= 1


# --- the real 3-3 catalogue -------------------------------------------------------------------------------
@pytest.fixture
def items(db: None) -> tuple[CatalogueItem, ...]:
    return catalogue_items(current_catalogue().pk)


def states(items: tuple[CatalogueItem, ...], statuses: dict[str, str]) -> list[ItemState]:
    """Every catalogue item; those not named in `statuses` are not assessed."""
    return [ItemState(i.fr, i.level, sl.is_satisfied(statuses.get(i.ref, sl.NOT_ASSESSED))) for i in items]


def met_up_to(items: tuple[CatalogueItem, ...], fr: str, level: int) -> dict[str, str]:
    return {i.ref: "met" for i in items if i.fr == fr and i.level <= level}


def test_catalogue_counts_per_level(items: tuple[CatalogueItem, ...]) -> None:
    # The primer's self-check: 37 / 60 / 91 / 100 items selected cumulatively at SL1-SL4.
    counts = [sum(1 for i in items if sl.is_required(i.fr, i.level, SLVector.uniform(n))) for n in range(5)]
    assert counts == [0, 37, 60, 91, 100]


def test_fr1_items_up_to_2_met_gives_2(items: tuple[CatalogueItem, ...]) -> None:
    assert any(i.fr == "FR1" and i.level == 3 for i in items)  # unassessed level-3 items exist
    target = SLVector.parse("{2,2,2,2,2,2,2}")
    standing = sl.standing(target, states(items, met_up_to(items, "FR1", 2)))
    assert standing.achieved == SLVector.of(2, 0, 0, 0, 0, 0, 0)
    assert standing.gap == SLVector.of(0, 2, 2, 2, 2, 2, 2)
    assert standing.at_target is False


def test_fr1_one_sl1_item_not_met_gives_0(items: tuple[CatalogueItem, ...]) -> None:
    statuses = {**met_up_to(items, "FR1", 2), "SR 1.1": "not_met"}
    assert sl.achieved(states(items, statuses))["FR1"] == 0


def test_fr1_sl2_re_partially_met_gives_1(items: tuple[CatalogueItem, ...]) -> None:
    assert next(i for i in items if i.ref == "SR 1.1 RE 1").level == 2
    statuses = {**met_up_to(items, "FR1", 2), "SR 1.1 RE 1": "partially_met"}
    assert sl.achieved(states(items, statuses))["FR1"] == 1


def test_fr1_compensated_and_not_applicable_count_as_satisfied(items: tuple[CatalogueItem, ...]) -> None:
    statuses = {**met_up_to(items, "FR1", 2), "SR 1.1": "compensated", "SR 1.1 RE 1": "not_applicable"}
    assert sl.achieved(states(items, statuses))["FR1"] == 2


def test_whole_catalogue_met_reaches_4(items: tuple[CatalogueItem, ...]) -> None:
    standing = sl.standing(SLVector.uniform(4), states(items, {i.ref: "met" for i in items}))
    assert standing.achieved == SLVector.uniform(4)
    assert standing.at_target is True


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)  # `items` is read-only
@given(data=st.data())
def test_catalogue_oracle_with_random_statuses(items: tuple[CatalogueItem, ...], data: st.DataObject) -> None:
    statuses = {i.ref: data.draw(st.sampled_from(ResultStatus.values), label=i.ref) for i in items}
    item_states = states(items, statuses)
    assert sl.achieved(item_states) == oracle(item_states)
