"""The risk rule (risk/rules.py) against an oracle written from the issue's text, plus exhaustive small cases.

The oracle is deliberately naive: it reads the sentences of issue 15 one by one ("a scenario's unmitigated risk
is ranks[likelihood-1][consequence-1]; it exceeds tolerable risk when that rank is greater than tolerable_rank.
The proposed SL-T of a zone or conduit, per FR, is the highest capability of the threat sources of its
scenarios that exceed tolerable risk and name that FR, and never below the assessment's baseline_sl")."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk import defaults, rules

FRS = ["FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7"]
CATEGORIES = ["safety", "environment", "production", "financial", "reputation", "regulatory"]
TARGETS = ["zone-a", "zone-b", "conduit-c"]
DEFAULT = rules.Matrix.of(defaults.RANKS, defaults.TOLERABLE_RANK)


# --- the oracle: plain dicts, the words ---------------------------------------------------------
def o_consequence(s: dict[str, Any]) -> int:
    return max(s["consequence"].values())  # "the scenario's consequence is the highest"


def o_exceeds(ranks: list[list[int]], tolerable: int, likelihood: int, consequence: int) -> bool:
    if consequence == 0:  # no consequence at all: nothing to tolerate (decision 0024)
        return False
    return ranks[likelihood - 1][consequence - 1] > tolerable


def o_proposal(
    ranks: list[list[int]], tolerable: int, baseline: int, scenarios: list[dict[str, Any]], target: str
) -> tuple[list[int], set[tuple[str, int, str, str]]]:
    levels, reasons = [], set()
    for fr in FRS:
        mine = [
            s
            for s in scenarios
            if s["target"] == target and fr in s["frs"] and o_exceeds(ranks, tolerable, s["l"], o_consequence(s))
        ]
        level = baseline
        for s in mine:
            if s["capability"] > level:
                level = s["capability"]
        levels.append(level)
        reasons |= {(fr, level, s["id"], s["source"]) for s in mine if s["capability"] == level}
    return levels, reasons


def o_residual_needs_more(ranks: list[list[int]], tolerable: int, s: dict[str, Any]) -> bool:
    likelihood = s["rl"] if s["rl"] is not None else s["l"]
    consequence = s["rc"] if s["rc"] is not None else o_consequence(s)
    return o_exceeds(ranks, tolerable, likelihood, consequence)


# --- strategies -------------------------------------------------------------------------------------------
ranks_st = st.lists(st.lists(st.integers(1, 5), min_size=5, max_size=5), min_size=5, max_size=5)
scenario_st = st.fixed_dictionaries(
    {
        "target": st.sampled_from(TARGETS),
        "source": st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
        "capability": st.integers(1, 4),
        "frs": st.sets(st.sampled_from(FRS), min_size=1),
        "l": st.integers(1, 5),
        "consequence": st.fixed_dictionaries({c: st.integers(0, 5) for c in CATEGORIES}),
        "rl": st.none() | st.integers(1, 5),
        "rc": st.none() | st.integers(0, 5),
    }
)
scenarios_st = st.lists(scenario_st, max_size=12).map(lambda xs: [{**s, "id": f"sc{i}"} for i, s in enumerate(xs)])


def as_rule(s: dict[str, Any]) -> rules.Scenario:
    return rules.Scenario(
        id=s["id"],
        target=s["target"],
        threat_source=s["source"],
        capability=s["capability"],
        frs=frozenset(s["frs"]),
        likelihood=s["l"],
        consequence=rules.worst_consequence(s["consequence"]),
        residual_likelihood=s["rl"],
        residual_consequence=s["rc"],
    )


# --- properties -------------------------------------------------------------------------------------------
@given(ranks=ranks_st, tolerable=st.integers(1, 5), baseline=st.integers(0, 4), scenarios=scenarios_st)
def test_proposal_matches_the_oracle(
    ranks: list[list[int]], tolerable: int, baseline: int, scenarios: list[dict[str, Any]]
) -> None:
    matrix = rules.Matrix.of(ranks, tolerable)
    proposals = rules.propose(matrix, baseline, [as_rule(s) for s in scenarios], TARGETS)
    assert set(proposals) == set(TARGETS)
    for target in TARGETS:
        levels, reasons = o_proposal(ranks, tolerable, baseline, scenarios, target)
        got = proposals[target]
        assert list(got.levels) == levels
        assert {(r.fr, r.level, r.scenario, r.threat_source) for r in got.reasons} == reasons
        assert len(got.reasons) == len(reasons)  # no reason twice


@given(ranks=ranks_st, tolerable=st.integers(1, 5), scenarios=scenarios_st)
def test_evaluation_matches_the_oracle(ranks: list[list[int]], tolerable: int, scenarios: list[dict[str, Any]]) -> None:
    matrix = rules.Matrix.of(ranks, tolerable)
    for s in scenarios:
        result = rules.evaluate(matrix, as_rule(s))
        assert result.exceeds == o_exceeds(ranks, tolerable, s["l"], o_consequence(s))
        assert result.needs_additional_countermeasures == o_residual_needs_more(ranks, tolerable, s)


@given(ranks=ranks_st, tolerable=st.integers(1, 5), scenarios=scenarios_st)
def test_initial_risk_takes_the_threat_as_succeeding(
    ranks: list[list[int]], tolerable: int, scenarios: list[dict[str, Any]]
) -> None:
    matrix = rules.Matrix.of(ranks, tolerable)
    initial = rules.initial_risk(matrix, [as_rule(s) for s in scenarios], TARGETS)
    for target in TARGETS:
        worst = max((o_consequence(s) for s in scenarios if s["target"] == target), default=0)
        assert initial[target].worst_consequence == worst
        assert initial[target].above_tolerable == o_exceeds(ranks, tolerable, 5, worst)


@given(
    ranks=ranks_st, tolerable=st.integers(1, 4), baseline=st.integers(0, 4), scenarios=scenarios_st, extra=scenario_st
)
def test_more_threat_or_less_tolerance_never_lowers_a_level(
    ranks: list[list[int]], tolerable: int, baseline: int, scenarios: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    before = rules.propose(rules.Matrix.of(ranks, tolerable + 1), baseline, [as_rule(s) for s in scenarios], TARGETS)
    stricter = rules.propose(rules.Matrix.of(ranks, tolerable), baseline, [as_rule(s) for s in scenarios], TARGETS)
    more = [*scenarios, {**extra, "id": "extra"}]
    added = rules.propose(rules.Matrix.of(ranks, tolerable + 1), baseline, [as_rule(s) for s in more], TARGETS)
    for target in TARGETS:
        assert stricter[target].levels.meets(before[target].levels)
        assert added[target].levels.meets(before[target].levels)
        assert min(before[target].levels) >= baseline


# --- exhaustive small cases ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("likelihood", "consequence"), list(itertools.product(range(1, 6), range(0, 6))))
def test_default_matrix_every_cell(likelihood: int, consequence: int) -> None:
    rank = DEFAULT.rank(likelihood, consequence)
    if consequence == 0:
        assert rank == 0 and not DEFAULT.exceeds(rank)
    else:
        assert rank == defaults.RANKS[likelihood - 1][consequence - 1]
        assert DEFAULT.exceeds(rank) == (rank > defaults.TOLERABLE_RANK)


def test_default_matrix_is_monotonic_and_symmetric() -> None:
    r = defaults.RANKS
    for i, j in itertools.product(range(5), range(5)):
        assert r[i][j] == r[j][i]
        assert i == 4 or r[i + 1][j] >= r[i][j]
        assert j == 4 or r[i][j + 1] >= r[i][j]
    assert not rules.matrix_errors(r, defaults.TOLERABLE_RANK)


@pytest.mark.parametrize("capability", [1, 2, 3, 4])
@pytest.mark.parametrize("baseline", [0, 1, 2, 3, 4])
def test_one_exceeding_scenario_on_one_fr(capability: int, baseline: int) -> None:
    s = rules.Scenario("s", "z", "src", capability, frozenset({"FR5"}), 5, 5)
    proposal = rules.propose(DEFAULT, baseline, [s])["z"]
    assert proposal.levels["FR5"] == max(capability, baseline)
    assert all(proposal.levels[fr] == baseline for fr in FRS if fr != "FR5")
    expected = [rules.Reason("FR5", capability, "s", "src")] if capability >= baseline else []
    assert list(proposal.reasons) == expected


def test_a_tolerable_scenario_sets_nothing() -> None:
    s = rules.Scenario("s", "z", "src", 4, frozenset(FRS), 1, 1)  # rank 1 <= tolerable 2
    assert list(rules.propose(DEFAULT, 1, [s])["z"].levels) == [1] * 7
    assert rules.propose(DEFAULT, 1, [s])["z"].reasons == ()


@pytest.mark.parametrize("likelihood", range(1, 6))
def test_no_consequence_never_exceeds_even_in_the_harshest_matrix(likelihood: int) -> None:
    harsh = rules.Matrix.of([[5] * 5] * 5, 1)
    s = rules.Scenario("s", "z", "src", 4, frozenset(FRS), likelihood, 0)
    assert rules.evaluate(harsh, s) == rules.Evaluation(0, False, 0, False)


def test_residual_falls_back_to_the_unmitigated_values() -> None:
    s = rules.Scenario("s", "z", "src", 3, frozenset(FRS), 4, 4, residual_likelihood=1)
    result = rules.evaluate(DEFAULT, s)
    assert (result.rank, result.exceeds) == (4, True)
    assert (result.residual_rank, result.needs_additional_countermeasures) == (2, False)  # ranks[0][3]
    still = rules.evaluate(DEFAULT, rules.Scenario("s", "z", "src", 3, frozenset(FRS), 4, 4, residual_consequence=3))
    assert (still.residual_rank, still.needs_additional_countermeasures) == (4, True)  # ranks[3][2]


@pytest.mark.parametrize(
    ("ranks", "tolerable", "field"),
    [
        ([[1] * 5] * 4, 2, "ranks"),
        ([[1] * 5] * 4 + [[1] * 4], 2, "ranks"),
        ([[1] * 5] * 4 + [[1, 1, 1, 1, 6]], 2, "ranks"),
        ([[1] * 5] * 4 + [[1, 1, 1, 1, 0]], 2, "ranks"),
        ([[1] * 5] * 4 + [[1, 1, 1, 1, True]], 2, "ranks"),
        ("not a matrix", 2, "ranks"),
        ([[1] * 5] * 5, 0, "tolerable_rank"),
        ([[1] * 5] * 5, 6, "tolerable_rank"),
    ],
)
def test_bad_matrices_are_refused(ranks: Any, tolerable: Any, field: str) -> None:
    assert field in rules.matrix_errors(ranks, tolerable)
    with pytest.raises(rules.RiskInputError):
        rules.Matrix.of(ranks if isinstance(ranks, list) else [], tolerable)


@pytest.mark.parametrize(
    ("consequence", "field"),
    [({"safety": -1}, "safety"), ({"safety": 6}, "safety"), ({"safety": "3"}, "safety"), ({"beauty": 1}, "__all__")],
)
def test_bad_consequences_are_refused(consequence: dict[str, Any], field: str) -> None:
    assert field in rules.consequence_errors(consequence)


def test_worst_consequence_is_the_highest_category() -> None:
    assert rules.worst_consequence({"safety": 1, "financial": 4}) == 4
    assert rules.worst_consequence({}) == 0
