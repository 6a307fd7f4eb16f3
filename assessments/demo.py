"""The demo gap assessment of Riverside Water Treatment Works, part-way through (idempotent)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from assessments import services
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.demo_evidence import seed_evidence
from assessments.models import Assessment, Result
from zones.models import Site

TITLE = "Riverside 2026 gap assessment (IEC 62443-3-3)"

# (zone or conduit, requirement id) -> (status, observations, countermeasure or justification)
FINDINGS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("SCADA", "SR 1.1"): (ResultStatus.MET, "Operators log in to the HMIs with named Windows domain accounts.", ""),
    ("SCADA", "SR 1.2"): (ResultStatus.NOT_MET, "The historian's OPC service runs under a shared local account.", ""),
    ("SCADA", "SR 1.3"): (
        ResultStatus.PARTIALLY_MET,
        "Accounts are reviewed yearly; no leaver process for contractors.",
        "",
    ),
    ("SCADA", "SR 1.5"): (ResultStatus.MET, "Default vendor passwords changed at commissioning (checklist seen).", ""),
    ("SCADA", "SR 1.7"): (ResultStatus.PARTIALLY_MET, "Domain policy: 8 characters, no history on local accounts.", ""),
    ("SCADA", "SR 2.1"): (ResultStatus.MET, "Role-based access in the SCADA software: operator, engineer, admin.", ""),
    ("SCADA", "SR 2.8"): (ResultStatus.MET, "HMI audit log records logins and set-point changes.", ""),
    ("SCADA", "SR 3.2"): (
        ResultStatus.COMPENSATED,
        "Two Windows 7 operator stations cannot run the current anti-malware agent.",
        "Application allow-listing on both stations, USB ports disabled, no internet route; reviewed monthly.",
    ),
    ("SCADA", "SR 3.3"): (ResultStatus.NOT_MET, "No documented test of security functions after changes.", ""),
    ("SCADA", "SR 5.1"): (ResultStatus.MET, "SCADA VLAN separated from DMZ and control by the site firewall.", ""),
    ("SCADA", "SR 1.9"): (
        ResultStatus.NOT_APPLICABLE,
        "",
        "No public-key authentication is used in this zone; passwords and domain accounts only.",
    ),
    ("SCADA", "SR 6.1"): (ResultStatus.PARTIALLY_MET, "Logs kept locally for 30 days; nobody reviews them.", ""),
    ("Process control", "SR 1.1"): (
        ResultStatus.COMPENSATED,
        "The PLCs' programming port has no user authentication (legacy firmware).",
        "Engineering workstation is the only host allowed through the conduit; key switch in RUN position.",
    ),
    ("Process control", "SR 5.1"): (ResultStatus.MET, "Control network is its own VLAN behind the L2/L1 firewall.", ""),
    ("Process control", "SR 7.1"): (
        ResultStatus.MET,
        "Controllers rate-limit Modbus requests (vendor test report).",
        "",
    ),
    ("DMZ to SCADA", "SR 5.1"): (ResultStatus.MET, "Only the historian replication and patch server cross.", ""),
    ("DMZ to SCADA", "SR 5.2"): (
        ResultStatus.PARTIALLY_MET,
        "Rule base has two any-any rules left from commissioning.",
        "",
    ),
}
WHOLE_TARGETS = {"Enterprise IT": (ResultStatus.MET, "Covered by corporate IT controls; evidence from the IT audit.")}


@transaction.atomic
def seed_assessment(site: Site) -> Assessment | None:
    """Create the demo assessment once; never touch one that demo users may have changed."""
    if site.assessments.exists():
        return None
    consultant = User.objects.get(username="demo-consultant")
    owner = User.objects.get(username="demo-owner")
    assessment = services.assessment_create(
        site=site,
        title=TITLE,
        by=consultant,
        lead=consultant,
        team=[consultant, owner],
        planned_start=date(2026, 11, 2),
        planned_end=date(2026, 12, 18),
    )
    services.assessment_transition(assessment=assessment, to=AssessmentStatus.IN_PROGRESS, by=consultant)
    results = Result.objects.filter(assessment=assessment).select_related("requirement", "zone", "conduit")
    for result in results:
        name = result.target.name
        if (name, result.requirement.ref) in FINDINGS:
            status, observations, extra = FINDINGS[(name, result.requirement.ref)]
        elif name in WHOLE_TARGETS:
            status, observations = WHOLE_TARGETS[name]
            extra = ""
        else:
            continue
        fields = {"status": status, "observations": observations}
        if status == ResultStatus.COMPENSATED:
            fields["countermeasure"] = extra
        if status == ResultStatus.NOT_APPLICABLE:
            fields["justification"] = extra
        who = owner if result.zone_id and result.target.name == "Enterprise IT" else consultant
        services.result_update(result=result, by=who, fields=fields)
    seed_evidence(assessment, consultant, owner)
    return assessment
