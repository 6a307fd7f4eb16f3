"""What the platform works out about a site's design: capability and topology checks.

Pure functions over already-loaded objects, so a whole site is checked with the handful
of queries its page needs anyway (see zones.selectors.site_overview).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from compliance.sl import SLVector
from zones.models import Asset, Conduit, Zone


@dataclass(frozen=True)
class CheckFinding:
    """One warning about the design, with a one-line explanation."""

    rule: str
    severity: str  # "high" or "medium"
    message: str
    zone_ids: tuple[str, ...] = ()
    conduit_id: str | None = None


@dataclass
class ZoneCapability:
    """Per zone: assets whose SL-C is below the zone's SL-T (by FR), and assets past end of support."""

    zone: Zone
    asset_count: int = 0
    below_target: dict[str, list[Asset]] = field(default_factory=dict)  # FR -> assets
    no_capability: list[Asset] = field(default_factory=list)
    past_end_of_support: list[Asset] = field(default_factory=list)

    @property
    def assets_below_target(self) -> list[Asset]:
        seen: dict[object, Asset] = {}
        for assets in self.below_target.values():
            for asset in assets:
                seen.setdefault(asset.pk, asset)
        return list(seen.values())

    @property
    def warning_count(self) -> int:
        return len(self.assets_below_target) + len(self.past_end_of_support)


def zone_capability(zone: Zone, assets: Iterable[Asset], today: datetime.date) -> ZoneCapability:
    """Compare each asset's SL-C with its zone's SL-T, FR by FR: the asset's own SL-C, else its product's
    (select the product with the assets: this reads it from each)."""
    result = ZoneCapability(zone=zone)
    target: SLVector = zone.sl_target
    for asset in assets:
        result.asset_count += 1
        capability: SLVector | None = asset.sl_capability_effective
        if capability is None:
            result.no_capability.append(asset)
        else:
            for fr in capability.frs_below(target):
                result.below_target.setdefault(fr, []).append(asset)
        if asset.end_of_support is not None and asset.end_of_support < today:
            result.past_end_of_support.append(asset)
    return result


def topology_findings(
    zones: list[Zone],
    conduits: list[Conduit],
    conduit_zone_ids: dict[object, list[object]],
    boundary_counts: dict[object, int],
    asset_counts: dict[object, int],
) -> list[CheckFinding]:
    """The topology rules; each finding explains itself in one line.

    `conduit_zone_ids` maps a conduit id to its zones' ids, `boundary_counts` a conduit id to
    its number of boundary devices, `asset_counts` a zone id to its number of assets.
    """
    by_id: dict[object, Zone] = {zone.pk: zone for zone in zones}
    findings: list[CheckFinding] = []
    connected: set[object] = set()
    for conduit in conduits:
        members = [by_id[z] for z in conduit_zone_ids.get(conduit.pk, []) if z in by_id]
        connected.update(z.pk for z in members)
        ids = tuple(str(z.pk) for z in members)
        has_boundary = boundary_counts.get(conduit.pk, 0) > 0
        targets = {z.sl_target for z in members}
        if not has_boundary and len(targets) > 1:
            findings.append(
                CheckFinding(
                    "conduit-mixed-sl-no-boundary",
                    "high",
                    f"Conduit “{conduit.name}” joins zones with different SL-T "
                    f"({', '.join(f'{z.name} {z.sl_target}' for z in members)}) but has no boundary device "
                    "to enforce the difference.",
                    ids,
                    str(conduit.pk),
                )
            )
        external = [z for z in members if z.is_external]
        if external and not has_boundary:
            findings.append(
                CheckFinding(
                    "external-no-boundary",
                    "high",
                    f"Conduit “{conduit.name}” reaches the external zone “{external[0].name}” with no firewall, "
                    "data diode or VPN gateway on it.",
                    ids,
                    str(conduit.pk),
                )
            )
        for zone in members:
            low = conduit.sl_target.frs_below(zone.sl_target)
            if low:
                findings.append(
                    CheckFinding(
                        "conduit-below-zone",
                        "medium",
                        f"Conduit “{conduit.name}” has SL-T {conduit.sl_target}, below zone “{zone.name}” "
                        f"({zone.sl_target}) on {', '.join(low)}: the conduit would be the weak link.",
                        ids,
                        str(conduit.pk),
                    )
                )
    for zone in zones:
        if asset_counts.get(zone.pk, 0) and zone.pk not in connected:
            findings.append(
                CheckFinding(
                    "zone-isolated",
                    "medium",
                    f"Zone “{zone.name}” has assets but no conduits: is it really isolated, or is a conduit missing?",
                    (str(zone.pk),),
                )
            )
    return findings


# IEC 62443-3-2 asks, when partitioning into zones (ZCR 3.2-3.6), that a zone does not mix: business (IT) systems
# with control-system (IACS) assets; safety-related assets with others; devices connected only now and then with
# permanent ones; wireless devices with wired ones; and devices reached over external networks with the rest.
# (flag, rule, severity, what the flagged assets are, what the others are, why, ZCR). The wording is ours.
PARTITION_RULES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("business_system", "zone-mixes-business-iacs", "high", "business (IT) systems", "control-system (IACS) assets",
     "a compromised business system would sit inside the control system's zone", "ZCR 3.2"),
    ("safety_related", "zone-mixes-safety", "high", "safety-related assets", "assets that are not safety-related",
     "the safety function would share its defences with less critical equipment", "ZCR 3.3"),
    ("temporarily_connected", "zone-mixes-temporary", "medium", "temporarily connected devices",
     "permanently connected assets", "a laptop or USB device that also travels elsewhere brings its risks with it",
     "ZCR 3.4"),
    ("wireless", "zone-mixes-wireless", "medium", "wireless devices", "wired assets",
     "the radio link can be reached from outside the physical perimeter of the wired network", "ZCR 3.5"),
    ("external_network", "zone-mixes-external", "high", "assets reached over external networks",
     "assets reached only inside the system", "whoever reaches them from outside lands next to the others",
     "ZCR 3.6"),
)  # fmt: skip
PARTITION_FLAGS = tuple(rule[0] for rule in PARTITION_RULES)


def _names(assets: list[Asset], limit: int = 3) -> str:
    shown = ", ".join(asset.name for asset in assets[:limit])
    return f"{shown} and {len(assets) - limit} more" if len(assets) > limit else shown


def partition_findings(zones: list[Zone], assets_by_zone: dict[object, list[Asset]]) -> list[CheckFinding]:
    """The partitioning checks of IEC 62443-3-2 (ZCR 3.2-3.6): a zone whose assets mix what should be kept
    in separate zones, by the assets' flags. A zone where every asset has the flag, or none, is fine."""
    findings: list[CheckFinding] = []
    for zone in zones:
        assets = sorted(assets_by_zone.get(zone.pk, []), key=lambda a: a.name)
        for flag, rule, severity, flagged_label, others_label, why, zcr in PARTITION_RULES:
            flagged = [a for a in assets if getattr(a, flag)]
            others = [a for a in assets if not getattr(a, flag)]
            if flagged and others:
                findings.append(
                    CheckFinding(
                        rule,
                        severity,
                        f"Zone “{zone.name}” mixes {flagged_label} ({_names(flagged)}) with {others_label} "
                        f"({_names(others)}): {why}. IEC 62443-3-2 {zcr} asks for separate zones.",
                        (str(zone.pk),),
                    )
                )
    return findings


def warnings_per_zone(findings: list[CheckFinding], capabilities: list[ZoneCapability]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        if finding.conduit_id is None:
            for zone_id in finding.zone_ids:
                counts[zone_id] += 1
    for capability in capabilities:
        counts[str(capability.zone.pk)] += capability.warning_count
    return dict(counts)


def warnings_per_conduit(findings: list[CheckFinding]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        if finding.conduit_id is not None:
            counts[finding.conduit_id] += 1
    return dict(counts)
