"""The six KPIs asset owners report, each defined once: key, name, definition, unit, target, direction and
amber threshold in the table kpis.yaml, and here the function that measures it for an organization or a site
at a month's end.

The dashboard, the API, the monthly snapshots and the reports all go through `kpis_for` (one period) or
`kpi_series` (several), so a number never means two things. Each KPI reads its rows once (`load`) and
measures any period from them (`compute`): only dates decide what a period counts, which is what makes
any past month computable on demand. docs/decisions/0012-kpi-definitions.md explains the choices.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

from assessments.models import Assessment, Result
from assessments.selectors import COUNTING_RANK, counting_key, pinned_items
from compliance import sl
from program.choices import REMEDIATED, Direction, ExerciseOutcome, Rag, Severity, VulnerabilityStatus
from program.models import Exercise, TrainingRecord, Vulnerability
from program.periods import (
    RECENT_MONTHS,
    WINDOW_MONTHS,
    Period,
    Scope,
    add_months,
    last_months,
    month_end,
    parse_month,
    period_for,
)
from remediation.models import Finding
from zones.models import Zone

# Re-exported: callers take the whole KPI vocabulary from this module.
__all__ = [
    "BY_KEY", "KEYS", "KPIS", "RECENT_MONTHS", "WINDOW_MONTHS", "Kpi", "KpiValue", "Measure", "Period", "Scope",
    "add_months", "kpi_series", "kpis_for", "last_months", "month_end", "parse_month", "period_for",
]  # fmt: skip
ONE_DAY = timedelta(days=1)


# --- values -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """A KPI's value for one period, with the counts behind it (`detail` is JSON-safe)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    summary: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it means, what good looks like, and how to measure it."""

    key: str
    name: str
    definition: str
    unit: str  # "%", "days" or "" (a count)
    target: float
    amber: float  # the threshold between amber and red
    direction: Direction
    load: Callable[[Scope, Period], Any]
    compute: Callable[[Any, Period], Measure]

    def measure(self, scope: Scope, period: Period) -> Measure:
        return self.compute(self.load(scope, period), period)

    def rag(self, value: float | None) -> Rag:
        if value is None:
            return Rag.NONE
        if self.direction == Direction.HIGHER:
            return Rag.GREEN if value >= self.target else Rag.AMBER if value >= self.amber else Rag.RED
        return Rag.GREEN if value <= self.target else Rag.AMBER if value <= self.amber else Rag.RED

    def format(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.unit == "%":
            return f"{value:.0f}%" if value in (0, 100) else f"{value:.1f}%"
        if self.unit == "days":
            return f"{value:.1f} days"
        return f"{value:g}"

    def _threshold(self, value: float) -> str:
        text = f"{value:g}"
        return f"{text}%" if self.unit == "%" else f"{text} days" if self.unit == "days" else text

    @property
    def target_text(self) -> str:
        sign = "≥" if self.direction == Direction.HIGHER else "≤"
        return f"target {sign} {self._threshold(self.target)}, amber {sign} {self._threshold(self.amber)}"

    def as_api(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "definition": self.definition,
            "unit": self.unit,
            "target": self.target,
            "amber": self.amber,
            "direction": self.direction.value,
        }


@dataclass(frozen=True)
class KpiValue:
    """A KPI measured for one scope and period; `source` says whether it was computed now or read from the
    snapshot taken when the month closed."""

    kpi: Kpi
    period: Period
    measure: Measure
    source: str = "computed"

    @property
    def value(self) -> float | None:
        return self.measure.value

    @property
    def rag(self) -> Rag:
        return self.kpi.rag(self.measure.value)

    @property
    def display(self) -> str:
        return self.kpi.format(self.measure.value)

    def as_api(self) -> dict[str, Any]:
        return {
            **self.kpi.as_api(),
            "value": self.measure.value,
            "rag": self.rag.value,
            "numerator": self.measure.numerator,
            "denominator": self.measure.denominator,
            "summary": self.measure.summary,
            "detail": self.measure.detail,
            "source": self.source,
        }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


# --- 1. zones at their SL-T ------------------------------------------------------------------------------
# The assessment that speaks for a zone is assessments.selectors' counting rule, applied here to the
# history as it stood at the period's end.


def _zones_load(scope: Scope, period: Period) -> Scope:
    return scope  # the assessment history is read per period, at its moment


def _zones_compute(scope: Scope, period: Period) -> Measure:
    moment = period.moment
    # Rows in history order, so that of two saves in the same instant the later one wins in the dicts.
    in_order = ("history_date", "history_id")
    zone_rows = Zone.history.as_of(moment).filter(scope.where("site")).order_by(*in_order)
    by_id = {z["id"]: z for z in zone_rows.values("id", "name", "sl_target")}
    zones = sorted(
        (z for z in by_id.values() if z["sl_target"] and z["sl_target"].max_level > 0), key=lambda z: z["name"]
    )
    assessment_rows = Assessment.history.as_of(moment).filter(scope.where("site")).order_by(*in_order)
    assessments = {
        a["id"]: a
        for a in assessment_rows.values(
            "id", "title", "status", "signed_off_at", "created", "catalogue_id", "level_overrides"
        )
    }
    assessments = {pk: a for pk, a in assessments.items() if a["status"] in COUNTING_RANK}
    statuses: dict[tuple[uuid.UUID, uuid.UUID], dict[uuid.UUID, str]] = {}
    in_scope: set[tuple[uuid.UUID, uuid.UUID]] = set()
    if assessments:
        rows = (
            Result.history.filter(assessment_id__in=list(assessments), zone_id__isnull=False, history_date__lte=moment)
            .latest_of_each()
            .exclude(history_type="-")
            .order_by(*in_order)
            .values_list("assessment_id", "zone_id", "requirement_id", "status", "in_scope")
        )
        latest = {(a, z, req): (status, scoped) for a, z, req, status, scoped in rows}
        for (assessment_id, zone_id, requirement_id), (status, scoped) in latest.items():
            statuses.setdefault((assessment_id, zone_id), {})[requirement_id] = status
            if scoped:
                in_scope.add((assessment_id, zone_id))
    at_target = assessed = 0
    per_zone = []
    for zone in zones:
        candidates = [assessments[a] for a, z in in_scope if z == zone["id"]]
        if not candidates:
            per_zone.append({"zone": str(zone["id"]), "name": zone["name"], "assessment": None, "at_target": False})
            continue
        chosen = max(candidates, key=lambda a: counting_key(a["status"], a["signed_off_at"], a["created"]) or (0,))
        status_of = statuses[(chosen["id"], zone["id"])]
        items = pinned_items(chosen["catalogue_id"], chosen["level_overrides"])  # the levels it pinned (0032)
        states = [sl.ItemState(i.fr, i.level, sl.is_satisfied(status_of.get(i.id, sl.NOT_ASSESSED))) for i in items]
        standing = sl.standing(zone["sl_target"], states)
        assessed += 1
        at_target += standing.at_target
        per_zone.append(
            {
                "zone": str(zone["id"]),
                "name": zone["name"],
                "assessment": str(chosen["id"]),
                "assessment_title": chosen["title"],
                "assessment_status": chosen["status"],
                "at_target": standing.at_target,
                "gap": standing.gap.compact(),
            }
        )
    total = len(zones)
    if not total:
        return Measure(None, 0, 0, "No zone with a target security level yet.", {"zones": per_zone})
    if not assessed:
        summary = f"No assessment yet of the {_plural(total, 'zone')} with a target."
        return Measure(None, 0, total, summary, {"zones": per_zone})
    summary = f"{at_target} of {_plural(total, 'zone')} at target; {total - assessed} not assessed yet"
    if assessed == total:
        summary = f"{at_target} of {_plural(total, 'zone')} at target"
    return Measure(_percent(at_target, total), at_target, total, summary, {"zones": per_zone})


# --- 2 and 3. critical vulnerabilities ----------------------------------------------------------------------
def _critical_load(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = Vulnerability.objects.filter(scope.where("asset__zone__site"), severity=Severity.CRITICAL)
    return [dict(r) for r in rows.filter(found__lte=period.end).values("found", "fixed", "status")]


def _remediated_by(row: dict[str, Any], day: date) -> bool:
    return row["status"] in REMEDIATED and row["fixed"] is not None and row["fixed"] <= day


def _remediated_compute(rows: list[dict[str, Any]], period: Period) -> Measure:
    cohort = [r for r in rows if r["found"] <= period.end and not _remediated_by(r, period.window_start - ONE_DAY)]
    done = [r for r in cohort if _remediated_by(r, period.end)]
    by_status = Counter(r["status"] for r in done)
    detail = {
        "fixed": by_status[VulnerabilityStatus.FIXED],
        "mitigated": by_status[VulnerabilityStatus.MITIGATED],
        "not_remediated": len(cohort) - len(done),
    }
    if not cohort:
        return Measure(None, 0, 0, "No critical vulnerability open in the last 12 months.", detail)
    summary = f"{len(done)} of {_plural(len(cohort), 'critical vulnerability', 'critical vulnerabilities')} remediated"
    return Measure(_percent(len(done), len(cohort)), len(done), len(cohort), summary, detail)


def _mttp_compute(rows: list[dict[str, Any]], period: Period) -> Measure:
    days = sorted(
        (r["fixed"] - r["found"]).days
        for r in rows
        if r["status"] == VulnerabilityStatus.FIXED and r["fixed"] and period.recent_start <= r["fixed"] <= period.end
    )
    if not days:
        return Measure(None, 0, 0, "No critical vulnerability patched in the last 3 months.", {"patched": 0})
    detail = {"patched": len(days), "shortest": days[0], "longest": days[-1]}
    summary = f"{_plural(len(days), 'critical patch', 'critical patches')} in the last 3 months"
    return Measure(round(sum(days) / len(days), 1), sum(days), len(days), summary, detail)


# --- 4. training ------------------------------------------------------------------------------------------
def _training_load(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = TrainingRecord.objects.filter(scope.where("site"), period_end__lte=period.end)
    return [dict(r) for r in rows.values("site_id", "programme", "period_end", "people_required", "people_completed")]


def _training_compute(rows: list[dict[str, Any]], period: Period) -> Measure:
    latest: dict[tuple[Any, str], dict[str, Any]] = {}
    for r in rows:
        if period.window_start <= r["period_end"] <= period.end:
            key = (r["site_id"], r["programme"].casefold())
            if key not in latest or r["period_end"] > latest[key]["period_end"]:
                latest[key] = r
    required = sum(r["people_required"] for r in latest.values())
    completed = sum(r["people_completed"] for r in latest.values())
    counts = [
        {
            "site": str(r["site_id"]),
            "programme": r["programme"],
            "period_end": r["period_end"].isoformat(),
            "required": r["people_required"],
            "completed": r["people_completed"],
        }
        for r in sorted(latest.values(), key=lambda r: (r["programme"], r["period_end"]))
    ]
    if not required:
        return Measure(None, 0, 0, "No training count in the last 12 months.", {"counts": counts})
    summary = f"{completed} of {_plural(required, 'person', 'people')} trained"
    return Measure(_percent(completed, required), completed, required, summary, {"counts": counts})


# --- 5. exercises -----------------------------------------------------------------------------------------
OUTCOME_WORDS = {"met": "met", "partially_met": "partly met", "not_met": "not met"}


def _exercises_load(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = Exercise.objects.filter(scope.where("site"), held_on__lte=period.end)
    return [dict(r) for r in rows.values("held_on", "outcome")]


def _exercises_compute(rows: list[dict[str, Any]], period: Period) -> Measure:
    held = sorted((r for r in rows if period.window_start <= r["held_on"] <= period.end), key=lambda r: r["held_on"])
    outcomes = Counter(r["outcome"] for r in held)
    detail: dict[str, Any] = {"outcomes": {o.value: outcomes[o.value] for o in ExerciseOutcome}}
    if held:
        detail["last"] = {"held_on": held[-1]["held_on"].isoformat(), "outcome": held[-1]["outcome"]}
    words = ", ".join(f"{outcomes[o.value]} {OUTCOME_WORDS[o.value]}" for o in ExerciseOutcome if outcomes[o.value])
    summary = f"{_plural(len(held), 'exercise')} in 12 months" + (f" (objectives {words})" if words else "")
    return Measure(float(len(held)), len(held), None, summary, detail)


# --- 6. third-party audit findings ---------------------------------------------------------------------------
def _audit_load(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = Finding.objects.filter(scope.where("site"), source="third_party_audit", identified__lte=period.end)
    return [dict(r) for r in rows.values("identified", "resolved_at", "status")]


def _resolved_by(row: dict[str, Any], period: Period) -> bool:
    if row["status"] != "resolved":
        return False
    # A resolved finding without a date is known to be resolved now, not when.
    return row["resolved_at"] <= period.end if row["resolved_at"] else period.to_date


def _audit_compute(rows: list[dict[str, Any]], period: Period) -> Measure:
    cohort = [
        r
        for r in rows
        if r["identified"] <= period.end
        and not (r["status"] == "resolved" and r["resolved_at"] and r["resolved_at"] < period.window_start)
    ]
    resolved = sum(1 for r in cohort if _resolved_by(r, period))
    detail: dict[str, Any] = {"resolved": resolved, "not_resolved": len(cohort) - resolved}
    if period.to_date:
        detail["by_status"] = dict(Counter(r["status"] for r in cohort))
    if not cohort:
        return Measure(None, 0, 0, "No third-party audit finding open in the last 12 months.", detail)
    summary = f"{resolved} of {_plural(len(cohort), 'audit finding')} resolved"
    return Measure(_percent(resolved, len(cohort)), resolved, len(cohort), summary, detail)


# --- the six ------------------------------------------------------------------------------------------------
# What each KPI means and its thresholds are a table (kpis.yaml); how each is measured is here.
MEASURES: dict[str, tuple[Callable[[Scope, Period], Any], Callable[[Any, Period], Measure]]] = {
    "zones_at_target": (_zones_load, _zones_compute),
    "critical_vulnerabilities_remediated": (_critical_load, _remediated_compute),
    "mean_time_to_patch_critical": (_critical_load, _mttp_compute),
    "training_completion": (_training_load, _training_compute),
    "incident_response_exercises": (_exercises_load, _exercises_compute),
    "audit_findings_resolved": (_audit_load, _audit_compute),
}


def read_kpis(path: Path) -> tuple[Kpi, ...]:
    """The KPIs of the table at `path`, in its order, each with its measure from MEASURES. A KPI without a
    measure, or a measure without a KPI, stops the app at start-up rather than a dashboard later."""
    rows: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys = [row["key"] for row in rows]
    if sorted(keys) != sorted(MEASURES):
        raise ImproperlyConfigured(f"{path.name} defines {', '.join(keys)}; the measures are {', '.join(MEASURES)}.")
    return tuple(
        Kpi(**{**row, "direction": Direction(row["direction"])}, load=MEASURES[key][0], compute=MEASURES[key][1])
        for row, key in zip(rows, keys, strict=True)
    )


KPIS: tuple[Kpi, ...] = read_kpis(Path(__file__).with_name("kpis.yaml"))
BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in KPIS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def kpis_for(scope: Scope, as_of: date | Period) -> list[KpiValue]:
    """The six KPIs of `scope` for the month of `as_of` (a day in it, or its Period), computed now."""
    period = as_of if isinstance(as_of, Period) else period_for(as_of)
    return [KpiValue(kpi, period, kpi.measure(scope, period)) for kpi in KPIS]


def kpi_series(scope: Scope, periods: Sequence[Period], kpis: Iterable[Kpi] = KPIS) -> dict[str, list[KpiValue]]:
    """Each KPI for each period (oldest first), reading each KPI's rows once for all the periods."""
    if not periods:
        return {kpi.key: [] for kpi in kpis}
    latest = max(periods, key=lambda p: p.end)
    series: dict[str, list[KpiValue]] = {}
    for kpi in kpis:
        data = kpi.load(scope, latest)
        series[kpi.key] = [KpiValue(kpi, p, kpi.compute(data, p)) for p in periods]
    return series
