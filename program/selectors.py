"""Reads for the program pages and API: which KPI scopes a person may see, the KPI values and trends of
a scope (snapshots where the month closed with one, computed otherwise) and the data lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import Action, AnyUser, organizations_for
from accounts.models import Membership, Organization
from program import charts
from program.kpis import KPIS, Kpi, KpiValue, Measure, Period, Scope, kpi_series, last_months, period_for
from program.models import Exercise, KpiSnapshot, TrainingRecord, Vulnerability
from zones.models import Site

TREND_MONTHS = 12


# --- scopes ---------------------------------------------------------------------------------------------
def organizations_with_whole_view(user: AnyUser) -> QuerySet[Organization]:
    """Organizations whose every site the user sees: only those have an organization-wide dashboard, since
    its numbers add up sites that a person limited to some sites must not learn about."""
    whole = Membership.objects.filter(user_id=str(user.pk), all_sites=True).values("organization_id")
    return organizations_for(user, Action.VIEW).filter(pk__in=whole)


def kpi_scopes(user: AnyUser) -> list[dict[str, Any]]:
    """For the index page: each organization the user belongs to, whether it has a dashboard for them,
    and the sites they see."""
    whole = set(organizations_with_whole_view(user).values_list("pk", flat=True))
    sites = Site.objects.restrict(user, Action.VIEW).select_related("organization").order_by("name")
    rows = []
    for org in organizations_for(user, Action.VIEW).order_by("name"):
        rows.append(
            {"organization": org, "whole": org.pk in whole, "sites": [s for s in sites if s.organization_id == org.pk]}
        )
    return rows


# --- KPI values -------------------------------------------------------------------------------------------
def _snapshots(scope: Scope, months: list[date]) -> dict[tuple[date, str], KpiSnapshot]:
    rows = KpiSnapshot.objects.filter(organization=scope.organization, month__in=months)
    rows = rows.filter(site=scope.site) if scope.site is not None else rows.filter(site__isnull=True)
    return {(s.month, s.key): s for s in rows}


def _from_snapshot(kpi: Kpi, period: Period, snapshot: KpiSnapshot) -> KpiValue:
    detail = dict(snapshot.detail)
    summary = str(detail.pop("summary", ""))
    measure = Measure(snapshot.value, snapshot.numerator, snapshot.denominator, summary, detail)
    return KpiValue(kpi, period, measure, source="snapshot")


def kpi_trends(scope: Scope, until: date, months: int = TREND_MONTHS) -> dict[str, list[KpiValue]]:
    """Each KPI over the `months` months ending with the month of `until`: the snapshot of a month that has
    one, computed for the others (and always computed for the month under way)."""
    periods = last_months(until, months)
    snapshots = _snapshots(scope, [p.month for p in periods if not p.to_date])
    missing = [p for p in periods if any((p.month, k.key) not in snapshots for k in KPIS)]
    computed = kpi_series(scope, missing)
    by_month = {key: {v.period.month: v for v in values} for key, values in computed.items()}
    trends: dict[str, list[KpiValue]] = {}
    for kpi in KPIS:
        trends[kpi.key] = [
            _from_snapshot(kpi, p, snapshots[(p.month, kpi.key)])
            if (p.month, kpi.key) in snapshots
            else by_month[kpi.key][p.month]
            for p in periods
        ]
    return trends


def kpi_values(scope: Scope, month: date) -> list[KpiValue]:
    """The six KPIs of one month (a snapshot where the month closed with one)."""
    trends = kpi_trends(scope, month, months=1)
    return [trends[kpi.key][0] for kpi in KPIS]


@dataclass
class Tile:
    """One KPI on the dashboard: its value this period and its trend chart."""

    current: KpiValue
    trend: list[KpiValue]
    chart_svg: str

    @property
    def kpi(self) -> Kpi:
        return self.current.kpi


def dashboard(scope: Scope, month: date | None = None) -> tuple[Period, list[Tile]]:
    """The period shown and one tile per KPI, each with a 12-month trend chart ending with that month."""
    period = period_for(month or timezone.localdate())
    trends = kpi_trends(scope, period.month)
    tiles = []
    for kpi in KPIS:
        points = [(v.period.month, v.value) for v in trends[kpi.key]]
        svg = charts.trend_chart(
            points,
            title=kpi.name,
            unit=kpi.unit,
            target=kpi.target,
            amber=kpi.amber,
            higher_is_better=kpi.direction == "higher",
            kind="bar" if kpi.unit == "" else "line",
        )
        tiles.append(Tile(current=trends[kpi.key][-1], trend=trends[kpi.key], chart_svg=svg))
    return period, tiles


# --- data lists -----------------------------------------------------------------------------------------------
def vulnerabilities_of(site: Site) -> QuerySet[Vulnerability]:
    """The site's vulnerabilities with their assets and zones (constant queries for any number of rows)."""
    return (
        Vulnerability.objects.filter(asset__zone__site=site)
        .select_related("asset", "asset__zone")
        .order_by("-found", "cve", "advisory", "pk")
    )


def training_records_of(site: Site) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(site=site).order_by("-period_end", "programme", "pk")


def exercises_of(site: Site) -> QuerySet[Exercise]:
    return Exercise.objects.filter(site=site).order_by("-held_on", "scenario", "pk")
