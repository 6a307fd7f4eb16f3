"""Build small plants for the zones tests."""

from __future__ import annotations

from dataclasses import dataclass

from compliance.sl import SLVector
from zones import services
from zones.models import Asset, Conduit, Site, Zone


def make_zone(site: Site, name: str, slt: str = "{2,2,2,2,2,2,2}", **fields: object) -> Zone:
    return services.zone_save(zone=Zone(site=site), fields={"name": name, "sl_target": SLVector.parse(slt), **fields})


def make_asset(zone: Zone, name: str, slc: str | None = None, **fields: object) -> Asset:
    data: dict[str, object] = {"zone": zone, "name": name, "component_type": "EDR", **fields}
    if slc:
        data.update(sl_capability=SLVector.parse(slc), sl_capability_source="vendor_claim")
    return services.asset_save(asset=Asset(), fields=data)


def make_conduit(
    site: Site, name: str, zones: list[Zone], slt: str = "{2,2,2,2,2,2,2}", devices: list[Asset] | None = None
) -> Conduit:
    return services.conduit_save(
        conduit=Conduit(site=site),
        fields={"name": name, "sl_target": SLVector.parse(slt)},
        zones=zones,
        boundary_devices=devices or [],
    )


@dataclass
class Plant:
    site: Site
    dmz: Zone
    control: Zone
    plc: Asset
    firewall: Asset
    conduit: Conduit


def small_plant(site: Site) -> Plant:
    dmz = make_zone(site, "DMZ", "{2,2,2,2,2,2,2}", kind="dmz", purdue_level=3)
    control = make_zone(site, "Control", "{2,2,2,2,2,2,2}", kind="control", purdue_level=1)
    plc = make_asset(control, "PLC 1", "{2,2,2,2,2,2,2}", tag="PLC-1")
    firewall = make_asset(dmz, "Firewall", "{3,3,3,3,3,3,3}", tag="FW-1", role="firewall", component_type="NDR")
    conduit = make_conduit(site, "DMZ-Control", [dmz, control], devices=[firewall])
    return Plant(site, dmz, control, plc, firewall, conduit)
