"""The demo roadmap of Riverside Water Treatment Works (idempotent): the demo assessment's findings,
a few audit, incident, scan and review findings, and 18 actions over 2026-2028 as they stand on
25 November 2026 — some done and verified, two overdue, one deferred for budget.

The demo assessment is in progress with most requirements not assessed, which would leave nothing to
plan. So the seed first completes three zones (Process control, SCADA, Field devices) through the
assessment services, leaving every result anyone already set alone, then generates findings with the
explicit allowance for an unreviewed assessment (docs/decisions/0011-verification-and-final-assessments.md).
Plant DMZ and the others stay untouched: the collaboration demo works on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from assessments import services as assessment_services
from assessments.choices import ResultStatus
from assessments.demo import TITLE
from assessments.models import Result
from compliance.models import Requirement
from remediation import services
from remediation.capability_gaps import capability_gap_finding_create
from remediation.choices import ActionStatus, FindingSource, Phase, Severity
from remediation.models import Action, Finding
from zones.models import Asset, Conduit, Site, Zone

STORY_DAY = date(2026, 11, 25)  # "today" in the story: two actions are late by then
ASSESSED_ON = date(2026, 11, 13)

# (zone, requirement) -> (status, observations). Every other result of these zones that nobody has
# assessed yet becomes met, or not applicable for wireless.
COMPLETE_ZONES = ("Process control", "SCADA", "Field devices")
GAPS: dict[tuple[str, str], tuple[str, str]] = {
    ("Process control", "SR 1.1 RE 1"): (
        ResultStatus.NOT_MET,
        "The PLC engineering software has one shared 'engineer' login used by staff and integrators.",
    ),
    ("Process control", "SR 1.3"): (ResultStatus.PARTIALLY_MET, "No list of who holds PLC programming access."),
    ("Process control", "SR 3.4"): (
        ResultStatus.NOT_MET,
        "Nothing checks that the logic running in the PLCs matches the approved version.",
    ),
    ("Process control", "SR 5.2 RE 1"): (
        ResultStatus.PARTIALLY_MET,
        "The L2/L1 firewall lets the whole SCADA VLAN reach the PLCs on every port.",
    ),
    ("Process control", "SR 7.3 RE 1"): (
        ResultStatus.NOT_MET,
        "PLC program backups exist but have never been restored for a test.",
    ),
    ("SCADA", "SR 2.6"): (ResultStatus.NOT_MET, "Remote HMI sessions stay open indefinitely."),
    ("SCADA", "SR 6.2"): (ResultStatus.NOT_MET, "Nobody monitors the SCADA network; no IDS, no alerting."),
    ("Field devices", "SR 1.1"): (
        ResultStatus.NOT_MET,
        "Drives and analysers have no login on their local panels: anyone at the cabinet can change settings.",
    ),
}
WIRELESS = {"SR 1.6", "SR 1.6 RE 1", "SR 2.2", "SR 2.2 RE 1"}


@dataclass
class ManualFinding:
    key: str
    title: str
    source: str
    severity: str
    identified: date
    reference: str
    description: str
    zone: str = ""
    conduit: str = ""
    requirement: str = ""


MANUAL = [
    ManualFinding(
        "irp", "No tested OT incident response plan", FindingSource.THIRD_PARTY_AUDIT, Severity.HIGH,
        date(2026, 9, 15), "TPA-2026 finding 3",
        "The corporate IT incident plan does not cover the plant; no OT exercise has been held.",
    ),
    ManualFinding(
        "vendor", "Vendor remote access sessions are not recorded", FindingSource.THIRD_PARTY_AUDIT, Severity.HIGH,
        date(2026, 9, 15), "TPA-2026 finding 5",
        "Vendors connect through the jump host; nothing records what they do.",
        zone="Vendor remote access", requirement="SR 2.8",
    ),
    ManualFinding(
        "leavers", "No leaver process for contractors", FindingSource.INTERNAL_REVIEW, Severity.MEDIUM,
        date(2026, 9, 7), "SCADA account review 2026",
        "Two contractors who left in 2025 still had active SCADA accounts.",
        zone="SCADA", requirement="SR 1.3",
    ),
    ManualFinding(
        "usb", "USB malware on an operator station", FindingSource.INCIDENT, Severity.HIGH,
        date(2026, 8, 12), "INC-2026-0815",
        "A contractor's USB stick carried malware onto an HMI; contained by allow-listing, no process impact.",
        zone="SCADA", requirement="SR 2.3",
    ),
    ManualFinding(
        "tls", "Historian web interface accepts TLS 1.0 with a self-signed certificate",
        FindingSource.VULNERABILITY_SCAN, Severity.MEDIUM, date(2026, 10, 2), "Scan 2026-Q3 #41",
        "Found by the quarterly authenticated scan of the SCADA VLAN.",
        zone="SCADA", requirement="SR 4.3",
    ),
    ManualFinding(
        "rules", "Firewall rule reviews lapsed after the 2025 audit", FindingSource.INTERNAL_REVIEW, Severity.MEDIUM,
        date(2026, 7, 20), "OT security review July 2026",
        "The quarterly review of the three plant firewalls agreed after the 2025 audit has not been held since "
        "February: nobody owns it.",
    ),
]  # fmt: skip


@dataclass
class DemoAction:
    title: str
    phase: str
    owner: str
    start: date
    due: date
    status: str
    effort: str
    findings: list[str] = field(default_factory=list)  # "zone|SR" of generated findings, or manual keys
    cost: str | None = None
    window: str = ""
    compensating: bool = False
    done_on: date | None = None
    verified_on: date | None = None
    fix: dict[str, tuple[str, str]] = field(default_factory=dict)  # result "zone|ref" -> (status, text)
    description: str = ""
    test: str = ""
    rollback: str = ""
    zones: list[str] = field(default_factory=list)
    conduits: list[str] = field(default_factory=list)


OWNER, CONSULTANT = "demo-owner", "demo-consultant"
DOSING_PLC = "PLC-DOS-01"
ACTIONS = [
    # --- quick wins ---
    DemoAction(
        "Remove the two any-any rules on the DMZ-SCADA firewall", Phase.QUICK_WIN, OWNER,
        date(2026, 11, 9), date(2026, 11, 20), ActionStatus.VERIFIED, "1.5",
        findings=["DMZ to SCADA|SR 5.2"], done_on=date(2026, 11, 19), verified_on=date(2026, 11, 23),
        fix={"DMZ to SCADA|SR 5.2": (ResultStatus.MET, "Any-any rules removed on 19 Nov; rule base re-reviewed.")},
        test="Check historian replication and patch distribution still flow; run the rule-base export diff.",
        rollback="Re-import the saved rule base (config backup 2026-11-18).",
    ),
    DemoAction(
        "Restore-test the PLC program backups", Phase.QUICK_WIN, OWNER,
        date(2026, 11, 30), date(2026, 12, 18), ActionStatus.PLANNED, "3",
        findings=["Process control|SR 7.3"],
        description="Restore each PLC's latest backup to the test rack and compare with the running logic.",
        test="Compare checksums of the restored and running programs.", rollback="None needed: test rack only.",
    ),
    DemoAction(
        "Quarterly review of the plant firewall rule bases", Phase.QUICK_WIN, CONSULTANT,
        date(2026, 10, 5), date(2026, 10, 30), ActionStatus.IN_PROGRESS, "2", findings=["rules"],
        description="Name an owner, write the review checklist, hold the first review.",
    ),
    DemoAction(
        "Replace the historian certificate and disable TLS 1.0", Phase.QUICK_WIN, OWNER,
        date(2026, 10, 19), date(2026, 11, 13), ActionStatus.PLANNED, "1", findings=["tls"],
        test="Scan the historian again; check the HMIs' trend displays.",
        rollback="Re-enable the old bindings in IIS (documented in the change ticket).",
    ),
    DemoAction(
        "Lock the field panels and control the cabinet keys", Phase.QUICK_WIN, OWNER,
        date(2026, 11, 16), date(2026, 12, 18), ActionStatus.IN_PROGRESS, "4",
        findings=["Field devices|SR 1.1"], cost="3800", compensating=True,
        description="The drives and analysers cannot authenticate users: lockable cabinets, key register, "
        "and a weekly check of the panel seals compensate.",
        test="Walk-down: every cabinet locked, every key in the register.",
    ),
    # --- 0-3 months ---
    DemoAction(
        "USB device control on the operator stations", Phase.SHORT_TERM, OWNER,
        date(2026, 8, 24), date(2026, 9, 30), ActionStatus.DONE, "3", findings=["usb"], done_on=date(2026, 9, 28),
        test="Insert an unapproved stick on each station: blocked and logged.",
        rollback="Policy can be switched to audit-only from the management console.",
    ),
    DemoAction(
        "Session recording on the vendor jump host", Phase.SHORT_TERM, CONSULTANT,
        date(2026, 9, 21), date(2026, 10, 16), ActionStatus.VERIFIED, "4", findings=["vendor"], cost="6500",
        done_on=date(2026, 10, 9), verified_on=date(2026, 10, 15),
    ),
    DemoAction(
        "Named service accounts for the HMIs and the historian", Phase.SHORT_TERM, OWNER,
        date(2026, 12, 1), date(2027, 2, 26), ActionStatus.PLANNED, "8", findings=["SCADA|SR 1.2"],
        test="Historian collection and HMI trends run for 48 h under the new accounts.",
        rollback="Switch the services back to the old account (kept disabled for 30 days).",
    ),
    DemoAction(
        "OT incident response plan and a first tabletop exercise", Phase.SHORT_TERM, CONSULTANT,
        date(2027, 1, 11), date(2027, 2, 26), ActionStatus.PLANNED, "10", findings=["irp"], cost="12000",
    ),
    DemoAction(
        "Contractor leaver process with HR and the integrators", Phase.SHORT_TERM, OWNER,
        date(2026, 9, 21), date(2026, 10, 30), ActionStatus.VERIFIED, "2", findings=["leavers"],
        done_on=date(2026, 10, 26), verified_on=date(2026, 11, 6),
    ),
    # --- 3-12 months ---
    DemoAction(
        "Named accounts on the PLC engineering software", Phase.MID_TERM, OWNER,
        date(2027, 2, 1), date(2027, 4, 30), ActionStatus.PLANNED, "12",
        findings=["Process control|SR 1.1", "Process control|SR 1.3"], cost="9000",
        test="Each engineer downloads a test change to the test PLC with their own account.",
        rollback="The shared account stays, disabled, in the vault until the Spring shutdown is over.",
    ),
    DemoAction(
        "Deny-by-default rule base on the L2/L1 firewall", Phase.MID_TERM, CONSULTANT,
        date(2027, 3, 15), date(2027, 5, 14), ActionStatus.PLANNED, "10",
        findings=["Process control|SR 5.2"], window="Spring shutdown 2027",
        test="Run every HMI screen and historian tag list against the new rules in learning mode first.",
        rollback="Load the previous rule set (one click on the firewall manager); plant runs on manual meanwhile.",
    ),
    DemoAction(
        "Account reviews and password policy for SCADA", Phase.MID_TERM, OWNER,
        date(2027, 1, 18), date(2027, 6, 30), ActionStatus.PLANNED, "6", findings=["SCADA|SR 1.3", "SCADA|SR 1.7"],
    ),
    DemoAction(
        "Test security functions after every change", Phase.MID_TERM, CONSULTANT,
        date(2027, 3, 1), date(2027, 6, 30), ActionStatus.PLANNED, "5", findings=["SCADA|SR 3.3"],
        description="Add a security test step to the change procedure: logins, firewall, anti-malware, logging.",
    ),
    DemoAction(
        "Integrity check of the PLC logic against the approved versions", Phase.MID_TERM, CONSULTANT,
        date(2027, 4, 12), date(2027, 8, 31), ActionStatus.PLANNED, "15",
        findings=["Process control|SR 3.4"], cost="18000", window="Summer maintenance week 2027",
    ),
    DemoAction(
        "Central log collection for SCADA and the firewalls", Phase.MID_TERM, CONSULTANT,
        date(2027, 5, 3), date(2027, 10, 29), ActionStatus.PLANNED, "20", findings=["SCADA|SR 6.1"], cost="25000",
    ),
    # --- 12-18 months and beyond ---
    DemoAction(
        "Continuous monitoring of the SCADA network (OT IDS)", Phase.LONG_TERM, CONSULTANT,
        date(2028, 1, 10), date(2028, 6, 30), ActionStatus.DEFERRED, "30", findings=["SCADA|SR 6.2"], cost="85000",
        description="Deferred to the 2028 budget.",
    ),
    DemoAction(
        "Replace the two Windows 7 operator stations", Phase.LONG_TERM, OWNER,
        date(2027, 11, 1), date(2028, 5, 31), ActionStatus.PROPOSED, "25", cost="42000",
        window="Spring shutdown 2028", zones=["SCADA"],
        description="Ends the compensating countermeasure on SR 3.2 (allow-listing on unsupported stations).",
    ),
]  # fmt: skip


def _complete_assessment(assessment: Any, consultant: User) -> None:
    rows = Result.objects.filter(
        assessment=assessment, zone__name__in=COMPLETE_ZONES, status=ResultStatus.NOT_ASSESSED, in_scope=True
    ).select_related("requirement", "zone")
    for result in rows:
        key = (result.zone.name, result.requirement.ref)  # type: ignore[union-attr]
        if key in GAPS:
            status, text = GAPS[key]
            fields = {"status": status, "observations": text}
        elif result.requirement.ref in WIRELESS:
            fields = {"status": ResultStatus.NOT_APPLICABLE, "justification": "No wireless networks in this zone."}
        else:
            fields = {"status": ResultStatus.MET}
        assessment_services.result_update(result=result, by=consultant, fields=fields)


def _finding_key(finding: Finding) -> str:
    target = finding.zone or finding.conduit
    return f"{target.name if target else ''}|{finding.requirement.ref if finding.requirement else ''}"


def _result(assessment: Any, key: str) -> Result:
    """The result "target|ref" of the assessment (the target a zone or a conduit)."""
    target, ref = key.split("|")
    rows = Result.objects.filter(assessment=assessment, requirement__ref=ref)
    result: Result = rows.filter(Q(zone__name=target) | Q(conduit__name=target)).get()
    return result


# The program app's demo (program.demo.seed_program) writes a year of third-party audit findings. When
# they are there, the roadmap's audit actions address those instead of adding look-alikes.
AUDIT_MATCHES = {"irp": "response plan", "vendor": "remote access"}


def _existing_audit_finding(site: Site, m: ManualFinding) -> Finding | None:
    if m.source != FindingSource.THIRD_PARTY_AUDIT:
        return None
    audits = Finding.objects.filter(site=site, source=FindingSource.THIRD_PARTY_AUDIT)
    if not audits.exists():
        return None
    match = audits.filter(title__icontains=AUDIT_MATCHES.get(m.key, m.title)).order_by("-identified").first()
    return match or audits.order_by("-identified").first()


@transaction.atomic
def seed_roadmap(site: Site) -> list[Action] | None:
    """Create the demo roadmap once; never touch a site that already has actions or assessment findings
    (audit findings seeded by the program demo are reused, not duplicated)."""
    generated = Finding.objects.filter(site=site, source=FindingSource.ASSESSMENT)
    if generated.exists() or Action.objects.filter(site=site).exists():
        return None
    assessment = site.assessments.filter(title=TITLE).first()
    if assessment is None or assessment.is_final:
        return None
    owner = User.objects.get(username=OWNER)
    consultant = User.objects.get(username=CONSULTANT)
    people = {OWNER: owner, CONSULTANT: consultant}

    _complete_assessment(assessment, consultant)
    services.findings_generate(assessment=assessment, by=consultant, allow_unreviewed=True, today=ASSESSED_ON)
    findings: dict[str, Finding] = {_finding_key(f): f for f in generated.all()}
    for m in MANUAL:
        existing = _existing_audit_finding(site, m)
        if existing is not None:
            findings[m.key] = existing
            continue
        fields: dict[str, Any] = {
            "title": m.title, "source": m.source, "severity": m.severity, "identified": m.identified,
            "reference": m.reference, "description": m.description,
        }  # fmt: skip
        if m.zone:
            fields["zone"] = Zone.objects.get(site=site, name=m.zone)
        if m.conduit:
            fields["conduit"] = Conduit.objects.get(site=site, name=m.conduit)
        if m.requirement:
            fields["requirement"] = Requirement.objects.current().get(catalogue__part="3-3", ref=m.requirement)
        findings[m.key] = services.finding_create(site=site, by=owner, fields=fields)
    # The legacy dosing PLC's SL-C is below its zone's target: recorded as a capability-gap finding (issue 16).
    dosing_plc = Asset.objects.filter(zone__site=site, tag=DOSING_PLC).first()
    if dosing_plc is not None:
        capability_gap_finding_create(asset=dosing_plc, by=consultant, today=ASSESSED_ON)

    created = []
    for spec in ACTIONS:
        created.append(_seed_action(site, assessment, spec, findings, people))
    return created


def _seed_action(
    site: Site, assessment: Any, spec: DemoAction, findings: dict[str, Finding], people: dict[str, User]
) -> Action:
    by = people[spec.owner]
    final_status = spec.status
    start_status = ActionStatus.PLANNED if final_status in (ActionStatus.DONE, ActionStatus.VERIFIED) else final_status
    fields: dict[str, Any] = {
        "title": spec.title, "description": spec.description, "owner": by, "phase": spec.phase,
        "effort_days": Decimal(spec.effort), "cost_estimate": Decimal(spec.cost) if spec.cost else None,
        "planned_start": spec.start, "due_date": spec.due, "needs_maintenance_window": bool(spec.window),
        "maintenance_window": spec.window, "test_procedure": spec.test, "rollback_plan": spec.rollback,
        "compensating": spec.compensating, "status": start_status,
    }  # fmt: skip
    linked = [findings[k] for k in spec.findings]
    zones = list(Zone.objects.filter(site=site, name__in=spec.zones)) if spec.zones else None
    conduits = list(Conduit.objects.filter(site=site, name__in=spec.conduits)) if spec.conduits else None
    action = services.action_create(site=site, by=by, fields=fields, findings=linked, zones=zones, conduits=conduits)
    if final_status in (ActionStatus.DONE, ActionStatus.VERIFIED):
        action = services.action_transition(action=action, to=ActionStatus.DONE, by=by)
        # Back-date the story: the work was finished before the demo's "today".
        Action.objects.filter(pk=action.pk).update(completed_on=spec.done_on)
        action.refresh_from_db()
    if final_status == ActionStatus.VERIFIED:
        for key, (status, text) in spec.fix.items():
            result = _result(assessment, key)
            assessment_services.result_update(result=result, by=by, fields={"status": status, "observations": text})
        services.action_verify(
            action=action, by=by, note="Checked on site against the test procedure.", today=spec.verified_on
        )
        action.refresh_from_db()
    return action


__all__ = ["STORY_DAY", "seed_roadmap"]
