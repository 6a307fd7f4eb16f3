"""Procurement requirements of a zone: per component type, the IEC 62443-4-2 items a new component must meet
for the zone's SL-T, grouped by FR, with the options a buyer chooses (the types to buy, the purchase's title).

The data of the `procurement` PDF (reports.pdf.procurement) and of its CSV and XLSX (components.procurement_export).
Which items are required is components.requirements' rule; this module only groups and counts them. Only ids,
short titles and levels: never the standard's text.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from compliance.choices import FR_CODES, ComponentType
from compliance.models import Catalogue, FoundationalRequirement
from compliance.sl import SLVector
from components.requirements import (
    COMPONENT_TYPES,
    ComponentItem,
    component_catalogue_items,
    current_component_catalogue,
    required_component_items,
)
from core.validators import validate_single_line
from zones.models import Site, Zone

# The report job's parameters (ReportJob.parameters of kind `procurement`).
ZONE, TYPES, PURCHASE = "zone", "component_types", "purchase"
PURCHASE_MAX_LENGTH = 200
COLUMNS: tuple[str, ...] = (
    "component_type", "id", "kind", "fr", "title", "lowest_sl", "required_at", "vendor_response", "evidence",
)  # fmt: skip


@dataclass(frozen=True)
class FrRequirements:
    """The items of one FR a component type must meet, with the zone's target for that FR."""

    fr: str
    name: str
    target: int
    items: list[ComponentItem]


@dataclass(frozen=True)
class TypeRequirements:
    """What a component of one type (SAR, EDR, HDR, NDR) must meet in the zone, FR by FR."""

    component_type: str
    frs: list[FrRequirements]

    @property
    def label(self) -> str:
        return str(ComponentType(self.component_type).label)

    @property
    def items(self) -> list[ComponentItem]:
        return [item for group in self.frs for item in group.items]

    @property
    def disputed(self) -> list[ComponentItem]:
        return [item for item in self.items if item.disputed]

    @property
    def common(self) -> int:
        """How many are component requirements (CRs) every component type shares."""
        return sum(1 for item in self.items if item.kind == "CR")

    @property
    def specific(self) -> int:
        """How many are the type's own items (e.g. EDR 2.13)."""
        return sum(1 for item in self.items if item.kind == self.component_type)

    @property
    def enhancements(self) -> int:
        return sum(1 for item in self.items if item.kind == "RE")


@dataclass(frozen=True)
class Procurement:
    """The procurement requirements of one zone for the chosen component types."""

    zone: Zone
    target: SLVector
    catalogue: Catalogue
    types: list[TypeRequirements]
    purchase: str = ""
    fr_names: Mapping[str, str] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def site(self) -> Site:
        return self.zone.site

    @property
    def fr_targets(self) -> list[tuple[str, str, int]]:
        """(FR, its name, the zone's SL-T for it), FR1 to FR7."""
        return [(fr, self.fr_names.get(fr, fr), level) for fr, level in self.target.items()]

    @property
    def total(self) -> int:
        return sum(len(t.items) for t in self.types)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """One row per (component type, item) in COLUMNS order; the vendor fills in the last two."""
        for requirements in self.types:
            for group in requirements.frs:
                for item in group.items:
                    yield (requirements.component_type, item.ref, item.kind, item.fr, item.title, item.level,
                           group.target, "", "")  # fmt: skip

    def filename(self, extension: str) -> str:
        stamp = timezone.localdate().isoformat()
        name = "-".join(filter(None, (slugify(self.site.name)[:40], slugify(self.zone.name)[:40])))
        return f"{name or 'zone'}-procurement-{stamp}.{extension}"


def group_by_fr(items: Iterable[ComponentItem], target: SLVector, names: Mapping[str, str]) -> list[FrRequirements]:
    """The items under their FR, FR1 to FR7 (every FR, an empty one too: the reader sees it was not forgotten)."""
    by_fr: dict[str, list[ComponentItem]] = {fr: [] for fr in FR_CODES}
    for item in items:
        if item.fr is not None:
            by_fr[item.fr].append(item)
    return [FrRequirements(fr, names.get(fr, fr), target[fr], by_fr[fr]) for fr in FR_CODES]


def procurement_for(zone: Zone, component_types: Iterable[str] = COMPONENT_TYPES, purchase: str = "") -> Procurement:
    """The requirements of `zone` (with its site) for `component_types`, against the current 4-2 release."""
    catalogue = current_component_catalogue()
    rows = component_catalogue_items(catalogue.pk)
    names = dict(FoundationalRequirement.objects.values_list("code", "name"))
    target = zone.sl_target
    types = [
        TypeRequirements(t, group_by_fr(required_component_items(rows, t, target), target, names))
        for t in COMPONENT_TYPES
        if t in set(component_types)
    ]
    return Procurement(zone=zone, target=target, catalogue=catalogue, types=types, purchase=purchase, fr_names=names)


# --- options ---------------------------------------------------------------------------------------------
def clean_options(component_types: Any = None, purchase: Any = None) -> tuple[list[str], str]:
    """The component types (default: all four; in SAR, EDR, HDR, NDR order) and the purchase's title, checked;
    ValidationError with an error per field otherwise."""
    errors: dict[str, str] = {}
    types = list(COMPONENT_TYPES)
    if component_types is not None:
        given = component_types if isinstance(component_types, list | tuple) else None
        if given is None or not all(isinstance(t, str) for t in given):
            errors[TYPES] = f"Give a list of component types: {', '.join(COMPONENT_TYPES)}."
        elif not given:
            errors[TYPES] = "Choose at least one component type."
        elif unknown := sorted(set(given) - set(COMPONENT_TYPES)):
            errors[TYPES] = f"Unknown component type(s) {', '.join(unknown)}; use {', '.join(COMPONENT_TYPES)}."
        else:
            types = [t for t in COMPONENT_TYPES if t in given]
    title = "" if purchase is None else purchase
    if not isinstance(title, str):
        errors[PURCHASE] = "Give the planned purchase's title as text."
    else:
        title = title.strip()
        if len(title) > PURCHASE_MAX_LENGTH:
            errors[PURCHASE] = f"Keep the title to {PURCHASE_MAX_LENGTH} characters (it has {len(title)})."
        else:
            try:
                validate_single_line(title)
            except ValidationError as exc:
                errors[PURCHASE] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return types, title


def procurement_parameters(site: Site, given: Mapping[str, Any]) -> dict[str, Any]:
    """A `procurement` report job's parameters, checked: a zone of `site`, the component types, the purchase."""
    errors: dict[str, Any] = {}
    unknown = sorted(set(given) - {ZONE, TYPES, PURCHASE})
    if unknown:
        errors["parameters"] = f"Unknown option(s) for this report: {', '.join(unknown)}."
    zone = _zone_of(site, given.get(ZONE), errors)
    try:
        types, purchase = clean_options(given.get(TYPES), given.get(PURCHASE))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert zone is not None
    return {ZONE: str(zone.pk), TYPES: types, PURCHASE: purchase}


def _zone_of(site: Site, value: Any, errors: dict[str, Any]) -> Zone | None:
    if value in (None, ""):
        errors[ZONE] = "Give the zone the components are bought for."
        return None
    try:
        pk = uuid.UUID(str(value))
    except ValueError:
        errors[ZONE] = f"{value!r} is not a zone id."
        return None
    zone = site.zones.filter(pk=pk).first()
    if zone is None:
        errors[ZONE] = f"{site.name} has no such zone."
    return zone


def job_procurement(site: Site, parameters: Mapping[str, Any]) -> Procurement | None:
    """The procurement of a report job's parameters, or None when its zone has left the site meanwhile."""
    zone = site.zones.select_related("site__organization").filter(pk=str(parameters[ZONE])).first()
    if zone is None:
        return None
    return procurement_for(zone, parameters.get(TYPES) or COMPONENT_TYPES, parameters.get(PURCHASE) or "")
