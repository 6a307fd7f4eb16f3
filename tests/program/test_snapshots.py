"""Monthly snapshots: the service and the beat task, idempotent per scope, month and KPI; a past month
computed on demand gives what the snapshot recorded then; the dashboard prefers snapshots."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services as assessment_services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from program import selectors, services, tasks
from program.kpis import KEYS, Scope, add_months, kpis_for, period_for
from program.models import KpiSnapshot
from tests.assessments.helpers import make_assessment, make_plant, mark, uniform
from tests.conftest import Personas
from tests.program.factories import (
    AuditFindingFactory,
    ExerciseFactory,
    TrainingRecordFactory,
    aware,
    critical,
    shift_history,
)
from tests.zones.plant import make_asset
from zones.models import Zone

pytestmark = pytest.mark.django_db


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def snapshot_values(scope: Scope, month: date) -> dict[str, float | None]:
    rows = KpiSnapshot.objects.filter(organization=scope.organization, site=scope.site, month=month)
    return dict(rows.values_list("key", "value"))


def test_the_task_snapshots_last_month_for_each_organization_and_site(personas: Personas) -> None:
    last = add_months(this_month(), -1)
    KpiSnapshot.objects.bulk_create(
        KpiSnapshot(organization=org, site=site, month=add_months(last, -1), key=key, value=1)
        for org, site in ((personas.org, None), (personas.org, personas.site))
        for key in KEYS
    )
    added = tasks.snapshot_kpis.delay().get()
    # Two organizations with one site each: (1 + 1) scopes x 2 organizations x 6 KPIs = 24 a month, for the
    # month just ended and the two before it, less the 12 that were there.
    assert added == 24 * 3 - 12
    months = KpiSnapshot.objects.values_list("month", flat=True).distinct()
    assert set(months) == {last, add_months(last, -1), add_months(last, -2)}
    assert KpiSnapshot.objects.filter(value=1).count() == 12  # kept as they were
    assert tasks.snapshot_kpis.delay().get() == 0  # a second run adds nothing


def test_snapshots_are_kept_once_taken(personas: Personas) -> None:
    month = add_months(this_month(), -2)
    site_scope = Scope.of_site(personas.site)
    zone = make_plant(personas.site, [uniform(1)]).zones[0]
    services.kpi_snapshots_take(month=month, organizations=[personas.org])
    assert snapshot_values(site_scope, month)["critical_vulnerabilities_remediated"] is None
    # A vulnerability of that month entered afterwards changes the computation, not the record.
    critical(make_asset(zone, "PLC"), found=month)
    assert services.kpi_snapshots_take(month=month, organizations=[personas.org]) == 0
    assert snapshot_values(site_scope, month)["critical_vulnerabilities_remediated"] is None
    assert kpis_for(site_scope, month)[1].value == 0.0


def test_only_ended_months_are_snapshotted(personas: Personas) -> None:
    with pytest.raises(ValidationError, match="has not ended"):
        services.kpi_snapshots_take(month=this_month())
    with pytest.raises(ValidationError, match="has not begun"):
        services.kpi_snapshots_take(month=add_months(this_month(), 2))
    assert tasks.snapshot_kpis.delay(add_months(this_month(), -3).strftime("%Y-%m")).get() == 24


def test_a_past_month_computed_later_gives_the_snapshot_taken_then(personas: Personas) -> None:
    """The state at the end of month M is recorded by the snapshot; everything that happens after M (new
    results, a changed target, new vulnerabilities, patches, counts, exercises, resolved findings) must not
    change what M computes to."""
    site, by = personas.site, personas.consultant
    month = add_months(this_month(), -2)
    month_end = add_months(month, 1) - timedelta(days=1)
    plant = make_plant(site, [uniform(1), uniform(1)])
    z1, z2 = plant.zones
    assessment = make_assessment(site, by)
    mark(assessment, z1, ResultStatus.MET, by)
    assessment_services.assessment_transition(assessment=assessment, to="in_progress", by=by)
    shift_history([Zone, Assessment, Result], aware(month + timedelta(days=3)))
    plc = make_asset(z1, "PLC", tag="PLC-1")
    critical(plc, found=month - timedelta(days=40), fixed=month + timedelta(days=5))
    critical(plc, found=month + timedelta(days=2), fixed=month + timedelta(days=12))
    late = critical(plc, found=month + timedelta(days=8))
    TrainingRecordFactory.create(site=site, period_start=month - timedelta(days=60), period_end=month_end,
                                 people_required=20, people_completed=12)  # fmt: skip
    ExerciseFactory.create(site=site, held_on=month + timedelta(days=1))
    finding = AuditFindingFactory.create(site=site, identified=month - timedelta(days=20))
    scope = Scope.of_site(site)
    services.kpi_snapshots_take(month=month, organizations=[personas.org])
    recorded = snapshot_values(scope, month)
    assert recorded == {
        "zones_at_target": 50.0,
        "critical_vulnerabilities_remediated": 66.7,
        "mean_time_to_patch_critical": 27.5,
        "training_completion": 60.0,
        "incident_response_exercises": 1.0,
        "audit_findings_resolved": 0.0,
    }
    # After the month: results, targets and data move on.
    mark(assessment, z2, ResultStatus.MET, by)
    later = month_end + timedelta(days=3)
    late.fixed, late.status = later, "fixed"
    late.save()
    critical(plc, found=later, fixed=later + timedelta(days=1))
    TrainingRecordFactory.create(site=site, period_start=later, period_end=later + timedelta(days=2),
                                 people_required=20, people_completed=20)  # fmt: skip
    ExerciseFactory.create(site=site, held_on=later)
    finding.status, finding.resolved_at = "resolved", later
    finding.save()
    now_values = {v.kpi.key: v.value for v in kpis_for(scope, this_month())}
    assert all(now_values[key] != recorded[key] for key in KEYS)  # every KPI did move on
    computed = {v.kpi.key: v.value for v in kpis_for(scope, period_for(month))}
    assert computed == recorded


def test_the_dashboard_shows_the_snapshot_of_a_closed_month(personas: Personas) -> None:
    month = add_months(this_month(), -1)
    scope = Scope.of_site(personas.site)
    ExerciseFactory.create(site=personas.site, held_on=month)
    services.kpi_snapshots_take(month=month, organizations=[personas.org])
    KpiSnapshot.objects.filter(site=personas.site, key="incident_response_exercises").update(value=7)
    trend = selectors.kpi_trends(scope, this_month(), months=3)["incident_response_exercises"]
    assert [v.source for v in trend] == ["computed", "snapshot", "computed"]
    assert [v.value for v in trend] == [0.0, 7.0, 1.0]
    assert selectors.kpi_values(scope, month)[4].value == 7.0
