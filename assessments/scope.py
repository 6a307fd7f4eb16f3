"""What an assessment covers: the catalogue items it pinned (with its level overrides), the items a target
at its SL-T requires, and the zones and conduits in its scope."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from assessments.models import Assessment
from compliance import sl
from compliance.choices import Kind
from compliance.models import Requirement
from zones.models import Conduit, Zone


@dataclass(frozen=True)
class CatalogueItem:
    """An assessable 3-3 item (SR or RE) of a pinned catalogue release."""

    id: uuid.UUID
    ref: str
    fr: str
    level: int
    overridden_from: int | None = None  # the catalogue's level, when an organization's override changed it


@lru_cache(maxsize=8)
def catalogue_items(catalogue_id: uuid.UUID) -> tuple[CatalogueItem, ...]:
    """The SRs and REs of one release, in catalogue order. Releases never change once loaded
    (the loader refuses changed content without a new version), so this is cached per process."""
    rows = (
        Requirement.objects.filter(
            catalogue_id=catalogue_id, kind__in=[Kind.SR, Kind.RE], assessable=True, lowest_sl__isnull=False
        )
        .order_by("position")
        .values_list("id", "ref", "fr_id", "lowest_sl")
    )
    return tuple(CatalogueItem(id=i, ref=r, fr=str(f), level=int(lv or 0)) for i, r, f, lv in rows)


@lru_cache(maxsize=32)
def _overridden(catalogue_id: uuid.UUID, overrides: tuple[tuple[str, int], ...]) -> tuple[CatalogueItem, ...]:
    levels = dict(overrides)
    return tuple(
        replace(item, level=levels[item.ref], overridden_from=item.level)
        if levels.get(item.ref, item.level) != item.level
        else item
        for item in catalogue_items(catalogue_id)
    )


def pinned_items(catalogue_id: uuid.UUID, overrides: Mapping[str, int] | None = None) -> tuple[CatalogueItem, ...]:
    """The items of one release at the levels an assessment pinned ({id: lowest SL}, decision 0032): the cached
    release with a dict lookup per item, itself cached per set of overrides, so no query and little work."""
    if not overrides:
        return catalogue_items(catalogue_id)
    return _overridden(catalogue_id, tuple(sorted((ref, int(level)) for ref, level in overrides.items())))


def assessment_items(assessment: Assessment) -> tuple[CatalogueItem, ...]:
    """The items of the assessment's release at the levels it pinned: what every computation for it must use."""
    return pinned_items(assessment.catalogue_id, assessment.level_overrides)


def required_items(
    catalogue_id: uuid.UUID, target: sl.SLVector, overrides: Mapping[str, int] | None = None
) -> list[CatalogueItem]:
    """The items a zone or conduit at SL-T `target` must cover, at the pinned levels."""
    return [item for item in pinned_items(catalogue_id, overrides) if sl.is_required(item.fr, item.level, target)]


def scope_targets(assessment: Assessment) -> tuple[list[Zone], list[Conduit]]:
    return list(assessment.zones.order_by("purdue_level", "name")), list(assessment.conduits.order_by("name"))
