"""Component capability gaps as findings (issue 16): an asset whose SL-C (its own, else its product's) is below
its zone's SL-T on some FR becomes a finding on that zone, naming the FRs and suggesting what to do: upgrade
the product, replace it, or compensate at the zone boundary. Idempotent: an open finding for the same asset
is brought up to date instead of being duplicated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.sl import SLVector
from remediation import rules
from remediation.choices import UNRESOLVED_FINDING_STATUSES, FindingSource
from remediation.models import Finding
from zones.models import Asset

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class CapabilityGap:
    """Where an asset's SL-C falls short of its zone's SL-T: the FRs and the size of the largest gap."""

    asset: Asset
    capability: SLVector
    target: SLVector
    frs: tuple[str, ...]

    @property
    def largest(self) -> int:
        return max((self.target[fr] - self.capability[fr] for fr in self.frs), default=0)

    @property
    def from_product(self) -> bool:
        return self.asset.sl_capability_from == "product"


def capability_gap(asset: Asset) -> CapabilityGap | None:
    """The asset's capability gap against its zone's SL-T, or None (no gap, or no SL-C recorded at all)."""
    capability = asset.sl_capability_effective
    if capability is None:
        return None
    target = asset.zone.sl_target
    frs = tuple(capability.frs_below(target))
    return CapabilityGap(asset, capability, target, frs) if frs else None


def _boundary_text(asset: Asset) -> str:
    conduits = list(asset.zone.conduits.order_by("name").values_list("name", flat=True))
    return f" (conduits: {', '.join(conduits)})" if conduits else ""


def describe(gap: CapabilityGap) -> str:
    """The finding's text: the FRs short of the target, and the three ways to close the gap."""
    asset = gap.asset
    product = asset.product if asset.product_id is not None else None
    source = f"from product {product}" if gap.from_product else "the asset's own"
    lines = [
        f"{asset} in zone {asset.zone.name} has SL-C {gap.capability} ({source}) against the zone's SL-T {gap.target}.",
        "Below the target on: "
        + ", ".join(f"{fr} (SL-C {gap.capability[fr]}, SL-T {gap.target[fr]})" for fr in gap.frs)
        + ".",
        "",
        "Suggested actions:",
        f"1. Upgrade: move {product or 'the component'} to a version or product whose SL-C reaches the zone's "
        f"SL-T on {', '.join(gap.frs)} (ask the supplier for a certificate or a component assessment).",
        "2. Replace: swap the component for one with sufficient SL-C on those FRs.",
        "3. Compensate at the zone boundary: countermeasures on the conduits into the zone (a firewall or data "
        f"diode, stricter rules, monitoring){_boundary_text(asset)}, documented as compensating.",
    ]
    return "\n".join(lines)


@transaction.atomic
def capability_gap_finding_create(*, asset: Asset, by: User, today: date | None = None) -> tuple[Finding, bool]:
    """A finding on the asset's zone for its capability gap, and whether it was created (False: the open
    finding for the same asset was brought up to date). Severity follows remediation.rules.severity_for on
    the largest FR gap and the zone's criticality. No gap: ValidationError."""
    # The asset's row locked: two clicks at once make one finding, not two (a missing finding cannot be locked).
    locked = Asset.objects.select_for_update(of=("self",)).select_related("zone__site", "product")
    asset = locked.get(pk=asset.pk)
    gap = capability_gap(asset)
    if gap is None:
        reason = "has no SL-C recorded" if asset.sl_capability_effective is None else "meets its zone's SL-T"
        raise ValidationError({"asset": f"{asset} {reason}: there is no capability gap to record."})
    zone = asset.zone
    severity = rules.severity_for(gap.largest, zone.criticality)
    fields = {
        "zone": zone,
        "title": f"SL-C below SL-T on {', '.join(gap.frs)}: {asset.name} · {zone.name}"[:300],
        "description": describe(gap),
        "severity": severity,
        "severity_rationale": (
            f"largest FR gap {gap.largest} on a {zone.criticality.replace('_', ' ')}-criticality zone "
            f"→ {severity.label.lower()}"
        )[:300],
    }
    open_finding = (
        Finding.objects.select_for_update()
        .filter(asset=asset, source=FindingSource.CAPABILITY_GAP, status__in=UNRESOLVED_FINDING_STATUSES)
        .order_by("created")
        .first()
    )
    if open_finding is not None:
        changed = {name: value for name, value in fields.items() if getattr(open_finding, name) != value}
        if changed:  # the gap moved (a new SL-C or SL-T): the finding says so, still one finding
            for name, value in changed.items():
                setattr(open_finding, name, value)
            open_finding.full_clean()
            open_finding.save()
        return open_finding, False
    finding = Finding(
        site=zone.site,
        asset=asset,
        source=FindingSource.CAPABILITY_GAP,
        reference=f"Asset {asset.tag or asset.name}"[:200],
        identified=today or timezone.localdate(),
        created_by=by,
        **fields,
    )
    finding.full_clean()
    finding.save()
    return finding, True
