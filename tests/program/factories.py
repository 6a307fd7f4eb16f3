"""factory_boy factories and builders for the program tests."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import factory
from django.db.models import Model
from django.utils import timezone

from program.models import Exercise, TrainingRecord, Vulnerability
from remediation.models import Finding
from tests.factories import SiteFactory
from tests.zones.plant import Plant, small_plant
from zones.models import Asset, Site

_M = TypeVar("_M", bound=Model)


class SiteRecordFactory(factory.django.DjangoModelFactory[_M]):
    """Base of the factories for what a site keeps a register of (training, exercises, findings)."""

    class Meta:
        abstract = True

    site = factory.SubFactory(SiteFactory)


class VulnerabilityFactory(factory.django.DjangoModelFactory[Vulnerability]):
    class Meta:
        model = Vulnerability

    asset: Any = None
    cve = factory.Sequence(lambda n: f"CVE-2026-{10000 + n}")
    title = "Remote code execution"
    severity = "critical"
    cvss_score = Decimal("9.8")
    found = date(2026, 1, 1)
    fixed = None
    status = "open"


class TrainingRecordFactory(SiteRecordFactory[TrainingRecord]):
    class Meta:
        model = TrainingRecord

    programme = "OT security awareness"
    period_start = date(2026, 1, 1)
    period_end = date(2026, 3, 31)
    people_required = 10
    people_completed = 5


class ExerciseFactory(SiteRecordFactory[Exercise]):
    class Meta:
        model = Exercise

    held_on = date(2026, 3, 10)
    kind = "tabletop"
    scenario = "Ransomware on the SCADA servers"
    outcome = "met"


class AuditFindingFactory(SiteRecordFactory[Finding]):
    class Meta:
        model = Finding

    title = factory.Sequence(lambda n: f"Audit finding {n}")
    source = "third_party_audit"
    severity = "high"
    status = "open"
    identified = date(2026, 1, 15)


def critical(
    asset: Asset, found: date, fixed: date | None = None, status: str | None = None, **kw: Any
) -> Vulnerability:
    """A critical vulnerability found (and patched) on the given days."""
    return VulnerabilityFactory.create(
        asset=asset, found=found, fixed=fixed, status=status or ("fixed" if fixed else "open"), **kw
    )


def plant(site: Site) -> Plant:
    return small_plant(site)


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)


def shift_history(models: list[Any], to: dt.datetime) -> None:
    """Move the history of these models (and Assessment.created) back so that it ends at `to`, keeping
    its order: as if the data had been entered then. The tests need a past that the history can show."""
    from django.db.models import F, Max

    from assessments.models import Assessment

    last = max(filter(None, (m.history.aggregate(last=Max("history_date"))["last"] for m in models)))
    delta = last - to
    for model in models:
        model.history.update(history_date=F("history_date") - delta)
    Assessment.objects.update(created=F("created") - delta)


def aware(day: date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
