"""The demo year tells its story: improving numbers with one setback; seeding twice adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.demo import FIRST_ORG
from accounts.models import Organization
from program.demo import seed_program
from program.kpis import Scope, kpi_series, period_for
from program.models import Vulnerability
from tests.conftest import DEMO_GROUP

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group(DEMO_GROUP)]


def test_the_demo_year(demo_db: None) -> None:  # seed_demo seeds the program year among the rest
    org = Organization.objects.get(name=FIRST_ORG)
    assert Vulnerability.objects.filter(asset__zone__site__organization=org).count() == 27
    assert set(seed_program(org).values()) == {0}  # idempotent
    assert Vulnerability.objects.filter(severity="critical").count() >= 15
    months = [date(2025, 12, 1), date(2026, 3, 1), date(2026, 6, 1), date(2026, 8, 1), date(2026, 9, 1),
              date(2026, 11, 1)]  # fmt: skip
    series = kpi_series(Scope(org), [period_for(m) for m in months])
    values = {key: dict(zip(months, (v.value or 0.0 for v in vs), strict=True)) for key, vs in series.items()}
    assert all(v.value is not None for key, vs in series.items() if key != "zones_at_target" for v in vs)
    dec, mar, jun, aug, sep, nov = months
    mttp = values["mean_time_to_patch_critical"]
    assert mttp[dec] > 90 and mttp[aug] <= 30  # patching got much faster ...
    assert mttp[sep] > 60  # ... until the PLC flaws waited for the September shutdown ...
    assert mttp[nov] < mttp[sep]  # ... and it recovers
    remediated = values["critical_vulnerabilities_remediated"]
    assert remediated[dec] < 50 < remediated[mar] and remediated[jun] < remediated[mar] and remediated[nov] >= 90
    training = values["training_completion"]
    assert training[dec] < training[mar] < training[jun] < training[sep] <= training[nov]
    assert 85 <= training[nov] <= 90
    assert values["incident_response_exercises"][nov] == 3
    assert values["audit_findings_resolved"][nov] > values["audit_findings_resolved"][mar]
