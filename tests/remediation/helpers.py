"""Builders for the remediation tests: a plant whose assessment has a few known gaps, findings
generated from it, actions through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import User
from assessments import services as assessment_services
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, Result
from remediation import services
from remediation.choices import ActionStatus, FindingSource, Severity
from remediation.models import Action, Finding
from tests.assessments.helpers import make_assessment, make_plant, result_for, uniform
from zones import services as zone_services
from zones.models import Conduit, Site, Zone

TODAY = date(2026, 11, 25)


def satisfy_all(assessment: Assessment) -> None:
    """Every result met, in one UPDATE: set-up speed for tests about the few gaps that follow
    (the gaps themselves go through the service)."""
    Result.objects.filter(assessment=assessment).update(status=ResultStatus.MET)


def record(assessment: Assessment, target: Zone | Conduit, ref: str, status: str, by: User, **fields: Any) -> Result:
    result = result_for(assessment, target, ref)
    extra = {"countermeasure": "Jump host with MFA"} if status == ResultStatus.COMPENSATED else {}
    return assessment_services.result_update(result=result, by=by, fields={"status": status, **extra, **fields})


def to_review(assessment: Assessment, by: User) -> Assessment:
    for step in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW):
        assessment = assessment_services.assessment_transition(assessment=assessment, to=step, by=by)
    return assessment


def sign_off(assessment: Assessment, by: User) -> Assessment:
    assessment = to_review(assessment, by)
    return assessment_services.assessment_transition(
        assessment=assessment, to=AssessmentStatus.FINAL, by=by, reason="test"
    )


@dataclass
class Scenario:
    """Zone 1 (SL-T 2, very high criticality) with gaps in SR 1.1 (SR and RE 1) and SR 5.1; Zone 2
    (SL-T 1, low) with a gap in SR 1.1; conduit 1-2 (SL-T 1) met. Assessment in review."""

    site: Site
    zone1: Zone
    zone2: Zone
    conduit: Conduit
    assessment: Assessment
    by: User

    def result(self, target: Zone | Conduit, ref: str) -> Result:
        return result_for(self.assessment, target, ref)

    def finding(self, target: Zone | Conduit, sr: str) -> Finding:
        lookup = {"zone": target} if isinstance(target, Zone) else {"conduit": target}
        found: Finding = Finding.objects.get(site=self.site, requirement__ref=sr, **lookup)
        return found


def build_scenario(site: Site, by: User, *, review: bool = True, prefix: str = "Zone") -> Scenario:
    plant = make_plant(site, [uniform(2), uniform(1)], conduit_slt=uniform(1), prefix=prefix)
    zone1, zone2 = plant.zones
    zone_services.zone_save(zone=zone1, fields={"criticality": "very_high"})
    zone_services.zone_save(zone=zone2, fields={"criticality": "low"})
    zone1.refresh_from_db()
    zone2.refresh_from_db()
    assessment = make_assessment(site, by)
    satisfy_all(assessment)
    record(assessment, zone1, "SR 1.1", ResultStatus.NOT_MET, by, observations="Shared operator login")
    record(assessment, zone1, "SR 1.1 RE 1", ResultStatus.PARTIALLY_MET, by)
    record(assessment, zone1, "SR 5.1", ResultStatus.NOT_MET, by, observations="Flat network")
    record(assessment, zone2, "SR 1.1", ResultStatus.NOT_MET, by)
    if review:
        assessment = to_review(assessment, by)
    return Scenario(site, zone1, zone2, plant.conduits[0], assessment, by)


def generated(scenario: Scenario) -> list[Finding]:
    services.findings_generate(assessment=scenario.assessment, by=scenario.by, today=TODAY)
    return list(Finding.objects.filter(site=scenario.site).order_by("title"))


def manual_finding(site: Site, by: User, **fields: Any) -> Finding:
    data: dict[str, Any] = {
        "title": "No tested incident response plan",
        "source": FindingSource.THIRD_PARTY_AUDIT,
        "severity": Severity.HIGH,
        "identified": date(2026, 9, 15),
        **fields,
    }
    return services.finding_create(site=site, by=by, fields=data)


def make_action(site: Site, by: User, findings: list[Finding] | None = None, **fields: Any) -> Action:
    data: dict[str, Any] = {
        "title": "Named accounts",
        "status": ActionStatus.PLANNED,
        "effort_days": Decimal(3),
        "planned_start": date(2026, 12, 1),
        "due_date": date(2027, 3, 31),
        **fields,
    }
    return services.action_create(site=site, by=by, fields=data, findings=findings or [])


def finish(action: Action, by: User) -> Action:
    """planned → done through the services."""
    if action.status == ActionStatus.PROPOSED:
        action = services.action_transition(action=action, to=ActionStatus.PLANNED, by=by)
    return services.action_transition(action=action, to=ActionStatus.DONE, by=by)
