"""Reads: suggested actions, the roadmap by phase, and the projection of each zone's SL-A."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services as assessment_services
from assessments.choices import ResultStatus
from compliance.sl import SLVector
from remediation import selectors, services
from remediation.choices import ActionStatus, Phase, Severity
from remediation.models import Finding
from tests.conftest import Personas
from tests.remediation.helpers import (
    TODAY,
    Scenario,
    build_scenario,
    finish,
    generated,
    make_action,
    manual_finding,
    record,
)

pytestmark = pytest.mark.django_db


# --- suggestions -----------------------------------------------------------------------------------
def test_one_suggestion_per_sr_across_the_zones_that_share_the_gap(scenario: Scenario) -> None:
    generated(scenario)
    manual = manual_finding(scenario.site, scenario.by)
    found = selectors.suggestions(scenario.site, TODAY)
    by_title = {s.title: s for s in found}
    sr11 = by_title["SR 1.1 Human user identification and authentication: Zone 1, Zone 2"]
    assert [z.name for z in sr11.zones] == ["Zone 1", "Zone 2"]
    assert {f.severity for f in sr11.findings} == {Severity.CRITICAL, Severity.LOW}
    # Deepest missing item is level 2 (RE 1) on two targets: 5 + 2.5 days; critical + low = 9 points.
    assert sr11.effort_days == Decimal("7.5")
    assert (sr11.priority.band, sr11.phase) == (2, Phase.SHORT_TERM)
    assert (sr11.planned_start, sr11.due_date) == (TODAY, date(2027, 2, 25))
    sr51 = by_title["SR 5.1 Network segmentation: Zone 1"]
    assert (sr51.effort_days, sr51.phase, sr51.priority.band) == (Decimal(2), Phase.QUICK_WIN, 1)
    assert by_title["Remediate: No tested incident response plan"].findings == [manual]
    assert found[0].title == sr51.title  # quick wins first
    assert len(found) == 3


def test_addressed_and_dropped_findings_are_not_suggested_again(scenario: Scenario) -> None:
    generated(scenario)
    sr51 = scenario.finding(scenario.zone1, "SR 5.1")
    make_action(scenario.site, scenario.by, [sr51], status=ActionStatus.REJECTED)
    titles = [s.title for s in selectors.suggestions(scenario.site, TODAY)]
    assert titles == ["SR 1.1 Human user identification and authentication: Zone 1, Zone 2"]
    keys = {s.key for s in selectors.suggestions(scenario.site, TODAY)}
    assert keys == {s.key for s in selectors.suggestions(scenario.site, TODAY)}  # stable


def test_resolved_findings_are_not_suggested(scenario: Scenario) -> None:
    generated(scenario)
    for finding in Finding.objects.filter(site=scenario.site).all():
        services.finding_update(finding=finding, by=scenario.by, fields={"status": "accepted_risk"})
    assert selectors.suggestions(scenario.site, TODAY) == []


# --- roadmap ---------------------------------------------------------------------------------------
def test_roadmap_progress_per_phase_and_overdue(personas: Personas) -> None:
    site, by = personas.site, personas.owner
    make_action(site, by, title="Late", phase=Phase.QUICK_WIN, planned_start=None, due_date=date(2026, 11, 1))
    done = make_action(
        site, by, title="Done late", phase=Phase.QUICK_WIN, planned_start=None, due_date=date(2026, 11, 1)
    )
    finish(done, by)
    make_action(site, by, title="Later", phase=Phase.MID_TERM, effort_days=Decimal(10), cost_estimate=Decimal(500))
    make_action(site, by, title="No", phase=Phase.MID_TERM, status=ActionStatus.REJECTED)
    make_action(site, by, title="Undated", phase=Phase.LONG_TERM, planned_start=None, due_date=None)
    road = selectors.roadmap(selectors.actions_for(by).filter(site=site), TODAY)
    phases = {p.phase: p for p in road.phases}
    assert (phases[Phase.QUICK_WIN].total, phases[Phase.QUICK_WIN].finished, phases[Phase.QUICK_WIN].percent) == (
        2,
        1,
        50,
    )
    assert (phases[Phase.MID_TERM].total, phases[Phase.MID_TERM].effort_days, phases[Phase.MID_TERM].cost) == (
        1,
        Decimal(10),
        Decimal(500),
    )
    assert [a.title for a in road.overdue] == ["Late"]
    assert [a.title for a in road.unscheduled] == ["Undated"]
    assert (road.total, road.finished) == (4, 1)


def test_filters_by_zone_owner_status(scenario: Scenario, personas: Personas) -> None:
    findings = generated(scenario)
    zone2 = scenario.finding(scenario.zone2, "SR 1.1")
    make_action(scenario.site, personas.owner, [zone2], title="On zone 2", owner=personas.owner)
    make_action(scenario.site, personas.owner, [f for f in findings if f.zone == scenario.zone1], title="On zone 1")
    everything = selectors.actions_for(personas.owner)
    assert [a.title for a in selectors.filter_actions(everything, zone=scenario.zone2.pk)] == ["On zone 2"]
    assert [a.title for a in selectors.filter_actions(everything, owner=personas.owner.pk)] == ["On zone 2"]
    assert selectors.filter_actions(everything, status="done").count() == 0
    assert selectors.filter_actions(everything, site=personas.other_site).count() == 0


# --- projection ------------------------------------------------------------------------------------
def row(projection: selectors.SiteProjection, target: object) -> selectors.TargetProjection:
    return next(r for r in projection.rows if r.target == target)


def test_zone_covered_by_planned_actions_reaches_target_at_the_last_due_date(scenario: Scenario) -> None:
    generated(scenario)
    sr11, sr51 = scenario.finding(scenario.zone1, "SR 1.1"), scenario.finding(scenario.zone1, "SR 5.1")
    make_action(scenario.site, scenario.by, [sr11], due_date=date(2027, 3, 31))
    make_action(scenario.site, scenario.by, [sr51], due_date=date(2027, 8, 15))
    zone1 = row(selectors.site_projection(scenario.site, TODAY), scenario.zone1)
    assert zone1.projection.current == SLVector.of(0, 2, 2, 2, 0, 2, 2)
    assert zone1.projection.projected == SLVector.of(2, 2, 2, 2, 2, 2, 2)
    assert zone1.projection.reaches_target_on == date(2027, 8, 15)
    assert zone1.verdict == "Reaches its SL-T in Q3 2027 if these 2 actions land"
    zone2 = row(selectors.site_projection(scenario.site, TODAY), scenario.zone2)
    assert zone2.projection.reaches_target_on is None
    assert zone2.verdict == "Not with the planned actions: FR1 uncovered"
    conduit = row(selectors.site_projection(scenario.site, TODAY), scenario.conduit)
    assert conduit.verdict == "At its SL-T now"


def test_a_finding_worked_on_by_two_actions_is_fixed_when_the_last_lands(scenario: Scenario) -> None:
    generated(scenario)
    sr11, sr51 = scenario.finding(scenario.zone1, "SR 1.1"), scenario.finding(scenario.zone1, "SR 5.1")
    make_action(scenario.site, scenario.by, [sr11, sr51], due_date=date(2027, 3, 31))
    make_action(scenario.site, scenario.by, [sr11], due_date=date(2027, 9, 30), title="Second part")
    zone1 = row(selectors.site_projection(scenario.site, TODAY), scenario.zone1)
    assert zone1.projection.reaches_target_on == date(2027, 9, 30)
    assert zone1.projection.steps[0] == (date(2027, 3, 31), SLVector.of(0, 2, 2, 2, 2, 2, 2))


@pytest.mark.parametrize("status", [ActionStatus.PROPOSED, ActionStatus.DEFERRED, ActionStatus.REJECTED])
def test_uncommitted_actions_do_not_count(scenario: Scenario, status: str) -> None:
    generated(scenario)
    make_action(
        scenario.site,
        scenario.by,
        list(Finding.objects.filter(site=scenario.site).filter(zone=scenario.zone1)),
        status=status,
    )
    zone1 = row(selectors.site_projection(scenario.site, TODAY), scenario.zone1)
    assert zone1.projection.reaches_target_on is None
    assert [s.fr for s in zone1.shortfalls] == ["FR1", "FR5"]
    assert zone1.actions == []


def test_overdue_work_is_counted_from_today_and_undated_work_not_at_all(scenario: Scenario) -> None:
    generated(scenario)
    zone1 = list(Finding.objects.filter(site=scenario.site).filter(zone=scenario.zone1))
    make_action(scenario.site, scenario.by, zone1, planned_start=None, due_date=date(2026, 10, 1))
    result = row(selectors.site_projection(scenario.site, TODAY), scenario.zone1)
    assert (result.projection.reaches_target_on, result.overdue) == (TODAY, 1)
    services.action_update(action=result.actions[0], by=scenario.by, fields={"due_date": None})
    result = row(selectors.site_projection(scenario.site, TODAY), scenario.zone1)
    assert result.projection.reaches_target_on is None


def test_not_assessed_items_are_a_shortfall_no_action_can_cover(personas: Personas) -> None:
    scenario = build_scenario(personas.site, personas.consultant, review=False)
    record(scenario.assessment, scenario.zone2, "SR 2.1", ResultStatus.NOT_ASSESSED, scenario.by)
    assessment_services.assessment_transition(assessment=scenario.assessment, to="in_progress", by=scenario.by)
    services.findings_generate(assessment=scenario.assessment, by=scenario.by, allow_unreviewed=True)
    make_action(scenario.site, scenario.by, [scenario.finding(scenario.zone2, "SR 1.1")])
    zone2 = row(selectors.site_projection(scenario.site, TODAY), scenario.zone2)
    assert zone2.verdict == "Not with the planned actions: 1 requirement not assessed yet (FR2)"


def test_done_work_counts_from_its_completion(scenario: Scenario) -> None:
    generated(scenario)
    action = finish(make_action(scenario.site, scenario.by, [scenario.finding(scenario.zone2, "SR 1.1")]), scenario.by)
    zone2 = row(selectors.site_projection(scenario.site, TODAY), scenario.zone2)
    assert zone2.projection.reaches_target_on == max(action.completed_on, TODAY)  # type: ignore[type-var]


def test_site_without_an_assessment_has_nothing_to_project(personas: Personas) -> None:
    assert selectors.site_projection(personas.site, TODAY).rows == []


def test_projection_reads_in_constant_queries(scenario: Scenario) -> None:
    findings = generated(scenario)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.site_projection(scenario.site, TODAY)
        return len(ctx.captured_queries)

    make_action(scenario.site, scenario.by, findings[:1])
    few = count()
    for n in range(5):
        make_action(scenario.site, scenario.by, findings, title=f"Action {n}")
    assert count() == few
