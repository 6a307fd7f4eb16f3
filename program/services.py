"""Writes to the program data (vulnerabilities, training counts, exercises) and the monthly KPI snapshots.
Each is one transaction and raises ValidationError on bad input, StaleObjectError on a stale version."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from core.versioning import check_version, lock, save_versioned
from program.kpis import KPIS, Scope, add_months, period_for
from program.models import Exercise, KpiSnapshot, TrainingRecord, Vulnerability
from zones.models import Site


@transaction.atomic
def vulnerability_save(
    *, vulnerability: Vulnerability, fields: dict[str, Any], expected_version: int | None = None
) -> Vulnerability:
    """Create or edit a vulnerability. Its asset may change only within the same site."""
    if not vulnerability._state.adding and "asset" in fields:
        current_site = Vulnerability.objects.filter(pk=vulnerability.pk).values_list("asset__zone__site", flat=True)
        if fields["asset"].zone.site_id != current_site.get():
            raise ValidationError({"asset": "A vulnerability cannot move to an asset of another site."})
    return save_versioned(vulnerability, fields, expected_version)


@transaction.atomic
def training_record_save(
    *, record: TrainingRecord, fields: dict[str, Any], expected_version: int | None = None
) -> TrainingRecord:
    """Create or edit a training count."""
    if not record._state.adding and "site" in fields and fields["site"].pk != record.site_id:
        raise ValidationError({"site": "A training count cannot move to another site."})
    return save_versioned(record, fields, expected_version)


@transaction.atomic
def exercise_save(*, exercise: Exercise, fields: dict[str, Any], expected_version: int | None = None) -> Exercise:
    """Create or edit an incident-response exercise."""
    if not exercise._state.adding and "site" in fields and fields["site"].pk != exercise.site_id:
        raise ValidationError({"site": "An exercise cannot move to another site."})
    return save_versioned(exercise, fields, expected_version)


@transaction.atomic
def record_delete(*, obj: Vulnerability | TrainingRecord | Exercise, expected_version: int | None = None) -> None:
    """Delete one row of program data (its history stays)."""
    locked = lock(obj)
    check_version(locked, expected_version)
    locked.delete()


# --- snapshots -----------------------------------------------------------------------------------------------
def previous_month(today: date | None = None) -> date:
    """The first day of the month before the one of `today`: what the beat task snapshots on the 1st."""
    return add_months((today or timezone.localdate()).replace(day=1), -1)


def _snapshot_scope(scope: Scope, month: date) -> int:
    period = period_for(month)
    existing = KpiSnapshot.objects.filter(organization=scope.organization, month=period.month)
    existing = existing.filter(site=scope.site) if scope.site is not None else existing.filter(site__isnull=True)
    have = set(existing.values_list("key", flat=True))
    wanted = [kpi for kpi in KPIS if kpi.key not in have]
    if not wanted:
        return 0
    rows = []
    for kpi in wanted:
        measure = kpi.measure(scope, period)
        rows.append(
            KpiSnapshot(
                organization=scope.organization,
                site=scope.site,
                month=period.month,
                key=kpi.key,
                value=measure.value,
                numerator=measure.numerator,
                denominator=measure.denominator,
                detail={**measure.detail, "summary": measure.summary},
            )
        )
    # A second run (a retry, a beat tick twice) meets the unique constraints and adds nothing.
    KpiSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
    return existing.count() - len(have)


def kpi_snapshots_take(*, month: date, organizations: list[Organization] | None = None) -> int:
    """Record the six KPIs of a month that has ended, for each organization and each of its sites.

    Idempotent per (scope, month, KPI): a snapshot once taken is the record of what was reported and is
    never replaced; only missing ones are added. Returns how many were added.
    """
    first = month.replace(day=1)
    try:
        to_date = period_for(first).to_date
    except ValueError as exc:
        raise ValidationError({"month": str(exc)}) from exc
    if to_date:
        raise ValidationError({"month": f"{first:%Y-%m} has not ended; a month is snapshotted once it is over."})
    orgs = organizations if organizations is not None else list(Organization.objects.order_by("name"))
    added = 0
    for org in orgs:
        scopes = [Scope(org), *(Scope(org, site) for site in Site.objects.filter(organization=org).order_by("name"))]
        for scope in scopes:
            with transaction.atomic():
                added += _snapshot_scope(scope, first)
    return added
