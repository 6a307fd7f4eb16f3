"""Writes to a site's design. Each is one transaction and raises ValidationError on bad input."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from core.versioning import InUse, apply_fields, check_version, lock, save_versioned
from zones.choices import Direction
from zones.models import Asset, Conduit, Site, Zone


@transaction.atomic
def site_save(*, site: Site, fields: dict[str, Any], expected_version: int | None = None) -> Site:
    return save_versioned(site, fields, expected_version)


@transaction.atomic
def zone_save(*, zone: Zone, fields: dict[str, Any], expected_version: int | None = None) -> Zone:
    if not zone._state.adding:
        locked = lock(zone)
        if (
            "site" in fields
            and fields["site"].pk != locked.site_id
            and (locked.assets.exists() or locked.conduits.exists())
        ):
            # Moving would take its assets along and leave its conduits joining two sites.
            raise ValidationError({"site": "A zone with assets or conduits cannot be moved to another site."})
        return apply_fields(locked, fields, expected_version)
    return apply_fields(zone, fields)


@transaction.atomic
def asset_save(*, asset: Asset, fields: dict[str, Any], expected_version: int | None = None) -> Asset:
    if not asset._state.adding:
        locked = lock(asset)
        new_zone = fields.get("zone")
        if new_zone is not None and new_zone.site_id != locked.zone.site_id and locked.boundary_of.exists():
            raise ValidationError({"zone": "This asset is a boundary device of a conduit; remove it there first."})
        return apply_fields(locked, fields, expected_version)
    return apply_fields(asset, fields)


def _validate_conduit_links(site: Site, zones: list[Zone], devices: list[Asset]) -> None:
    errors: dict[str, str] = {}
    if len({z.pk for z in zones}) < 2:
        errors["zones"] = "A conduit connects at least two zones."
    elif any(z.site_id != site.pk for z in zones):
        errors["zones"] = "All zones of a conduit must belong to the conduit's site."
    if any(a.zone.site_id != site.pk for a in devices):
        errors["boundary_devices"] = "Boundary devices must be assets of the conduit's site."
    if errors:
        raise ValidationError(errors)


def _validate_flow(conduit: Conduit, zones: list[Zone]) -> None:
    """A one-way conduit says which of its zones sends and which receives; a two-way one names neither
    (they are cleared, so switching a conduit back to both ways leaves no stale arrow)."""
    if conduit.direction != Direction.UNIDIRECTIONAL:
        conduit.source_zone = conduit.destination_zone = None
        return
    ids = {z.pk for z in zones}
    errors: dict[str, str] = {}
    for name, word in (("source_zone", "from"), ("destination_zone", "to")):
        zone_id = getattr(conduit, f"{name}_id")
        if zone_id is None:
            errors[name] = f"A one-way conduit needs the zone its data flows {word}."
        elif zone_id not in ids:
            errors[name] = "Choose one of the zones this conduit joins."
    if not errors and conduit.source_zone_id == conduit.destination_zone_id:
        errors["destination_zone"] = "Data flows to another zone than the one it comes from."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def conduit_save(
    *,
    conduit: Conduit,
    fields: dict[str, Any],
    zones: Iterable[Zone] | None = None,
    boundary_devices: Iterable[Asset] | None = None,
    expected_version: int | None = None,
) -> Conduit:
    if not conduit._state.adding:
        conduit = lock(conduit)
        check_version(conduit, expected_version)
    for name, value in fields.items():
        setattr(conduit, name, value)
    site = conduit.site
    adding = conduit._state.adding
    zone_list = list(zones) if zones is not None else [] if adding else list(conduit.zones.all())
    device_list = (
        list(boundary_devices)
        if boundary_devices is not None
        else list(conduit.boundary_devices.select_related("zone"))
        if not conduit._state.adding
        else []
    )
    _validate_conduit_links(site, zone_list, device_list)
    _validate_flow(conduit, zone_list)
    conduit.full_clean()
    conduit.save()
    if zones is not None:
        conduit.zones.set(zone_list)
    if boundary_devices is not None:
        conduit.boundary_devices.set(device_list)
    return conduit


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _site_records(site: Site) -> list[str]:
    """What belongs to a site beyond its model: the programme's and remediation's records, found through
    the relations those apps declare to Site and Asset (related names, no imports of theirs here)."""
    vulnerabilities = Asset._meta.get_field("vulnerabilities").related_model._default_manager
    counts = [
        (vulnerabilities.filter(asset__zone__site=site).count(), "vulnerability", "vulnerabilities"),
        (site.findings.count(), "finding", "findings"),
        (site.remediation_actions.count(), "remediation action", "remediation actions"),
        (site.training_records.count(), "training record", "training records"),
        (site.exercises.count(), "incident-response exercise", "incident-response exercises"),
        (site.kpi_snapshots.count(), "monthly KPI snapshot", "monthly KPI snapshots"),
        (site.report_jobs.count(), "report", "reports"),
    ]
    return [_count(n, one, many) for n, one, many in counts if n]


def delete_impact(obj: Site | Zone | Conduit | Asset) -> list[str]:
    """What goes with an object when it is deleted, in words for the confirmation page."""
    if isinstance(obj, Site):
        zones, conduits = obj.zones.count(), obj.conduits.count()
        assets = Asset.objects.filter(zone__site=obj).count()
        structure = [_count(zones, "zone", "zones"), _count(conduits, "conduit", "conduits")]
        structure.append(_count(assets, "asset", "assets"))
        return [line for line in structure if not line.startswith("0 ")] + _site_records(obj)
    if isinstance(obj, Zone):
        impact = []
        if n := obj.assets.count():
            impact.append(f"{_count(n, 'asset', 'assets')} in this zone")
            if v := obj.assets.aggregate(n=models.Count("vulnerabilities"))["n"]:
                impact.append(f"{_count(v, 'vulnerability', 'vulnerabilities')} recorded on those assets")
        if n := obj.conduits.count():
            impact.append(
                f"its place in {_count(n, 'conduit', 'conduits')}"
                " (a conduit left with fewer than two zones is deleted too)"
            )
        return impact
    if isinstance(obj, Asset):
        impact = []
        if n := obj.boundary_of.count():
            impact.append(f"its role as boundary device on {_count(n, 'conduit', 'conduits')}")
        if n := obj.vulnerabilities.count():
            impact.append(_count(n, "vulnerability recorded on it", "vulnerabilities recorded on it"))
        return impact
    return []


def _orphaned_conduits(zone: Zone) -> list[Conduit]:
    """The conduits a zone's deletion leaves with fewer than two zones, which go with it."""
    return [c for c in zone.conduits.prefetch_related("zones") if len(c.zones.all()) <= 2]


def delete_blockers(obj: Site | Zone | Conduit | Asset) -> list[str]:
    """Records that must outlive the object, and so keep it from being deleted: an assessment is the
    record of what was assessed, so a site with assessments, or a zone or conduit with results, stays."""
    if isinstance(obj, Site):
        titles = list(obj.assessments.order_by("title").values_list("title", flat=True))
    elif isinstance(obj, (Zone, Conduit)):
        # A zone takes with it the conduits it leaves with fewer than two zones: their results count too.
        conduits = [c.pk for c in _orphaned_conduits(obj)] if isinstance(obj, Zone) else [obj.pk]
        assessed = Q(zone=obj) if isinstance(obj, Zone) else Q()
        results = obj.results.model._default_manager.filter(assessed | Q(conduit__in=conduits))
        titles = list(results.order_by("assessment__title").values_list("assessment__title", flat=True).distinct())
    else:
        return []
    if not titles:
        return []
    return [f"{_count(len(titles), 'assessment', 'assessments')}: {', '.join(titles)}"]


@transaction.atomic
def object_delete(*, obj: Site | Zone | Conduit | Asset, expected_version: int | None = None) -> None:
    check_version(obj, expected_version)
    if blockers := delete_blockers(obj):
        raise InUse(obj, blockers)
    try:
        _delete(obj)
    except models.ProtectedError as exc:  # a reference delete_blockers does not know of yet: still a clear no
        raise InUse(obj, [f"{len(exc.protected_objects)} records of other parts of Zonewise"]) from exc


def _delete(obj: Site | Zone | Conduit | Asset) -> None:
    if isinstance(obj, Site):
        Asset.objects.filter(zone__site=obj).delete()
        obj.conduits.all().delete()
        obj.zones.all().delete()
    elif isinstance(obj, Zone):
        orphaned = _orphaned_conduits(obj)
        obj.assets.all().delete()
        for conduit in orphaned:
            conduit.delete()
    obj.delete()
