"""A year of security-program history for the demo organization (December 2025 to November 2026).

The story: a backlog of critical vulnerabilities is worked off and patching gets faster, until the PLC
firmware flaws found in June have to wait for the September shutdown (the setback), after which patches
land within weeks again; training completion climbs from about 40 % to nearly 90 %; three exercises are
held; the findings of two external audits are closed one by one. CVE and advisory ids are invented in the
real formats; they do not describe real products' flaws.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import transaction

from accounts.models import Organization
from program import services
from program.models import Exercise, TrainingRecord, Vulnerability
from zones.models import Asset, Site

SITE = "Riverside Water Treatment Works"
D = date.fromisoformat

# asset tag, CVE, advisory, CVSS, found, fixed, status (None: from the fixed date), title; notes by tag and id
# fmt: off
VULNERABILITIES: list[tuple[str, str, str, str, str, str | None, str | None, str]] = [
    ("SCADA-01", "CVE-2025-20417", "", "9.8", "2025-02-10", "2025-05-20", None,
     "SCADA server: unauthenticated file upload in the web client"),
    ("HMI-01", "CVE-2025-20583", "", "9.1", "2025-04-01", "2025-07-15", None,
     "HMI runtime: hard-coded credentials in the remote viewer"),
    ("FW-IT-01", "CVE-2025-24472", "", "9.8", "2025-08-04", "2025-11-18", None,
     "Firewall SSL-VPN: heap overflow in the portal"),
    ("PLC-DOS-01", "CVE-2025-31930", "", "9.3", "2025-08-20", "2026-02-10", "mitigated",
     "PLC CPU: crafted packets stop the controller"),
    ("FW-IT-01", "CVE-2025-32756", "", "9.8", "2025-09-15", "2026-01-12", None,
     "Firewall management interface: authentication bypass"),
    ("VPN-01", "CVE-2025-20352", "", "9.4", "2025-10-06", "2026-01-27", None,
     "VPN gateway web services: remote code execution"),
    ("SCADA-01", "CVE-2025-41218", "SEVD-2025-314-02", "9.8", "2025-11-10", "2026-02-20", None,
     "SCADA server: deserialisation in the database service"),
    ("EWS-01", "CVE-2025-49704", "", "9.8", "2025-12-09", "2026-03-05", None,
     "Windows: remote code execution in a network service"),
    ("HIS-DMZ-01", "CVE-2026-10322", "ICSA-26-020-01", "9.1", "2026-01-20", "2026-03-30", None,
     "Historian: SQL injection in the web API"),
    ("FW-DMZ-01", "CVE-2026-0300", "", "10.0", "2026-03-12", "2026-04-08", None,
     "Firewall VPN portal: OS command injection"),
    ("HMI-01", "CVE-2026-21741", "", "9.8", "2026-04-14", "2026-05-26", None,
     "HMI panel: stack overflow in the project transfer service"),
    ("SW-OT-01", "CVE-2026-25114", "", "9.8", "2026-05-05", "2026-06-02", None,
     "Managed switch: unauthenticated configuration download"),
    ("PLC-INT-01", "CVE-2026-31577", "ICSA-26-160-03", "9.8", "2026-06-09", "2026-09-14", None,
     "PLC: remote firmware change without authentication"),
    ("PLC-FIL-01", "CVE-2026-31578", "ICSA-26-160-03", "9.8", "2026-06-09", "2026-07-02", "mitigated",
     "PLC: remote firmware change without authentication"),
    ("FW-CTL-01", "CVE-2026-33290", "", "9.6", "2026-06-16", "2026-09-15", None,
     "Industrial firewall: authentication bypass on the web interface"),
    ("VPN-01", "CVE-2026-20127", "", "9.8", "2026-09-22", "2026-10-08", None,
     "VPN gateway: remote code execution before login"),
    ("EWS-01", "CVE-2026-38410", "", "9.8", "2026-10-14", "2026-10-30", None,
     "Windows: wormable remote code execution"),
    ("HIS-DMZ-01", "CVE-2026-40112", "", "9.1", "2026-10-27", "2026-11-12", None,
     "Historian: path traversal lets a user read any file"),
    ("FW-IT-01", "CVE-2026-41877", "", "9.8", "2026-11-02", "2026-11-16", None,
     "Firewall: heap overflow in the SSL-VPN daemon"),
    ("SCADA-01", "CVE-2026-43205", "SEVD-2026-306-01", "9.1", "2026-11-03", None, None,
     "SCADA server: privilege escalation through the OPC service"),
    ("SW-OT-01", "CVE-2026-12931", "", "7.5", "2026-02-03", "2026-04-21", None,
     "Managed switch: denial of service through crafted LLDP frames"),
    ("HMI-01", "CVE-2026-14220", "", "5.5", "2026-03-02", None, "risk_accepted",
     "HMI panel: cleartext storage of the project password"),
    ("SIS-01", "", "HIMA-SA-2026-02", "7.8", "2026-04-07", "2026-06-30", "mitigated",
     "Safety controller: engineering tool accepts an unsigned project file"),
    ("AIT-301", "CVE-2026-18044", "", "6.5", "2026-05-18", "2026-06-11", None,
     "Analyser: default password on the maintenance web page"),
    ("EWS-01", "CVE-2026-22690", "", "7.3", "2026-07-07", None, None,
     "Engineering software: DLL hijacking at start-up"),
    ("FIT-101", "", "EH-SA-2026-0007", "4.3", "2026-08-11", None, None,
     "Flow meter: web server discloses configuration"),
    ("HIS-DMZ-01", "CVE-2026-35501", "", "6.1", "2026-08-25", "2026-10-06", None,
     "Historian: cross-site scripting in the trend viewer"),
]
# fmt: on
NOTES = {
    ("PLC-DOS-01", "CVE-2025-31930"): (
        "No firmware fix for this legacy CPU. Only the engineering workstation may reach it; port filtering on the "
        "control firewall."
    ),
    ("PLC-INT-01", "CVE-2026-31577"): ("Firmware update needs a process stop: done in the September shutdown."),
    ("PLC-FIL-01", "CVE-2026-31578"): (
        "Legacy CPU, no fix from the vendor. Compensating control: write access only from the engineering "
        "workstation, key switch in RUN."
    ),
    ("FW-CTL-01", "CVE-2026-33290"): (
        "Replacement firmware needs a reboot of the control firewall: September shutdown."
    ),
    ("SCADA-01", "CVE-2026-43205"): ("Vendor hot fix under test on the standby server."),
    ("HMI-01", "CVE-2026-14220"): ("Panels are in locked cabinets; accepted until the HMI replacement in 2027."),
    ("SIS-01", "HIMA-SA-2026-02"): (
        "Project files checked against the approved hash before download (procedure SIS-07)."
    ),
}

# programme, period start, period end, required, completed
TRAINING = [
    ("OT security awareness", "2025-10-01", "2025-12-31", 58, 24),
    ("OT security awareness", "2026-01-01", "2026-03-31", 60, 33),
    ("OT security awareness", "2026-04-01", "2026-06-30", 62, 44),
    ("OT security awareness", "2026-07-01", "2026-09-30", 64, 55),
    ("OT security awareness", "2026-10-01", "2026-11-20", 66, 58),
    ("Incident response roles (on-call engineers)", "2025-10-01", "2025-12-31", 12, 6),
    ("Incident response roles (on-call engineers)", "2026-01-01", "2026-03-31", 12, 8),
    ("Incident response roles (on-call engineers)", "2026-04-01", "2026-06-30", 14, 9),
    ("Incident response roles (on-call engineers)", "2026-07-01", "2026-09-30", 14, 13),
    ("Incident response roles (on-call engineers)", "2026-10-01", "2026-11-20", 14, 13),
]

# date, kind, scenario, participants, outcome, lessons learned
EXERCISES = [
    ("2025-06-18", "tabletop", "Ransomware reaches the SCADA servers", 9, "partially_met",
     "Nobody knew where the offline copies of the PLC programs were. The call tree still listed two leavers."),
    ("2026-02-25", "tabletop", "Compromised vendor remote access to the PLCs", 11, "partially_met",
     "Vendor sessions could not be cut quickly: only IT had the gateway admin password. Sessions are not recorded."),
    ("2026-05-20", "functional", "Loss of view: run chlorine dosing by hand from the local panels", 14, "met",
     "Manual dosing held for four hours. Local panel procedures needed updating for the new dosing pumps."),
    ("2026-09-09", "full_scale", "Restore the SCADA server and PLC programs from offline backups", 12, "met",
     "Restore took 3 h 40 min against a 4 h objective. The backup of the filtration PLC was two versions old."),
]  # fmt: skip

# reference, title, severity, identified, status, resolved on
AUDIT_FINDINGS = [
    ("AUD-2025-01", "Firewall rule base never reviewed", "medium", "2025-10-07", "resolved", "2025-12-15"),
    ("AUD-2025-02", "No asset inventory of the control network", "high", "2025-10-07", "resolved", "2026-02-27"),
    ("AUD-2025-03", "Legacy dosing PLC cannot be patched", "high", "2025-10-07", "accepted_risk", None),
    ("AUD-2026-01", "Shared administrator account on the historian", "high", "2026-03-16", "resolved", "2026-05-12"),
    ("AUD-2026-02", "Firewall changes not documented", "medium", "2026-03-16", "resolved", "2026-04-20"),
    ("AUD-2026-03", "No offline backup of PLC programs", "high", "2026-03-16", "resolved", "2026-06-30"),
    ("AUD-2026-04", "Vendor remote access sessions not recorded", "high", "2026-03-16", "resolved", "2026-09-28"),
    ("AUD-2026-05", "Patch status of the HMIs unknown", "medium", "2026-03-16", "resolved", "2026-10-19"),
    ("AUD-2026-06", "Response plan not tested with the SIS vendor", "medium", "2026-03-16", "in_remediation", None),
]


@transaction.atomic
def seed_program(org: Organization) -> dict[str, int]:
    """Add the demo history to the organization's Riverside site (idempotent: each kind of data is added
    only to a site that has none of it, so nothing demo users changed is touched). Returns what was added."""
    added = {"vulnerabilities": 0, "training": 0, "exercises": 0, "audit_findings": 0}
    site = Site.objects.filter(organization=org, name=SITE).first()
    if site is None:
        return added
    assets = {a.tag: a for a in Asset.objects.filter(zone__site=site).exclude(tag="")}
    if not Vulnerability.objects.filter(asset__zone__site=site).exists():
        for tag, cve, advisory, score, found, fixed, status, title in VULNERABILITIES:
            if tag not in assets:
                continue  # a demo user removed the asset
            notes = NOTES.get((tag, cve or advisory), "")
            fields = {"asset": assets[tag], "cve": cve, "advisory": advisory, "title": title, "notes": notes,
                      "cvss_score": Decimal(score), "found": D(found), "fixed": D(fixed) if fixed else None,
                      "status": status or ("fixed" if fixed else "open")}  # fmt: skip
            services.vulnerability_save(vulnerability=Vulnerability(), fields=fields)
            added["vulnerabilities"] += 1
    if not TrainingRecord.objects.filter(site=site).exists():
        for programme, start, end, required, completed in TRAINING:
            fields = {"programme": programme, "period_start": D(start), "period_end": D(end),
                      "people_required": required, "people_completed": completed}  # fmt: skip
            services.training_record_save(record=TrainingRecord(site=site), fields=fields)
            added["training"] += 1
    if not Exercise.objects.filter(site=site).exists():
        for held_on, kind, scenario, participants, outcome, lessons in EXERCISES:
            fields = {"held_on": D(held_on), "kind": kind, "scenario": scenario, "participants": participants,
                      "outcome": outcome, "lessons_learned": lessons}  # fmt: skip
            services.exercise_save(exercise=Exercise(site=site), fields=fields)
            added["exercises"] += 1
    added["audit_findings"] = _seed_audit_findings(site)
    return added


def _seed_audit_findings(site: Site) -> int:
    """Findings of two external audits, written straight to remediation's Finding (when that app has it)."""
    try:
        finding_model = apps.get_model("remediation", "Finding")
    except LookupError:
        return 0
    if finding_model.objects.filter(site=site, source="third_party_audit").exists():
        return 0
    has_reference = any(f.name == "reference" for f in finding_model._meta.get_fields())
    for reference, title, severity, identified, status, resolved in AUDIT_FINDINGS:
        finding = finding_model(
            site=site,
            title=title,
            description=f"Finding {reference} of the external OT security audit.",
            source="third_party_audit",
            severity=severity,
            status=status,
            identified=D(identified),
            resolved_at=D(resolved) if resolved else None,
        )
        if has_reference:
            finding.reference = reference
        finding.full_clean()
        finding.save()
    return len(AUDIT_FINDINGS)
