"""Zones at their SL-T: which assessment speaks for a zone, agreement with the assessment summary, and the
answer for a past month rebuilt from the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services as assessment_services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from assessments.selectors import summary
from program.kpis import BY_KEY, Measure, Scope, add_months, period_for
from tests.assessments.helpers import make_assessment, make_plant, make_zone, mark, set_target, uniform
from tests.conftest import Personas
from tests.program.factories import aware, shift_history
from zones.models import Zone

pytestmark = pytest.mark.django_db
KPI = BY_KEY["zones_at_target"]


def now_measure(scope: Scope) -> Measure:
    return KPI.measure(scope, period_for(timezone.localdate()))


def at_target(m: Measure) -> dict[str, bool | None]:
    return {z["name"]: (z["at_target"] if z["assessment"] else None) for z in m.detail["zones"]}


def sign_off(assessment: Assessment, personas: Personas) -> None:
    for status in ("in_progress", "in_review", "final"):
        assessment_services.assessment_transition(
            assessment=assessment, to=status, by=personas.consultant, reason="test"
        )


def test_final_then_in_review_then_in_progress_and_never_a_draft(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1), uniform(1), uniform(1)])
    z1, z2, z3 = plant.zones
    make_zone(personas.site, "Untargeted", uniform(0))  # no SL-T: not counted
    baseline = make_assessment(personas.site, personas.consultant, zones=[z1, z2], title="Baseline")
    mark(baseline, z1, ResultStatus.MET, personas.consultant)
    mark(baseline, z2, ResultStatus.MET, personas.consultant, fr="FR1")
    scope = Scope.of_site(personas.site)
    assert now_measure(scope).value is None  # a draft does not count: nothing assessed yet
    sign_off(baseline, personas)
    m = now_measure(scope)
    assert at_target(m) == {"Zone 1": True, "Zone 2": False, "Zone 3": None}
    assert (m.value, m.numerator, m.denominator) == (33.3, 1, 3)  # never assessed counts as not at target
    # A newer assessment under way (nothing assessed yet) does not undo what the signed-off one established.
    redo = make_assessment(personas.site, personas.consultant, zones=[z1, z3], title="Re-assessment")
    assessment_services.assessment_transition(assessment=redo, to="in_progress", by=personas.consultant)
    assert at_target(now_measure(scope)) == {"Zone 1": True, "Zone 2": False, "Zone 3": False}
    # Without a final one, in review beats in progress.
    mark(redo, z3, ResultStatus.MET, personas.consultant)
    review = make_assessment(personas.site, personas.consultant, zones=[z3], title="Review")
    for status in ("in_progress", "in_review"):
        assessment_services.assessment_transition(assessment=review, to=status, by=personas.consultant)
    assert at_target(now_measure(scope))["Zone 3"] is False  # the (empty) review speaks for zone 3
    assessment_services.assessment_transition(assessment=review, to="in_progress", by=personas.consultant)
    assert at_target(now_measure(scope))["Zone 3"] is False  # two in progress: the newer (empty) one


def test_agrees_with_the_assessment_summary(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(2), uniform(1), "{1,1,2,0,1,1,1}"], conduit_slt=uniform(1))
    assessment = make_assessment(personas.site, personas.consultant)
    mark(assessment, plant.zones[0], ResultStatus.MET, personas.consultant)
    mark(assessment, plant.zones[1], ResultStatus.COMPENSATED, personas.consultant)
    mark(assessment, plant.zones[1], ResultStatus.NOT_MET, personas.consultant, fr="FR7")
    mark(assessment, plant.zones[2], ResultStatus.NOT_APPLICABLE, personas.consultant)
    mark(assessment, plant.zones[2], ResultStatus.PARTIALLY_MET, personas.consultant, fr="FR3", min_level=2)
    assessment_services.assessment_transition(assessment=assessment, to="in_progress", by=personas.consultant)
    expected = {t.name: t.standing.at_target for t in summary(assessment).zones}
    gaps = {t.name: t.standing.gap.compact() for t in summary(assessment).zones}
    m = now_measure(Scope.of_site(personas.site))
    assert at_target(m) == expected == {"Zone 1": True, "Zone 2": False, "Zone 3": False}
    assert {z["name"]: z["gap"] for z in m.detail["zones"]} == gaps


def test_organization_scope_counts_every_site(personas: Personas) -> None:
    from tests.factories import SiteFactory

    second = SiteFactory.create(organization=personas.org, name="Second works")
    for site, status in ((personas.site, ResultStatus.MET), (second, ResultStatus.NOT_MET)):
        zone = make_plant(site, [uniform(1)]).zones[0]
        assessment = make_assessment(site, personas.consultant)
        mark(assessment, zone, status, personas.consultant)
        assessment_services.assessment_transition(assessment=assessment, to="in_progress", by=personas.consultant)
    other = make_plant(personas.other_site, [uniform(1)]).zones[0]  # another organization's zone
    assert other.pk
    m = now_measure(Scope(personas.org))
    assert (m.value, m.numerator, m.denominator) == (50.0, 1, 2)


def test_a_past_month_reads_results_and_targets_as_they_stood(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1), uniform(1)])
    z1, z2 = plant.zones
    assessment = make_assessment(personas.site, personas.consultant)
    mark(assessment, z1, ResultStatus.MET, personas.consultant)
    assessment_services.assessment_transition(assessment=assessment, to="in_progress", by=personas.consultant)
    past = add_months(timezone.localdate().replace(day=1), -2)
    shift_history([Zone, Assessment, Result], aware(past + timedelta(days=10)))
    scope = Scope.of_site(personas.site)
    before = KPI.measure(scope, period_for(past))
    assert at_target(before) == {"Zone 1": True, "Zone 2": False}
    # Today: zone 2 is met too, and zone 1's target rises beyond what was assessed.
    mark(assessment, z2, ResultStatus.MET, personas.consultant)
    set_target(z1, uniform(2))
    assert at_target(now_measure(scope)) == {"Zone 1": False, "Zone 2": True}
    assert KPI.measure(scope, period_for(past)) == before
    # The month before the history began: no zones yet.
    assert KPI.measure(scope, period_for(add_months(past, -1))).denominator == 0
