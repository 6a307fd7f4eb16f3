"""Which IEC 62443-4-2 items a component must meet: the one definition, used by the procurement annex and the
component assessment's scope alike.

A 4-2 item (a CR, a SAR/EDR/HDR/NDR item, or an RE of either) is required of a component of type T in a zone
when it is assessable, applies to T, and is selected at or below the zone's SL-T for its FR (compliance.sl's
`is_required`). Headings that only point to the component-type items are structure, never items. The rule is
pure (`required_component_items` over plain rows); `component_catalogue_items` reads the rows of a release.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from compliance import sl
from compliance.choices import ComponentType, Part
from compliance.models import Catalogue, Requirement

COMPONENT_TYPES: tuple[str, ...] = tuple(ComponentType.values)  # SAR, EDR, HDR, NDR: the order of every listing


@dataclass(frozen=True)
class ComponentItem:
    """One row of the 4-2 catalogue as plain data: a pointer heading has `assessable` False and no level."""

    id: uuid.UUID
    ref: str
    kind: str
    fr: str | None
    title: str
    level: int | None  # the lowest security level the item is selected from
    component_types: frozenset[str]
    assessable: bool = True
    note: str = ""  # where public sources disagree on the item (its level, usually)

    @property
    def disputed(self) -> bool:
        return bool(self.note)


def required_component_items(
    items: Iterable[ComponentItem], component_type: str, target: sl.SLVector
) -> list[ComponentItem]:
    """The items a component of `component_type` must meet for a zone whose SL-T is `target`, in the order
    given (catalogue order): assessable, applying to the type, selected at or below the target of their FR."""
    return [
        item
        for item in items
        if item.assessable
        and item.fr is not None
        and component_type in item.component_types
        and sl.is_required(item.fr, item.level, target)
    ]


def current_component_catalogue() -> Catalogue:
    """The current release of the 4-2 catalogue (Catalogue.DoesNotExist before `load_catalogue` ran)."""
    return Catalogue.objects.get(part=Part.COMPONENT, is_current=True)


@lru_cache(maxsize=8)
def component_catalogue_items(catalogue_id: uuid.UUID) -> tuple[ComponentItem, ...]:
    """Every row of one 4-2 release, pointer headings included, in catalogue order. A release never changes
    once loaded (the loader wants a new version for new content), so the rows are cached per process."""
    rows = (
        Requirement.objects.filter(catalogue_id=catalogue_id)
        .order_by("position")
        .values_list(
            "id",
            "ref",
            "kind",
            "fr_id",
            "title",
            "lowest_sl",
            "assessable",
            "note",
            "applies_sar",
            "applies_edr",
            "applies_hdr",
            "applies_ndr",
        )
    )
    return tuple(
        ComponentItem(
            id=pk,
            ref=ref,
            kind=kind,
            fr=fr,
            title=title,
            level=level,
            assessable=assessable,
            note=note,
            component_types=frozenset(t for t, applies in zip(COMPONENT_TYPES, flags, strict=True) if applies),
        )
        for pk, ref, kind, fr, title, level, assessable, note, *flags in rows
    )
