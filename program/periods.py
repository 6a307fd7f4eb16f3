"""What a KPI is measured over and when: a scope (an organization or one of its sites) and a period (a
calendar month, measured to its end or, while it runs, to now), with the counting windows that end with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from core.validators import MAX_DATE, MIN_DATE, date_in_range
from zones.models import Site

WINDOW_MONTHS = 12  # vulnerabilities remediated, training, exercises, audit findings
RECENT_MONTHS = 3  # mean time to patch


@dataclass(frozen=True)
class Scope:
    """What a KPI is measured over: a whole organization, or one of its sites."""

    organization: Organization
    site: Site | None = None

    @classmethod
    def of_site(cls, site: Site) -> Scope:
        return cls(organization=site.organization, site=site)

    @property
    def label(self) -> str:
        return self.site.name if self.site is not None else self.organization.name

    def where(self, site_path: str) -> Q:
        """A filter for rows whose site is reached through `site_path` (e.g. "asset__zone__site")."""
        if self.site is not None:
            return Q(**{f"{site_path}_id": self.site.pk})
        return Q(**{f"{site_path}__organization_id": self.organization.pk})

    def as_api(self) -> dict[str, Any]:
        return {
            "organization": str(self.organization.pk),
            "organization_name": self.organization.name,
            "site": str(self.site.pk) if self.site is not None else None,
            "site_name": self.site.name if self.site is not None else None,
        }


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after (or before, n < 0) the month of `month`."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def parse_month(text: str) -> date:
    """`YYYY-MM` as the first day of that month; ValueError otherwise, and for a month outside the dates
    Zonewise accepts (core.validators): its counting windows would start before the calendar does."""
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"'{text}' is not a month like 2026-06") from None
    if not date_in_range(parsed):
        raise ValueError(f"Give a month from {MIN_DATE:%Y-%m} to {MAX_DATE:%Y-%m}, not {text.strip()}")
    return parsed


@dataclass(frozen=True)
class Period:
    """One measurement: the month, the last day it counts (the month's end, or today for the month under
    way) and the moment the assessment history is read at (the end of that day, or now)."""

    month: date
    end: date
    moment: datetime
    to_date: bool

    @property
    def window_start(self) -> date:
        """The first day of the 12 calendar months ending with this one."""
        return add_months(self.month, 1 - WINDOW_MONTHS)

    @property
    def recent_start(self) -> date:
        """The first day of the 3 calendar months ending with this one."""
        return add_months(self.month, 1 - RECENT_MONTHS)

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}" + (" (to date)" if self.to_date else "")

    def as_api(self) -> dict[str, Any]:
        return {
            "month": f"{self.month:%Y-%m}",
            "start": self.month.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.moment.isoformat(),
            "to_date": self.to_date,
            "window_start": self.window_start.isoformat(),
        }


def period_for(month: date, *, now: datetime | None = None) -> Period:
    """The period of `month` (any day in it): the whole month once it has ended, up to now while it runs.
    ValueError for a month that has not begun."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = month.replace(day=1)
    last = month_end(first)
    if first > today:
        raise ValueError(f"{first:%Y-%m} has not begun; KPIs are measured for past and current months")
    if last >= today:
        return Period(month=first, end=today, moment=now, to_date=True)
    midnight = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    return Period(month=first, end=last, moment=midnight - timedelta(microseconds=1), to_date=False)


def last_months(until: date, count: int, *, now: datetime | None = None) -> list[Period]:
    """The periods of the `count` months ending with the month of `until`, oldest first."""
    first = until.replace(day=1)
    return [period_for(add_months(first, n - count + 1), now=now) for n in range(count)]
