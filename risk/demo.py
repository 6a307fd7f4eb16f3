"""The demo's risk assessment (`manage.py seed_demo`): an IEC 62443-3-2 risk assessment of the Riverside water
works whose threat scenarios make the rule (risk/rules.py) propose exactly the SL-T vectors zones/demo.py gave
its zones and conduits, submitted by the demo consultant and approved by the demo owner (ZCR 7).

Baseline 0: the field devices have SL-T 0 on FR4, so every level comes from a scenario, never from the baseline.
No AppliedTarget rows: the SL-T vectors were already there and the proposal equals them, so applying would write
nothing (docs/decisions/0025-crs-and-partitioning.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from compliance.choices import FR_CODES
from risk import rules, services
from risk.choices import RiskStatus
from risk.models import RiskAssessment, ThreatScenario, ThreatSource
from risk.selectors import matrix_for
from zones.models import Conduit, Site, Zone

TITLE = "Riverside risk assessment 2026"
SCOPE = (
    "The water treatment control system of Riverside: SCADA, process control PLCs of intake, clarification, "
    "filtration and dosing, the chlorine dosing safety instrumented system and the field instruments, with the "
    "plant DMZ that connects them to the enterprise network and to vendor remote access.\n"
    "Perimeter: the DMZ firewall (FW-DMZ-01) towards the enterprise network and the remote access gateway "
    "(VPN-01) towards vendors. Access points: the jump host in the DMZ, the vendor VPN, the engineering "
    "workstation's USB ports and the WirelessHART gateway of the field instruments. Office IT and the vendors' "
    "own networks are outside the system under consideration and assessed only where they reach into it."
)
REGULATORY = (
    "Drinking water quality regulations: continuous disinfection and chlorine residual reporting to the regulator.\n"
    "Control of major accident hazards for the chlorine gas store (the SIS protects against a release).\n"
    "NIS2 as transposed nationally: the works is an essential entity in the drinking water sector; significant "
    "incidents are reported within 24 hours.\n"
    "Corporate OT security standard OT-SEC-01: IEC 62443-3-3 as the baseline for new and changed systems."
)

# Threat sources the demo adds to the five defaults: untargeted ransomware and a vendor's remote user are not
# the sophisticated crews and states of the defaults, so they get the capability their means call for.
EXTRA_SOURCES = [
    (
        "Commodity ransomware",
        2,
        "Untargeted ransomware spread by automated tools and affiliates through phishing, exposed RDP and "
        "known vulnerabilities: intentional, simple means, generic skills (SL 2).",
    ),
    (
        "Third-party remote user",
        2,
        "A vendor's or integrator's engineer, or whoever holds their credentials, using the legitimate remote "
        "access: intentional or careless, simple means, generic skills (SL 2).",
    ),
]

ALL = list(FR_CODES)

# target (zone or conduit name), title, threat source, FRs, likelihood, consequence, countermeasures,
# residual likelihood, residual consequence, additional countermeasures. For every target, the exceeding
# scenarios of each capability name exactly the FRs whose SL-T is that capability (zones/demo.py).
Row = tuple[str, str, str, list[str], int, dict[str, int], str, int | None, int | None, str]
SCENARIOS: list[Row] = [
    # --- zones
    ("Enterprise IT", "Office user forwards plant performance reports outside the company", "Operator error", ALL,
     3, {"reputation": 3, "regulatory": 2}, "Data classification policy; mail gateway tags external recipients.",
     2, 3, ""),
    ("Enterprise IT", "Ransomware encrypts office file servers and the ERP", "Cybercriminal group", ALL,
     2, {"financial": 2, "production": 1}, "EDR on office PCs, offline backups, the DMZ firewall drops SMB and "
     "RDP from the office network. The plant runs without office IT for weeks.", None, None, ""),
    ("Plant DMZ", "Ransomware spreads from the office network to the jump host and the historian mirror",
     "Commodity ransomware", ALL, 3, {"production": 3, "financial": 3},
     "Jump host with MFA; the DMZ firewall allows only HTTPS and RDP to the jump host from IT; monthly patching.",
     2, 3, ""),
    ("SCADA", "Disgruntled insider misuses an operator HMI to stop the dosing pumps", "Disgruntled insider",
     ["FR1", "FR2", "FR3", "FR5", "FR6", "FR7"], 3, {"safety": 3, "production": 3, "regulatory": 3},
     "Personal operator accounts, setpoint changes logged in the HMI audit trail, chlorine residual alarms.",
     2, 3, ""),
    ("SCADA", "Engineering workstation infected from a USB stick, malware spreads to SCADA servers",
     "Commodity ransomware", ["FR1", "FR2", "FR3", "FR5", "FR6", "FR7"], 4, {"production": 4, "safety": 3},
     "Antivirus with weekly signature updates; USB use by procedure only.", 3, 4,
     "Application allow-listing and USB port control on the engineering workstation; scan station for media."),
    ("SCADA", "Operator saves process reports to a personal cloud share", "Operator error", ["FR4"],
     3, {"reputation": 2, "regulatory": 3}, "Acceptable-use policy; no internet access from SCADA.", 2, 2, ""),
    ("Process control", "Ransomware crew moves from SCADA into the flat PLC network and stops treatment",
     "Cybercriminal group", ["FR5"], 3, {"production": 5, "financial": 4},
     "Control firewall between SCADA and control; PLC network not routed to the DMZ.", 2, 5,
     "Segment the PLC network per process area; allow only the SCADA servers' Modbus/TCP to each PLC."),
    ("Process control", "Contractor with engineering access changes the dosing PLC logic", "Disgruntled insider",
     ["FR1", "FR2", "FR3", "FR7"], 2, {"safety": 4, "production": 4},
     "PLC run/program key switch kept locked; logic compared with the approved version each quarter.", 1, 4, ""),
    ("Process control", "Technician copies PLC projects with passwords to an unmanaged laptop, unnoticed",
     "Operator error", ["FR4", "FR6"], 3, {"production": 2, "regulatory": 3},
     "Project files on the engineering workstation only; maintenance laptops registered.", 2, 3, ""),
    ("Chlorine dosing SIS", "Extortion crew disables the chlorine SIS trips to threaten a gas release",
     "Cybercriminal group", ["FR1", "FR2", "FR3", "FR5", "FR7"], 2,
     {"safety": 5, "environment": 4, "regulatory": 5},
     "SIS on its own network, read-only link to control, hard-wired trips on the chlorine store, key switch for "
     "SIS programming.", 1, 5, "Alert on any SIS programming session; keep the SIS engineering station offline."),
    ("Chlorine dosing SIS", "Insider bypasses an SIS trip and the bypass goes unnoticed", "Disgruntled insider",
     ["FR6"], 2, {"safety": 5}, "Bypasses logged and shown on the operator screens; shift handover checklist.",
     1, 4, ""),
    ("Chlorine dosing SIS", "SIS cause-and-effect documents left on a shared drive", "Operator error", ["FR4"],
     3, {"reputation": 2, "regulatory": 3}, "Document management with access control.", 2, 3, ""),
    ("Field devices", "Technician changes an analyser's calibration from the handheld by mistake",
     "Operator error", ["FR1", "FR2", "FR3", "FR5", "FR6", "FR7"], 3, {"safety": 2, "regulatory": 3},
     "Calibration by procedure; chlorine residual cross-checked against the laboratory daily.", 2, 3, ""),
    ("Field devices", "Wireless flow meter readings spoofed from outside the fence", "Hacktivist", ALL,
     2, {"production": 2}, "WirelessHART join keys; flow cross-checked with pump hours.", None, None, ""),
    ("Vendor remote access", "Criminal uses a vendor's stolen VPN credentials to reach the DMZ",
     "Third-party remote user", ["FR1", "FR2", "FR5"], 3, {"production": 3, "financial": 3},
     "Vendor accounts enabled on request only, MFA on the VPN.", 2, 3, ""),
    ("Vendor remote access", "Vendor engineer leaves a remote support session open", "Operator error",
     ["FR3", "FR4", "FR6", "FR7"], 3, {"production": 2, "reputation": 3},
     "Session time-out of 30 minutes on the VPN.", 2, 3, ""),
    # --- conduits
    ("IT to DMZ", "Ransomware crosses the IT/DMZ firewall over SMB or RDP", "Commodity ransomware", ALL,
     3, {"production": 3, "financial": 3}, "Deny by default; only HTTPS and RDP to the jump host.", 2, 3, ""),
    ("DMZ to SCADA", "Historian replication abused to reach the SCADA servers", "Commodity ransomware",
     ["FR1", "FR2", "FR3", "FR5", "FR6", "FR7"], 3, {"production": 3, "safety": 2},
     "Only PI-to-PI replication and OPC UA from the SCADA side; control firewall logs reviewed weekly.", 2, 3, ""),
    ("DMZ to SCADA", "Misconfigured replication copies recipes and setpoints to the DMZ", "Operator error",
     ["FR4"], 3, {"reputation": 3}, "Replication tag list reviewed at each change.", 2, 2, ""),
    ("SCADA to control", "Insider sends unauthorised Modbus writes from the SCADA network", "Disgruntled insider",
     ["FR1", "FR2", "FR3", "FR5", "FR7"], 3, {"production": 3, "safety": 3},
     "Only the SCADA servers are meant to talk to the PLCs (not enforced: no boundary device).", 3, 3,
     "Put an industrial firewall with Modbus write filtering on the conduit."),
    ("SCADA to control", "Technician mirrors control traffic to a laptop and leaves the capture on it",
     "Operator error", ["FR4", "FR6"], 3, {"production": 3, "regulatory": 2},
     "Switch port mirroring disabled by default.", 2, 3, ""),
    ("SIS to control", "Extortion crew tries to write to the SIS over the read-only link", "Cybercriminal group",
     ["FR1", "FR2", "FR3", "FR5", "FR7"], 2, {"safety": 5},
     "SafeEthernet read-only configuration; the SIS accepts no writes from control.", 1, 5,
     "Replace the read-only configuration with a hardware data diode from the SIS to control."),
    ("SIS to control", "Insider forges the SIS status shown to the operators", "Disgruntled insider", ["FR6"],
     2, {"safety": 4}, "SIS status also on hard-wired lamps in the control room.", 1, 4, ""),
    ("SIS to control", "SafeEthernet configuration exported to a shared drive", "Operator error", ["FR4"],
     3, {"regulatory": 3}, "Configuration kept on the SIS engineering station.", 2, 3, ""),
    ("Vendor remote access", "Vendor connects outside the agreed maintenance window and changes SCADA settings",
     "Third-party remote user", ["FR1", "FR2", "FR5"], 3, {"production": 3},
     "Remote sessions approved by the shift supervisor; VPN account disabled between sessions.", 2, 3, ""),
    ("Vendor remote access", "Vendor engineer copies an unscanned diagnostic file over the tunnel",
     "Operator error", ["FR3", "FR4", "FR6", "FR7"], 3, {"production": 2, "reputation": 3},
     "File transfer through the jump host's scanning share only.", 2, 3, ""),
]  # fmt: skip
# The zone and the conduit of vendor remote access share a name: these titles belong to the conduit.
CONDUIT_TITLES = {
    "Vendor connects outside the agreed maintenance window and changes SCADA settings",
    "Vendor engineer copies an unscanned diagnostic file over the tunnel",
}


def _sources(site: Site) -> dict[str, ThreatSource]:
    org_id = site.organization_id
    matrix_for(org_id)  # the defaults first
    existing = {s.name: s for s in ThreatSource.objects.filter(organization_id=org_id)}
    missing = [
        ThreatSource(organization_id=org_id, name=name, capability=capability, description=description)
        for name, capability, description in EXTRA_SOURCES
        if name not in existing
    ]
    for source in bulk_create_with_history(missing, ThreatSource):
        existing[source.name] = source
    return existing


def _scenarios(assessment: RiskAssessment, sources: dict[str, ThreatSource]) -> list[ThreatScenario]:
    site_id = assessment.site_id
    zones = {z.name: z for z in Zone.objects.filter(site_id=site_id)}
    conduits = {c.name: c for c in Conduit.objects.filter(site_id=site_id)}
    built = []
    for target, title, source, frs, likelihood, consequence, measures, res_l, res_c, more in SCENARIOS:
        on_conduit = title in CONDUIT_TITLES or (target in conduits and target not in zones)
        fields: dict[str, Any] = {"conduit": conduits[target]} if on_conduit else {"zone": zones[target]}
        built.append(
            ThreatScenario(
                risk_assessment=assessment,
                title=title,
                threat_source=sources[source],
                frs=frs,
                likelihood=likelihood,
                consequence=consequence,
                countermeasures=measures,
                residual_likelihood=res_l,
                residual_consequence=res_c,
                additional_countermeasures=more,
                **fields,
            )
        )
    for scenario in built:  # the model's rules (clean) and what its save() does: FR order, every category named
        scenario.clean()
        scenario.frs = [fr for fr in FR_CODES if fr in scenario.frs]
        scenario.consequence = {name: scenario.consequence.get(name, 0) for name in rules.CONSEQUENCE_CATEGORIES}
    return built


@transaction.atomic
def seed_risk(site: Site) -> RiskAssessment | None:
    """The approved demo risk assessment of `site` (the water works), once: nothing when the site already has a
    risk assessment (demo users may have changed it) or lacks the demo zones."""
    if site.risk_assessments.exists() or not site.zones.filter(name="Chlorine dosing SIS").exists():
        return None
    consultant = User.objects.get(username="demo-consultant")
    owner = User.objects.get(username="demo-owner")
    assessment = services.risk_assessment_create(
        site=site,
        by=consultant,
        fields={"title": TITLE, "scope": SCOPE, "regulatory": REGULATORY, "baseline_sl": 0},
    )
    bulk_create_with_history(_scenarios(assessment, _sources(site)), ThreatScenario)
    assessment = services.risk_assessment_update(
        assessment=assessment, by=consultant, fields={"status": RiskStatus.IN_REVIEW}
    )
    return services.risk_assessment_update(assessment=assessment, by=owner, fields={"status": RiskStatus.APPROVED})
