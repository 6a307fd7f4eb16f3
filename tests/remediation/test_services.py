"""Writes to findings and actions: generation (severity, grouping, no duplicates), hand-entered
findings, actions and their status moves, priorities, and the verification of an action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assessments.choices import ResultStatus
from core.versioning import StaleObjectError
from remediation import services
from remediation.choices import ActionStatus, FindingSource, FindingStatus, Severity
from remediation.models import Action, Finding
from tests.assessments.helpers import make_assessment, result_for
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
    satisfy_all,
    sign_off,
    to_review,
)

pytestmark = pytest.mark.django_db


# --- generation ------------------------------------------------------------------------------------
def test_generation_makes_one_finding_per_sr_and_target_with_the_rule_severity(scenario: Scenario) -> None:
    findings = generated(scenario)
    assert [(f.target.name, f.requirement.ref) for f in findings] == [  # type: ignore[union-attr]
        ("Zone 1", "SR 1.1"),
        ("Zone 2", "SR 1.1"),
        ("Zone 1", "SR 5.1"),
    ]
    sr11 = scenario.finding(scenario.zone1, "SR 1.1")
    # The SR and its RE are one finding, linked to both results.
    assert set(sr11.results.all()) == {
        scenario.result(scenario.zone1, "SR 1.1"),
        scenario.result(scenario.zone1, "SR 1.1 RE 1"),
    }
    # Zone 1: FR1 gap 2 (SL-T 2, SL-A 0) on a very high zone -> critical; Zone 2: gap 1 on a low zone -> low.
    assert sr11.severity == Severity.CRITICAL
    assert sr11.severity_rationale == "FR1 gap 2 (SL-T 2, SL-A 0) on a very high-criticality zone → critical"
    assert scenario.finding(scenario.zone2, "SR 1.1").severity == Severity.LOW
    assert (sr11.source, sr11.status, sr11.assessment, sr11.identified) == (
        FindingSource.ASSESSMENT,
        FindingStatus.OPEN,
        scenario.assessment,
        TODAY,
    )
    assert sr11.title == "SR 1.1 Human user identification and authentication · Zone 1"
    assert "SR 1.1: not met. Shared operator login" in sr11.description
    assert "SR 1.1 RE 1: partially met." in sr11.description


def test_generating_twice_does_not_duplicate(scenario: Scenario) -> None:
    first = generated(scenario)
    report = services.findings_generate(assessment=scenario.assessment, by=scenario.by, today=TODAY)
    assert report.as_api() == {"created": 0, "linked": 0, "unchanged": 3, "resolved": 0, "not_assessed": 0}
    assert list(Finding.objects.filter(site=scenario.site).order_by("title")) == first
    assert Finding.results.through.objects.count() == 4


def test_a_new_gap_in_the_same_sr_is_linked_not_duplicated(personas: Personas) -> None:
    scenario = build_scenario(personas.site, personas.consultant, review=False)
    report = services.findings_generate(
        assessment=scenario.assessment, by=scenario.by, allow_unreviewed=True, today=TODAY
    )
    assert len(report.created) == 3
    record(scenario.assessment, scenario.zone2, "SR 1.1", ResultStatus.MET, scenario.by)
    record(scenario.assessment, scenario.zone1, "SR 5.1 RE 1", ResultStatus.NOT_MET, scenario.by)
    again = services.findings_generate(
        assessment=scenario.assessment, by=scenario.by, allow_unreviewed=True, today=TODAY
    )
    finding = scenario.finding(scenario.zone1, "SR 5.1")
    assert [f.pk for f in again.linked] == [finding.pk]
    assert finding.results.count() == 2
    # Zone 2's SR 1.1 is met now: its finding is resolved by the assessment.
    assert [f.pk for f in again.resolved] == [scenario.finding(scenario.zone2, "SR 1.1").pk]
    assert scenario.finding(scenario.zone2, "SR 1.1").resolved_at == TODAY
    assert Finding.objects.count() == 3


def test_a_later_assessment_links_to_the_open_finding_and_resolves_fixed_ones(scenario: Scenario) -> None:
    generated(scenario)
    sign_off(scenario.assessment, scenario.by)
    later = make_assessment(scenario.site, scenario.by, title="2027 re-assessment")
    satisfy_all(later)
    record(later, scenario.zone1, "SR 1.1", ResultStatus.NOT_MET, scenario.by)
    to_review(later, scenario.by)
    report = services.findings_generate(assessment=later, by=scenario.by, today=date(2027, 6, 1))
    assert report.created == []
    assert [f.pk for f in report.linked] == [scenario.finding(scenario.zone1, "SR 1.1").pk]
    assert {f.requirement.ref for f in report.resolved} == {"SR 1.1", "SR 5.1"}  # type: ignore[union-attr]
    assert {f.zone for f in report.resolved} == {scenario.zone1, scenario.zone2}
    assert Finding.objects.filter(status=FindingStatus.RESOLVED, resolved_at=date(2027, 6, 1)).count() == 2


def test_generation_needs_an_assessment_in_review_or_final(personas: Personas) -> None:
    scenario = build_scenario(personas.site, personas.consultant, review=False)
    with pytest.raises(ValidationError, match="in review or final, not from one draft"):
        services.findings_generate(assessment=scenario.assessment, by=scenario.by)
    assert not Finding.objects.exists()


def test_not_assessed_results_are_counted_not_turned_into_findings(personas: Personas) -> None:
    scenario = build_scenario(personas.site, personas.consultant, review=False)
    record(scenario.assessment, scenario.zone2, "SR 2.1", ResultStatus.NOT_ASSESSED, scenario.by)
    to_review(scenario.assessment, scenario.by)
    report = services.findings_generate(assessment=scenario.assessment, by=scenario.by)
    assert report.not_assessed == 1
    assert len(report.created) == 3


def test_results_no_longer_required_by_the_target_are_not_findings(scenario: Scenario) -> None:
    from tests.assessments.helpers import set_target, uniform

    set_target(scenario.zone1, uniform(1))  # SR 1.1 RE 1 (level 2) no longer required; not re-synced
    generated(scenario)
    assert list(scenario.finding(scenario.zone1, "SR 1.1").results.all()) == [scenario.result(scenario.zone1, "SR 1.1")]


def test_conduit_findings_take_the_most_critical_zone(scenario: Scenario) -> None:
    record(scenario.assessment, scenario.conduit, "SR 5.2", ResultStatus.NOT_MET, scenario.by)
    generated(scenario)
    finding = scenario.finding(scenario.conduit, "SR 5.2")
    assert finding.zone is None
    assert finding.severity == Severity.HIGH  # gap 1 + very high (Zone 1)
    assert "very high-criticality conduit" in finding.severity_rationale


# --- hand-entered findings ---------------------------------------------------------------------------
def test_manual_finding_needs_a_manual_source(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        manual_finding(personas.site, personas.owner, source=FindingSource.ASSESSMENT)
    assert "source" in exc.value.message_dict
    finding = manual_finding(personas.site, personas.owner, reference="TPA-3")
    assert (finding.source, finding.status, finding.created_by) == ("third_party_audit", "open", personas.owner)


def test_manual_finding_on_another_sites_zone_is_refused(personas: Personas, scenario: Scenario) -> None:
    other = build_scenario(personas.other_site, personas.outsider, review=False, prefix="B")
    with pytest.raises(ValidationError) as exc:
        manual_finding(personas.site, personas.owner, zone=other.zone1)
    assert exc.value.message_dict["zone"] == ["The zone must belong to the finding's site."]


def test_resolving_dates_the_finding_and_reopening_clears_it(personas: Personas) -> None:
    finding = manual_finding(personas.site, personas.owner)
    finding = services.finding_update(finding=finding, by=personas.owner, fields={"status": FindingStatus.RESOLVED})
    assert finding.resolved_at is not None
    finding = services.finding_update(finding=finding, by=personas.owner, fields={"status": FindingStatus.OPEN})
    assert finding.resolved_at is None
    with pytest.raises(ValidationError, match="before it was identified"):
        services.finding_update(
            finding=finding,
            by=personas.owner,
            fields={"status": FindingStatus.RESOLVED, "resolved_at": date(2026, 1, 1)},
        )


def test_stale_finding_update_is_refused(personas: Personas) -> None:
    finding = manual_finding(personas.site, personas.owner)
    services.finding_update(finding=finding, by=personas.owner, fields={"title": "First"}, expected_version=1)
    with pytest.raises(StaleObjectError):
        services.finding_update(finding=finding, by=personas.owner, fields={"title": "Second"}, expected_version=1)


def test_generated_finding_keeps_its_source(scenario: Scenario) -> None:
    finding = generated(scenario)[0]
    with pytest.raises(ValidationError):
        services.finding_update(finding=finding, by=scenario.by, fields={"source": FindingSource.INCIDENT})


# --- actions ---------------------------------------------------------------------------------------
def test_action_takes_its_findings_zones_and_moves_them_to_in_remediation(scenario: Scenario) -> None:
    findings = generated(scenario)
    action = make_action(scenario.site, scenario.by, findings[:2], status=ActionStatus.PROPOSED)
    assert set(action.zones.all()) == {scenario.zone1, scenario.zone2}
    assert {f.status for f in Finding.objects.all()} == {FindingStatus.OPEN}  # proposed: nothing moves yet
    services.action_transition(action=action, to=ActionStatus.PLANNED, by=scenario.by)
    assert Finding.objects.get(pk=findings[0].pk).status == FindingStatus.IN_REMEDIATION
    assert Finding.objects.get(pk=findings[2].pk).status == FindingStatus.OPEN
    action = services.action_transition(action=Action.objects.get(pk=action.pk), to="deferred", by=scenario.by)
    assert Finding.objects.get(pk=findings[0].pk).status == FindingStatus.OPEN


def test_action_priority_follows_its_findings_and_effort(scenario: Scenario) -> None:
    findings = generated(scenario)
    critical = scenario.finding(scenario.zone1, "SR 1.1")
    action = make_action(scenario.site, scenario.by, [critical], effort_days=Decimal(2))
    assert (action.priority, action.risk_reduction, action.priority_score) == (1, 8, 4.0)
    action = services.action_update(action=action, by=scenario.by, fields={"effort_days": Decimal(20)})
    assert action.priority == 2
    services.finding_update(finding=critical, by=scenario.by, fields={"severity": Severity.LOW})
    assert Action.objects.get(pk=action.pk).priority == 4  # one low finding over 20 days: reconsider
    assert len(findings) == 3


def test_action_relations_must_be_of_its_site(personas: Personas, scenario: Scenario) -> None:
    other = build_scenario(personas.other_site, personas.outsider, prefix="B")
    theirs = generated(other)
    with pytest.raises(ValidationError) as exc:
        make_action(scenario.site, scenario.by, theirs)
    assert "findings" in exc.value.message_dict
    assert not Action.objects.filter(site=scenario.site).exists()


def test_action_owner_must_be_a_member(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        make_action(personas.site, personas.owner, owner=personas.outsider)
    assert "owner" in exc.value.message_dict
    assert make_action(personas.site, personas.owner, owner=personas.consultant).owner == personas.consultant


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"planned_start": date(2027, 5, 1), "due_date": date(2027, 4, 1)}, "due_date"),
        ({"needs_maintenance_window": True}, "maintenance_window"),
        ({"status": ActionStatus.VERIFIED}, "status"),
    ],
)
def test_action_rules(personas: Personas, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make_action(personas.site, personas.owner, **fields)
    assert field in exc.value.message_dict


def test_status_moves_follow_the_transitions(personas: Personas) -> None:
    action = make_action(personas.site, personas.owner, status=ActionStatus.PROPOSED)
    with pytest.raises(ValidationError, match="cannot move to done"):
        services.action_transition(action=action, to=ActionStatus.DONE, by=personas.owner)
    with pytest.raises(ValidationError, match="verify flow"):
        services.action_transition(action=action, to=ActionStatus.VERIFIED, by=personas.owner)
    action = finish(action, personas.owner)
    assert (action.status, action.completed_on) == (ActionStatus.DONE, date.today())
    action = services.action_transition(action=action, to=ActionStatus.IN_PROGRESS, by=personas.owner)
    assert action.completed_on is None


def test_overdue(personas: Personas) -> None:
    action = make_action(personas.site, personas.owner, due_date=date(2026, 11, 1), planned_start=None)
    assert action.is_overdue(TODAY)
    assert not action.is_overdue(date(2026, 11, 1))
    assert not finish(action, personas.owner).is_overdue(TODAY)


# --- verification ------------------------------------------------------------------------------------
def test_verify_needs_a_done_action(scenario: Scenario) -> None:
    action = make_action(scenario.site, scenario.by, generated(scenario)[:1])
    with pytest.raises(ValidationError, match="Only a done action"):
        services.action_verify(action=action, by=scenario.by)


def test_verify_with_results_still_unsatisfied_needs_an_explicit_yes(scenario: Scenario) -> None:
    finding = generated(scenario)[0]
    action = finish(make_action(scenario.site, scenario.by, [finding]), scenario.by)
    with pytest.raises(ValidationError) as exc:
        services.action_verify(action=action, by=scenario.by)
    assert "still shows 2 addressed result(s) unsatisfied: SR 1.1 (Zone 1), SR 1.1 RE 1 (Zone 1)" in str(exc.value)
    outcome = services.action_verify(action=action, by=scenario.by, accept_open_results=True, note="Checked")
    assert outcome.action.status == ActionStatus.VERIFIED
    assert outcome.still_open == [finding] and outcome.resolved == []
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.IN_REMEDIATION


def test_verify_after_updating_the_results_resolves_the_finding(scenario: Scenario) -> None:
    finding = scenario_finding = generated(scenario)[0]
    action = finish(make_action(scenario.site, scenario.by, [finding]), scenario.by)
    for ref in ("SR 1.1", "SR 1.1 RE 1"):
        record(scenario.assessment, scenario.zone1, ref, ResultStatus.MET, scenario.by)
    outcome = services.action_verify(action=action, by=scenario.by, note="MFA tested", today=date(2027, 1, 8))
    scenario_finding.refresh_from_db()
    assert outcome.resolved == [finding]
    assert (scenario_finding.status, scenario_finding.resolved_at) == (FindingStatus.RESOLVED, date(2027, 1, 8))
    action.refresh_from_db()
    assert (action.verified_by, action.verification_note) == (scenario.by, "MFA tested")


def test_verify_with_a_final_assessment_records_it_pending_confirmation(scenario: Scenario) -> None:
    finding = generated(scenario)[0]
    sign_off(scenario.assessment, scenario.by)
    action = finish(make_action(scenario.site, scenario.by, [finding]), scenario.by)
    assert services.unsatisfied_results(action) == []  # a final assessment cannot change: not asked for
    outcome = services.action_verify(action=action, by=scenario.by)
    assert outcome.resolved == [finding] and outcome.pending_confirmation == [finding]
    assert result_for(scenario.assessment, scenario.zone1, "SR 1.1").status == ResultStatus.NOT_MET


def test_manual_finding_is_resolved_when_every_committed_action_is_verified(personas: Personas) -> None:
    finding = manual_finding(personas.site, personas.owner)
    first = finish(make_action(personas.site, personas.owner, [finding], title="Plan"), personas.owner)
    make_action(personas.site, personas.owner, [finding], title="Exercise")
    outcome = services.action_verify(action=first, by=personas.owner)
    assert outcome.still_open == [finding]
    second = finish(Action.objects.get(title="Exercise"), personas.owner)
    assert services.action_verify(action=second, by=personas.owner).resolved == [finding]


def test_reopening_a_verified_action_clears_the_verification(personas: Personas) -> None:
    finding = manual_finding(personas.site, personas.owner)
    action = finish(make_action(personas.site, personas.owner, [finding]), personas.owner)
    services.action_verify(action=action, by=personas.owner, note="ok")
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.RESOLVED
    action = services.action_transition(action=action, to=ActionStatus.IN_PROGRESS, by=personas.owner)
    assert (action.verified_on, action.verified_by, action.verification_note) == (None, None, "")
    finding.refresh_from_db()  # the fix did not hold: the finding is worked on again
    assert (finding.status, finding.resolved_at) == (FindingStatus.IN_REMEDIATION, None)
