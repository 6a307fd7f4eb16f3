"""Demo plants for `manage.py seed_demo`: a water treatment works and a chemical plant."""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts.demo import FIRST_ORG, SECOND_ORG
from accounts.models import Organization
from compliance.sl import SLVector
from zones import services
from zones.choices import Direction, Sector
from zones.models import Asset, Conduit, Site, Zone

V = SLVector.parse

# name, kind, purdue level, criticality, SL-T, responsible, description
WATER_ZONES = [
    ("Enterprise IT", "enterprise", 4, "medium", "{1,1,1,1,1,1,1}", "IT service desk", "Office network, ERP, e-mail."),
    (
        "Plant DMZ",
        "dmz",
        3,
        "high",
        "{2,2,2,2,2,2,2}",
        "OT security manager",
        "Historian mirror, patch server, jump host.",
    ),
    ("SCADA", "supervisory", 2, "high", "{2,2,2,1,2,2,2}", "Control engineer", "SCADA servers, HMIs, historian."),
    (
        "Process control",
        "control",
        1,
        "very_high",
        "{2,2,2,1,3,1,2}",
        "Control engineer",
        "PLCs of intake, clarification, filtration, dosing.",
    ),
    (
        "Chlorine dosing SIS",
        "safety",
        1,
        "very_high",
        "{3,3,3,1,3,2,3}",
        "Process safety engineer",
        "Safety instrumented system for chlorine gas.",
    ),
    (
        "Field devices",
        "field",
        0,
        "high",
        "{1,1,1,0,1,1,1}",
        "Instrument technician",
        "Analysers, flow meters, drives.",
    ),
    (
        "Vendor remote access",
        "external",
        None,
        "high",
        "{2,2,1,1,2,1,1}",
        "OT security manager",
        "Vendor support over the internet.",
    ),
]
# zone, name, tag, type, role, vendor, model, firmware, addresses, SL-C, source, end of support, legacy, criticality
WATER_ASSETS = [
    (
        "Enterprise IT",
        "Corporate firewall",
        "FW-IT-01",
        "NDR",
        "firewall",
        "Fortinet",
        "FortiGate 100F",
        "7.2.8",
        "10.0.0.1",
        "{2,2,2,2,2,2,2}",
        "vendor_claim",
        None,
        False,
        "high",
    ),
    (
        "Plant DMZ",
        "DMZ firewall",
        "FW-DMZ-01",
        "NDR",
        "firewall",
        "Palo Alto",
        "PA-440",
        "11.1",
        "10.10.0.1",
        "{3,3,3,3,3,3,3}",
        "certificate",
        None,
        False,
        "very_high",
    ),
    (
        "Plant DMZ",
        "Historian mirror",
        "HIS-DMZ-01",
        "HDR",
        "historian",
        "AVEVA",
        "PI Server",
        "2018 SP3",
        "10.10.0.20",
        "{2,2,1,2,2,2,2}",
        "vendor_claim",
        "2026-06-30",
        False,
        "medium",
    ),
    (
        "Plant DMZ",
        "Remote access gateway",
        "VPN-01",
        "NDR",
        "vpn_gateway",
        "Cisco",
        "ASA 5508",
        "9.16",
        "10.10.0.5",
        "{2,2,2,2,2,2,2}",
        "vendor_claim",
        "2025-08-31",
        False,
        "high",
    ),
    (
        "SCADA",
        "SCADA server A",
        "SCADA-01",
        "HDR",
        "server",
        "Schneider Electric",
        "EcoStruxure Geo SCADA",
        "2023",
        "10.20.0.10",
        "{2,2,2,1,2,2,2}",
        "vendor_claim",
        None,
        False,
        "very_high",
    ),
    (
        "SCADA",
        "Operator HMI 1",
        "HMI-01",
        "HDR",
        "hmi",
        "Schneider Electric",
        "Magelis",
        "4.2",
        "10.20.0.21",
        "{1,1,1,1,1,1,1}",
        "vendor_claim",
        None,
        False,
        "high",
    ),
    (
        "SCADA",
        "Engineering workstation",
        "EWS-01",
        "HDR",
        "engineering_workstation",
        "Dell",
        "Precision 3660 / Windows 10",
        "22H2",
        "10.20.0.30",
        None,
        "",
        "2025-10-14",
        False,
        "high",
    ),
    (
        "SCADA",
        "OT core switch",
        "SW-OT-01",
        "NDR",
        "switch",
        "Hirschmann",
        "RSP35",
        "9.1",
        "10.20.0.2",
        "{2,2,2,1,2,2,2}",
        "certificate",
        None,
        False,
        "high",
    ),
    (
        "SCADA",
        "Control firewall",
        "FW-CTL-01",
        "NDR",
        "firewall",
        "Hirschmann",
        "EAGLE40",
        "4.3",
        "10.20.0.1",
        "{3,3,3,2,3,2,3}",
        "certificate",
        None,
        False,
        "very_high",
    ),
    (
        "Process control",
        "Intake PLC",
        "PLC-INT-01",
        "EDR",
        "plc",
        "Schneider Electric",
        "Modicon M580",
        "4.10",
        "10.30.0.11",
        "{2,2,2,1,2,1,2}",
        "certificate",
        None,
        False,
        "very_high",
    ),
    (
        "Process control",
        "Filtration PLC",
        "PLC-FIL-01",
        "EDR",
        "plc",
        "Schneider Electric",
        "Modicon M340",
        "3.20",
        "10.30.0.12",
        "{1,1,1,0,1,1,1}",
        "vendor_claim",
        "2027-12-31",
        True,
        "very_high",
    ),
    (
        "Process control",
        "Dosing PLC",
        "PLC-DOS-01",
        "EDR",
        "plc",
        "Siemens",
        "S7-300",
        "3.3",
        "10.30.0.13",
        "{1,1,1,0,1,1,1}",
        "vendor_claim",
        "2023-10-01",
        True,
        "very_high",
    ),
    (
        "Chlorine dosing SIS",
        "SIS controller",
        "SIS-01",
        "EDR",
        "sis_controller",
        "HIMA",
        "HIMax",
        "6.0",
        "10.40.0.10",
        "{3,3,3,1,3,2,3}",
        "certificate",
        None,
        False,
        "very_high",
    ),
    (
        "Field devices",
        "Chlorine analyser",
        "AIT-301",
        "EDR",
        "other",
        "Hach",
        "CL17sc",
        "2.1",
        "",
        None,
        "",
        None,
        False,
        "high",
    ),
    (
        "Field devices",
        "Raw water flow meter",
        "FIT-101",
        "EDR",
        "other",
        "Endress+Hauser",
        "Promag W 400",
        "1.4",
        "",
        None,
        "",
        None,
        False,
        "medium",
    ),
]
# Partitioning flags (IEC 62443-3-2 ZCR 3.2-3.6) by asset tag; the rest are wired, permanent IACS assets. The
# wireless flow meter in the wired field zone is the demo's partitioning finding.
WATER_ASSET_FLAGS: dict[str, dict[str, bool]] = {
    "FW-IT-01": {"business_system": True},
    "SIS-01": {"safety_related": True},
    "FIT-101": {"wireless": True},
}
# name, zones (of a one-way conduit: source first, then destination), protocols, direction, SL-T,
# boundary device tags
WATER_CONDUITS = [
    (
        "IT to DMZ",
        ["Enterprise IT", "Plant DMZ"],
        "HTTPS, RDP via jump host",
        "bidirectional",
        "{2,2,2,2,2,2,2}",
        ["FW-DMZ-01"],
    ),
    (
        "DMZ to SCADA",
        ["Plant DMZ", "SCADA"],
        "OPC UA, PI-to-PI replication",
        "bidirectional",
        "{2,2,2,1,2,2,2}",
        ["FW-CTL-01"],
    ),
    (
        "SCADA to control",
        ["SCADA", "Process control"],
        "Modbus/TCP, EtherNet/IP",
        "bidirectional",
        "{2,2,2,1,2,1,2}",
        [],
    ),
    (
        "SIS to control",
        # The control system reads the SIS's state; nothing is written to the safety system.
        ["Chlorine dosing SIS", "Process control"],
        "SafeEthernet read-only",
        "unidirectional",
        "{3,3,3,1,3,2,3}",
        [],
    ),
    (
        "Vendor remote access",
        ["Vendor remote access", "Plant DMZ"],
        "IPsec VPN",
        "bidirectional",
        "{2,2,1,1,2,1,1}",
        ["VPN-01"],
    ),
]


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


@transaction.atomic
def seed_water_works(org: Organization) -> Site:
    """A small surface-water treatment works: enterprise, DMZ, SCADA, control, safety, field, remote access."""
    site, _created = Site.objects.get_or_create(
        organization=org,
        name="Riverside Water Treatment Works",
        defaults={
            "location": "Northfield",
            "sector": Sector.WATER,
            "description": "Surface water treatment, 120 Ml/day: intake, clarification, filtration, disinfection.",
        },
    )
    if site.zones.exists():
        return site  # already seeded; never overwrite what demo users changed
    zones: dict[str, Zone] = {}
    for name, kind, level, crit, slt, responsible, description in WATER_ZONES:
        zones[name] = services.zone_save(
            zone=Zone(site=site),
            fields={"name": name, "kind": kind, "purdue_level": level, "criticality": crit, "sl_target": V(slt),
                    "responsible": responsible, "description": description},
        )  # fmt: skip
    assets: dict[str, Asset] = {}
    for zone, name, tag, ctype, role, vendor, model, fw, addr, slc, source, eos, legacy, crit in WATER_ASSETS:
        assets[tag] = services.asset_save(
            asset=Asset(),
            fields={"zone": zones[zone], "name": name, "tag": tag, "component_type": ctype, "role": role,
                    "vendor": vendor, "model": model, "firmware": fw, "network_addresses": addr,
                    "sl_capability": V(slc) if slc else None, "sl_capability_source": source,
                    "end_of_support": _date(eos), "legacy": legacy, "criticality": crit,
                    **WATER_ASSET_FLAGS.get(tag, {})},
        )  # fmt: skip
    for name, zone_names, protocols, direction, slt, devices in WATER_CONDUITS:
        flow = {}
        if direction == Direction.UNIDIRECTIONAL:
            flow = {"source_zone": zones[zone_names[0]], "destination_zone": zones[zone_names[1]]}
        services.conduit_save(
            conduit=Conduit(site=site),
            fields={"name": name, "protocols": protocols, "direction": direction, "sl_target": V(slt), **flow},
            zones=[zones[z] for z in zone_names],
            boundary_devices=[assets[t] for t in devices],
        )
    return site


@transaction.atomic
def seed_plants(orgs: dict[str, Organization]) -> None:
    seed_water_works(orgs[FIRST_ORG])
    Site.objects.get_or_create(
        organization=orgs[SECOND_ORG],
        name="Harbour Bay Chemical Plant",
        defaults={"location": "Harbour Bay", "sector": Sector.CHEMICALS, "description": "Batch chemical production."},
    )
