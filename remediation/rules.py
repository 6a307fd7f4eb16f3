"""The documented rules of remediation (docs/decisions/0010-remediation-severity-priority.md):
how severe a generated finding is, how an action's priority follows from the risk it removes
against its effort, and which phase a suggested action lands in. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from remediation.choices import Phase, Severity
from zones.choices import Criticality

# --- severity of a generated finding ------------------------------------------------------------
CRITICALITY_RANK: dict[str, int] = {
    Criticality.LOW: 0,
    Criticality.MEDIUM: 1,
    Criticality.HIGH: 2,
    Criticality.VERY_HIGH: 3,
}
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def severity_for(gap: int, criticality: str) -> Severity:
    """Severity from the size of the FR gap (SL-T - SL-A, 1-4) and the zone's criticality.

    score = gap + criticality rank (low 0, medium 1, high 2, very high 3); 5 or more is critical,
    4 high, 3 medium, 2 or less low. A gap of one level in a very-high zone is as bad as a gap of
    three in a medium one.

        gap \\ criticality   low      medium   high      very high
        1                   low      low      medium    high
        2                   low      medium   high      critical
        3                   medium   high     critical  critical
        4                   high     critical critical  critical
    """
    score = max(gap, 1) + CRITICALITY_RANK.get(criticality, CRITICALITY_RANK[Criticality.MEDIUM])
    if score >= 5:
        return Severity.CRITICAL
    if score == 4:
        return Severity.HIGH
    if score == 3:
        return Severity.MEDIUM
    return Severity.LOW


def conduit_criticality(zone_criticalities: Iterable[str]) -> str:
    """A conduit is as critical as the most critical zone it joins (medium when it joins none)."""
    ranked = [c for c in zone_criticalities if c in CRITICALITY_RANK]
    return max(ranked, key=CRITICALITY_RANK.__getitem__) if ranked else Criticality.MEDIUM


# --- priority of an action -------------------------------------------------------------------------
# Risk points per finding: doubling per level, so one critical finding outweighs three medium ones.
SEVERITY_POINTS: dict[str, int] = {Severity.CRITICAL: 8, Severity.HIGH: 4, Severity.MEDIUM: 2, Severity.LOW: 1}
HIGH_IMPACT_POINTS = 4  # at least one high finding, or two medium ones
LOW_EFFORT_DAYS = Decimal(5)  # a working week of one person
UNKNOWN_EFFORT_DAYS = Decimal(10)  # until someone estimates it: neither a quick win nor a big project
MIN_EFFORT_DAYS = Decimal("0.5")


@dataclass(frozen=True)
class Priority:
    """An action's priority: 1 quick win, 2 major project, 3 fill-in, 4 reconsider; `score` (risk
    points per person-day) orders actions within a band."""

    band: int
    score: float
    risk_reduction: int

    @property
    def label(self) -> str:
        return PRIORITY_LABELS[self.band]


PRIORITY_LABELS = {1: "P1 · quick win", 2: "P2 · major project", 3: "P3 · fill-in", 4: "P4 · reconsider"}


def risk_reduction(severities: Iterable[str]) -> int:
    """The risk points of the findings an action addresses."""
    return sum(SEVERITY_POINTS.get(s, 0) for s in severities)


def priority_for(severities: Iterable[str], effort_days: Decimal | None) -> Priority:
    """The impact/effort matrix: high impact (>= 4 risk points) and low effort (<= 5 person-days)
    is a quick win (P1); high impact and more effort a major project (P2); low impact and low
    effort a fill-in (P3); low impact and high effort is worth reconsidering (P4)."""
    points = risk_reduction(severities)
    effort = UNKNOWN_EFFORT_DAYS if effort_days is None else max(Decimal(effort_days), MIN_EFFORT_DAYS)
    high_impact = points >= HIGH_IMPACT_POINTS
    low_effort = effort <= LOW_EFFORT_DAYS
    band = (1 if low_effort else 2) if high_impact else (3 if low_effort else 4)
    return Priority(band=band, score=round(float(points / effort), 3), risk_reduction=points)


# --- suggested actions ---------------------------------------------------------------------------
# Effort of closing one requirement on one zone or conduit, by the lowest level of what is missing:
# level-1 items are mostly configuration and procedure; level 3 and 4 usually mean new technology.
EFFORT_PER_TARGET: dict[int, Decimal] = {1: Decimal(2), 2: Decimal(5), 3: Decimal(15), 4: Decimal(30)}


def suggested_effort(levels: Iterable[int], targets: int) -> Decimal:
    """Person-days to close one SR (with its REs) on `targets` zones or conduits: the effort of the
    deepest missing item per target, each further target at half the effort (the work repeats)."""
    deepest = max(levels, default=1)
    per_target = EFFORT_PER_TARGET.get(deepest, EFFORT_PER_TARGET[4])
    return per_target + per_target * Decimal(max(targets - 1, 0)) / 2


def suggested_phase(severities: Iterable[str], effort_days: Decimal) -> Phase:
    """Quick wins first; then by the worst severity: critical within 3 months, high and medium
    within a year, low later."""
    severity_list = list(severities)
    priority = priority_for(severity_list, effort_days)
    if priority.band == 1:
        return Phase.QUICK_WIN
    worst = min((SEVERITY_ORDER.index(Severity(s)) for s in severity_list), default=len(SEVERITY_ORDER) - 1)
    if SEVERITY_ORDER[worst] == Severity.CRITICAL:
        return Phase.SHORT_TERM
    if SEVERITY_ORDER[worst] in (Severity.HIGH, Severity.MEDIUM):
        return Phase.MID_TERM
    return Phase.LONG_TERM


# When a phase's work starts and is due, counted from the day the roadmap is made.
PHASE_WINDOWS: dict[str, tuple[int, int]] = {
    Phase.QUICK_WIN: (0, 1),
    Phase.SHORT_TERM: (0, 3),
    Phase.MID_TERM: (3, 12),
    Phase.LONG_TERM: (12, 18),
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1), next_month - timedelta(1))


def phase_window(phase: str, today: date) -> tuple[date, date]:
    """Planned start and due date of work suggested in `phase`."""
    start, end = PHASE_WINDOWS[phase]
    return add_months(today, start), add_months(today, end)
