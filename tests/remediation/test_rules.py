"""The documented rules: severity of a generated finding, priority of an action, suggested
effort, phase and dates (docs/decisions/0010-remediation-severity-priority.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from remediation import rules
from remediation.choices import Phase, Severity

# The table of the decision record, row by row: gap 1-4 against low, medium, high, very high.
SEVERITY_TABLE = {
    1: ("low", "low", "medium", "high"),
    2: ("low", "medium", "high", "critical"),
    3: ("medium", "high", "critical", "critical"),
    4: ("high", "critical", "critical", "critical"),
}
CRITICALITIES = ("low", "medium", "high", "very_high")


@pytest.mark.parametrize("gap", [1, 2, 3, 4])
@pytest.mark.parametrize("column", range(4))
def test_severity_matrix(gap: int, column: int) -> None:
    assert rules.severity_for(gap, CRITICALITIES[column]) == SEVERITY_TABLE[gap][column]


def test_severity_grows_with_gap_and_criticality() -> None:
    rank = {s: n for n, s in enumerate(reversed(rules.SEVERITY_ORDER))}
    for crit in CRITICALITIES:
        levels = [rank[rules.severity_for(g, crit)] for g in range(1, 5)]
        assert levels == sorted(levels)
    for gap in range(1, 5):
        levels = [rank[rules.severity_for(gap, c)] for c in CRITICALITIES]
        assert levels == sorted(levels)


def test_a_gap_below_one_counts_as_one_and_unknown_criticality_as_medium() -> None:
    assert rules.severity_for(0, "very_high") == Severity.HIGH
    assert rules.severity_for(2, "nonsense") == Severity.MEDIUM


def test_conduit_is_as_critical_as_its_most_critical_zone() -> None:
    assert rules.conduit_criticality(["low", "very_high", "medium"]) == "very_high"
    assert rules.conduit_criticality(["low"]) == "low"
    assert rules.conduit_criticality([]) == "medium"


# --- priority --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("severities", "effort", "band"),
    [
        (["high"], Decimal(5), 1),  # high impact, low effort: quick win
        (["critical"], Decimal("0.5"), 1),
        (["medium", "medium"], Decimal(2), 1),  # two medium = 4 points: high impact
        (["high"], Decimal("5.5"), 2),  # high impact, more effort: major project
        (["critical", "critical"], Decimal(40), 2),
        (["medium"], Decimal(5), 3),  # low impact, low effort: fill-in
        (["low", "low", "low"], Decimal(1), 3),
        (["medium"], Decimal(20), 4),  # low impact, high effort: reconsider
        ([], Decimal(1), 3),  # nothing addressed yet
        (["high"], None, 2),  # not estimated: counts as 10 days, not a quick win
    ],
)
def test_priority_bands(severities: list[str], effort: Decimal | None, band: int) -> None:
    assert rules.priority_for(severities, effort).band == band


def test_priority_score_is_risk_points_per_person_day() -> None:
    priority = rules.priority_for(["critical", "high", "low"], Decimal(4))
    assert priority.risk_reduction == 8 + 4 + 1
    assert priority.score == pytest.approx(13 / 4)
    assert priority.label == "P1 · quick win"  # 4 days is low effort
    assert rules.priority_for(["high"], Decimal(0)).score == 8.0  # effort floored at half a day


def test_quick_wins_sort_first() -> None:
    quick = rules.priority_for(["high"], Decimal(2))
    big = rules.priority_for(["critical", "critical"], Decimal(30))
    filler = rules.priority_for(["low"], Decimal(1))
    ordered = sorted([filler, big, quick], key=lambda p: (p.band, -p.score))
    assert ordered == [quick, big, filler]


# --- suggestions -----------------------------------------------------------------------------------
def test_suggested_effort_by_deepest_level_and_number_of_targets() -> None:
    assert rules.suggested_effort([1], 1) == Decimal(2)
    assert rules.suggested_effort([1, 2], 1) == Decimal(5)
    assert rules.suggested_effort([3], 3) == Decimal(15) + Decimal(15)  # two more targets at half
    assert rules.suggested_effort([], 1) == Decimal(2)


@pytest.mark.parametrize(
    ("severities", "effort", "phase"),
    [
        (["high"], Decimal(2), Phase.QUICK_WIN),
        (["critical"], Decimal(15), Phase.SHORT_TERM),
        (["high", "low"], Decimal(15), Phase.MID_TERM),
        (["medium"], Decimal(2), Phase.MID_TERM),
        (["low"], Decimal(2), Phase.LONG_TERM),
    ],
)
def test_suggested_phase(severities: list[str], effort: Decimal, phase: Phase) -> None:
    assert rules.suggested_phase(severities, effort) == phase


def test_phase_windows_from_today() -> None:
    today = date(2026, 11, 25)
    assert rules.phase_window(Phase.QUICK_WIN, today) == (today, date(2026, 12, 25))
    assert rules.phase_window(Phase.SHORT_TERM, today) == (today, date(2027, 2, 25))
    assert rules.phase_window(Phase.MID_TERM, today) == (date(2027, 2, 25), date(2027, 11, 25))
    assert rules.phase_window(Phase.LONG_TERM, today) == (date(2027, 11, 25), date(2028, 5, 25))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
        (date(2026, 5, 5), 24, date(2028, 5, 5)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert rules.add_months(day, months) == expected
