"""Builders shared by the assessments tests: plants with N zones at given SL-Ts, assessments,
an independent count of what an assessment must cover, and findings recorded through the service."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from compliance.choices import Kind, Part
from compliance.models import Catalogue, Requirement
from compliance.sl import SLVector
from zones import services as zone_services
from zones.models import Conduit, Site, Zone

UNIFORM = "{%d,%d,%d,%d,%d,%d,%d}"


def uniform(level: int) -> str:
    return UNIFORM % ((level,) * 7)


def current_catalogue() -> Catalogue:
    return Catalogue.objects.get(part=Part.SYSTEM, is_current=True)


def make_zone(site: Site, name: str, slt: str = uniform(2), purdue_level: int = 1) -> Zone:
    zone = Zone(site=site)
    fields = {"name": name, "sl_target": SLVector.parse(slt), "purdue_level": purdue_level}
    return zone_services.zone_save(zone=zone, fields=fields)


def make_conduit(site: Site, name: str, zones: Sequence[Zone], slt: str = uniform(2)) -> Conduit:
    return zone_services.conduit_save(
        conduit=Conduit(site=site), fields={"name": name, "sl_target": SLVector.parse(slt)}, zones=list(zones)
    )


def set_target(target: Zone | Conduit, slt: str) -> None:
    """Change a zone's or conduit's SL-T the way the pages do (through the zones services)."""
    if isinstance(target, Zone):
        zone_services.zone_save(zone=target, fields={"sl_target": SLVector.parse(slt)})
    else:
        zone_services.conduit_save(conduit=target, fields={"sl_target": SLVector.parse(slt)})
    target.refresh_from_db()


@dataclass
class Plant:
    site: Site
    zones: list[Zone]
    conduits: list[Conduit]

    @property
    def targets(self) -> list[Zone | Conduit]:
        return [*self.zones, *self.conduits]


def make_plant(site: Site, targets: Sequence[str], conduit_slt: str | None = None, prefix: str = "Zone") -> Plant:
    """Zones "<prefix> 1".."<prefix> N" at the given SL-Ts (Purdue levels 1, 2, ...); with
    `conduit_slt`, one conduit joining the first two zones."""
    zones = [make_zone(site, f"{prefix} {n}", slt, purdue_level=min(n, 5)) for n, slt in enumerate(targets, start=1)]
    name = "Conduit 1-2" if prefix == "Zone" else f"{prefix} conduit 1-2"
    conduits = [make_conduit(site, name, zones[:2], conduit_slt)] if conduit_slt else []
    return Plant(site, zones, conduits)


def make_assessment(
    site: Site,
    by: User,
    zones: Iterable[Zone] | None = None,
    conduits: Iterable[Conduit] | None = None,
    title: str = "Gap assessment 2025",
    **fields: Any,
) -> Assessment:
    return services.assessment_create(site=site, title=title, by=by, zones=zones, conduits=conduits, **fields)


def expected_requirements(target: SLVector) -> set[uuid.UUID]:
    """What an assessment must cover for one target, computed straight from the Requirement rows
    (not through the selectors): 3-3 SRs and REs of the current release selected at or below the
    SL-T of their FR."""
    rows = Requirement.objects.filter(
        catalogue__part=Part.SYSTEM, catalogue__is_current=True, kind__in=[Kind.SR, Kind.RE], lowest_sl__isnull=False
    ).values_list("id", "fr_id", "lowest_sl")
    return {rid for rid, fr, level in rows if level is not None and level <= target[str(fr)]}


def results_of(assessment: Assessment, target: Zone | Conduit) -> Any:
    lookup = {"zone": target} if isinstance(target, Zone) else {"conduit": target}
    return Result.objects.filter(assessment=assessment, **lookup)


STATUS_EXTRAS: dict[str, dict[str, str]] = {
    ResultStatus.COMPENSATED: {"countermeasure": "Jump host with MFA in front of the HMI"},
    ResultStatus.NOT_APPLICABLE: {"justification": "No wireless in this zone"},
}


def record(result: Result, status: str, by: User, **fields: Any) -> Result:
    """Record a finding through the service (with the text compensated / not applicable need)."""
    data = {"status": status, **STATUS_EXTRAS.get(status, {}), **fields}
    return services.result_update(result=result, by=by, fields=data)


def mark(
    assessment: Assessment,
    target: Zone | Conduit,
    status: str,
    by: User,
    fr: str | None = None,
    max_level: int = 4,
    min_level: int = 1,
) -> list[Result]:
    """Record `status` on the target's results (optionally of one FR, within a level range)."""
    rows = results_of(assessment, target).filter(
        requirement__lowest_sl__gte=min_level, requirement__lowest_sl__lte=max_level
    )
    if fr is not None:
        rows = rows.filter(requirement__fr_id=fr)
    return [record(r, status, by) for r in rows]


def result_for(assessment: Assessment, target: Zone | Conduit, ref: str) -> Result:
    result: Result = results_of(assessment, target).get(requirement__ref=ref)
    return result
