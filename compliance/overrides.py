"""Level overrides (decision 0032): an organization selects a 3-3 item at another level than the catalogue's.

The writes are services (one transaction each, ValidationError with field errors on bad input); an override
applies to the assessments created after it, which pin the organization's overrides of that moment
(`overrides_pin`, read by assessments.services.assessment_create).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.access import AnyUser
from compliance.choices import SECURITY_LEVELS, Kind, Part
from compliance.models import LevelOverride, Requirement
from core.versioning import check_version, lock

REASON_MAX_CHARS = 2000


def overridable_item(ref: str) -> Requirement | None:
    """The 3-3 SR or RE of the current release with this id (the items assessments select by level)."""
    return (
        Requirement.objects.current()
        .filter(catalogue__part=Part.SYSTEM, kind__in=[Kind.SR, Kind.RE], assessable=True, ref=ref)
        .first()
    )


def _check(ref: str, lowest_sl: Any, reason: str) -> Requirement:
    """The item overridden, or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    item = overridable_item(ref)
    if item is None:
        errors["requirement"] = f"{ref!r} is not an SR or RE of the current IEC 62443-3-3 release."
    if not isinstance(lowest_sl, int) or isinstance(lowest_sl, bool) or lowest_sl not in SECURITY_LEVELS:
        errors["lowest_sl"] = "Give a security level from 1 to 4."
    elif item is not None and item.lowest_sl == lowest_sl:
        errors["lowest_sl"] = f"The catalogue already selects {ref} at SL{lowest_sl}; an override must change it."
    if not reason.strip():
        errors["reason"] = "Say why your organization selects this item at another level."
    elif len(reason) > REASON_MAX_CHARS:
        errors["reason"] = f"Keep the reason under {REASON_MAX_CHARS} characters."
    if errors:
        raise ValidationError(errors)
    assert item is not None
    return item


@transaction.atomic
def level_override_set(*, organization: Any, ref: str, lowest_sl: Any, reason: str, by: Any) -> LevelOverride:
    """Select `ref` at `lowest_sl` for the organization's new assessments. A second override of the same item
    replaces the first (the same row, its version bumped; the history keeps the earlier level and reason)."""
    _check(ref, lowest_sl, reason)
    # The organization's row first: two first overrides of one item at once queue here instead of one failing
    # on the unique constraint (a missing row cannot be locked).
    type(organization).objects.select_for_update().filter(pk=organization.pk).first()
    existing = LevelOverride.objects.select_for_update().filter(organization=organization, ref=ref).first()
    override = existing or LevelOverride(organization=organization, ref=ref)
    override.lowest_sl, override.reason, override.created_by = lowest_sl, reason.strip(), by
    override.full_clean(exclude=["organization"])
    override.save()
    return override


@transaction.atomic
def level_override_delete(*, override: LevelOverride, expected_version: int | None = None) -> None:
    """Go back to the catalogue's level for new assessments; existing ones keep what they pinned. The history
    keeps the override (who set it, the level and the reason) for the assessments that pinned it."""
    override = lock(override)
    check_version(override, expected_version)
    override.delete()


def overrides_pin(organization_id: Any) -> dict[str, int]:
    """The organization's overrides as an assessment pins them: {id: lowest SL} (one query)."""
    return dict(LevelOverride.objects.filter(organization_id=organization_id).values_list("ref", "lowest_sl"))


def overrides_for_user(user: AnyUser) -> dict[str, list[LevelOverride]]:
    """The overrides of the organizations `user` belongs to, by 3-3 id, each naming its organization: what the
    catalogue page shows them (one query, through the permission door)."""
    shown: dict[str, list[LevelOverride]] = defaultdict(list)
    for override in LevelOverride.objects.restrict(user).select_related("organization").order_by("organization__name"):
        shown[override.ref].append(override)
    return dict(shown)


@dataclass(frozen=True)
class PinnedOverride:
    """One override an assessment uses: the item, the level it pinned, the catalogue's and the reason given."""

    ref: str
    title: str
    lowest_sl: int
    catalogue_sl: int | None
    reason: str


def pinned_overrides(assessment: Any) -> dict[str, PinnedOverride]:
    """The overrides `assessment` pinned, by id, with the reason as it stood when the assessment was created
    (read from the override's history: it may have been replaced or removed since), in catalogue order.
    Two queries, none when the assessment pinned none."""
    pin: dict[str, int] = assessment.level_overrides or {}
    if not pin:
        return {}
    items = (
        Requirement.objects.filter(catalogue_id=assessment.catalogue_id, ref__in=list(pin))
        .order_by("position")
        .values_list("ref", "title", "lowest_sl")
    )
    created: datetime = assessment.created
    reasons = {
        row.ref: row.reason
        for row in LevelOverride.history.filter(
            organization_id=assessment.site.organization_id, ref__in=list(pin), history_date__lte=created
        ).order_by("history_date")
    }
    return {
        ref: PinnedOverride(ref, title, int(pin[ref]), lowest, reasons.get(ref, "")) for ref, title, lowest in items
    }
