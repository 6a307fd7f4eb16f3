"""Reads of a site's design that pages, the API and (later) reports share."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone

from accounts.access import Action, AnyUser
from zones.checks import (
    PARTITION_FLAGS,
    CheckFinding,
    ZoneCapability,
    partition_findings,
    topology_findings,
    warnings_per_conduit,
    warnings_per_zone,
    zone_capability,
)
from zones.diagram import DiagramConduit, DiagramZone, render_site_diagram
from zones.models import Asset, Conduit, Site, Zone


def sites_for(user: AnyUser, action: Action = Action.VIEW) -> QuerySet[Site]:
    return (
        Site.objects.restrict(user, action)
        .select_related("organization")
        .annotate(
            zone_count=Count("zones", distinct=True),
            conduit_count=Count("conduits", distinct=True),
            asset_count=Count("zones__assets", distinct=True),
        )
    )


@dataclass
class SiteOverview:
    """Everything the site page shows, loaded in a fixed number of queries."""

    site: Site
    zones: list[Zone]
    conduits: list[Conduit]
    asset_counts: dict[Any, int]
    capabilities: list[ZoneCapability]
    findings: list[CheckFinding]
    zone_warnings: dict[str, int] = field(default_factory=dict)
    conduit_warnings: dict[str, int] = field(default_factory=dict)

    @property
    def capability_by_zone(self) -> dict[Any, ZoneCapability]:
        return {c.zone.pk: c for c in self.capabilities}

    @property
    def assets_below_target(self) -> int:
        return sum(len(c.assets_below_target) for c in self.capabilities)

    @property
    def assets_past_end_of_support(self) -> int:
        return sum(len(c.past_end_of_support) for c in self.capabilities)

    @property
    def asset_total(self) -> int:
        return sum(self.asset_counts.values())

    def diagram_svg(self) -> str:
        zones = [
            DiagramZone(
                id=str(z.pk),
                name=z.name,
                kind=z.kind,
                purdue_level=z.purdue_level,
                criticality=z.criticality,
                sl_target=z.sl_target.compact(),
                url=z.get_absolute_url(),
                asset_count=self.asset_counts.get(z.pk, 0),
                warnings=self.zone_warnings.get(str(z.pk), 0),
            )
            for z in self.zones
        ]
        conduits = [
            DiagramConduit(
                id=str(c.pk),
                name=c.name,
                zone_ids=tuple(str(i) for i in c.flow_zone_ids()),
                destination_id=str(c.destination_zone_id or ""),
                direction=c.direction,
                protocols=c.protocols,
                sl_target=c.sl_target.compact(),
                url=c.get_absolute_url(),
                boundary_devices=tuple(f"{a.name} ({a.get_role_display().lower()})" for a in c.boundary_devices.all()),
                warnings=self.conduit_warnings.get(str(c.pk), 0),
            )
            for c in self.conduits
        ]
        return render_site_diagram(zones, conduits, title=self.site.name)


def site_overview(site: Site, today: datetime.date | None = None) -> SiteOverview:
    today = today or timezone.localdate()
    zones = list(site.zones.order_by(F("purdue_level").desc(nulls_first=True), "name"))
    conduits: list[Conduit] = list(
        Conduit.objects.filter(site=site)  # type: ignore[type-var]
        .order_by("name")
        .prefetch_related(
            Prefetch("zones", queryset=Zone.objects.order_by("name")),
            Prefetch("boundary_devices", queryset=Asset.objects.order_by("name")),
        )
    )
    assets_by_zone: dict[Any, list[Asset]] = defaultdict(list)
    # With its product: an asset without an SL-C of its own has its product's (zones.checks.zone_capability).
    fields = ("id", "zone_id", "name", "tag", "sl_capability", "sl_capability_source", "product", "end_of_support")
    with_product = Asset.objects.filter(zone__site=site).select_related("product")
    for asset in with_product.only(*fields, "role", "legacy", *PARTITION_FLAGS):
        assets_by_zone[asset.zone_id].append(asset)
    asset_counts = {zone_id: len(assets) for zone_id, assets in assets_by_zone.items()}
    capabilities = [zone_capability(zone, assets_by_zone.get(zone.pk, []), today) for zone in zones]
    findings = topology_findings(
        zones,
        conduits,
        {c.pk: [z.pk for z in c.zones.all()] for c in conduits},
        {c.pk: len(c.boundary_devices.all()) for c in conduits},
        asset_counts,
    ) + partition_findings(zones, assets_by_zone)
    return SiteOverview(
        site=site,
        zones=zones,
        conduits=conduits,
        asset_counts=asset_counts,
        capabilities=capabilities,
        findings=findings,
        zone_warnings=warnings_per_zone(findings, capabilities),
        conduit_warnings=warnings_per_conduit(findings),
    )


def zone_findings(overview: SiteOverview, zone: Zone) -> list[CheckFinding]:
    return [f for f in overview.findings if str(zone.pk) in f.zone_ids]


def conduit_findings(overview: SiteOverview, conduit: Conduit) -> list[CheckFinding]:
    return [f for f in overview.findings if f.conduit_id == str(conduit.pk)]
