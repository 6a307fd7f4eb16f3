"""Writes to the product library: a product's fields, its SL-C with where it comes from, and its deletion.
Each is one transaction and raises ValidationError (field errors) on bad input, StaleObjectError on a stale
version and InUse while assets still run the product."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.sl import SLVector
from components.models import Product
from core.services import refuse_unknown_fields
from core.versioning import InUse, check_version, lock, save_versioned
from zones.choices import CapabilitySource

if TYPE_CHECKING:
    from accounts.models import User

PRODUCT_FIELDS = (
    "organization", "vendor", "name", "release", "component_type", "description", "sl_capability",
    "sl_capability_source", "sl_capability_note",
)  # fmt: skip


def _with_author(product: Product, by: User | None) -> Product:
    # The history row names who saved it also outside a request (the demo seed, a Celery task, apply).
    if by is not None:
        product._history_user = by  # type: ignore[attr-defined]
    return product


@transaction.atomic
def product_save(
    *, by: User | None, fields: dict[str, Any], product: Product | None = None, expected_version: int | None = None
) -> Product:
    """Create a product (`product` None or unsaved) or edit one under its version. A product stays in its
    organization; the SL-C and its source are checked together by the model."""
    refuse_unknown_fields(fields, PRODUCT_FIELDS)
    product = product if product is not None else Product()
    if not product._state.adding:
        organization = fields.get("organization")
        if organization is not None and organization.pk != product.organization_id:
            raise ValidationError({"organization": "A product stays in its organization."})
        product = lock(product)
    return save_versioned(_with_author(product, by), fields, expected_version)


@transaction.atomic
def product_set_capability(
    *,
    product: Product,
    sl_capability: SLVector | None,
    source: str,
    note: str,
    by: User | None,
    expected_version: int | None = None,
) -> Product:
    """Set a product's SL-C and say where it comes from (a vendor claim, a certificate, our own 4-2
    assessment); None clears it. Recorded in the product's history; every asset of the product without an
    SL-C of its own then shows it, and the zones' capability checks follow."""
    if source and source not in CapabilitySource.values:
        raise ValidationError({"sl_capability_source": f"Use one of: {', '.join(CapabilitySource.values)}."})
    locked = lock(product)
    check_version(locked, expected_version)
    locked.sl_capability = sl_capability
    locked.sl_capability_source = source if sl_capability is not None else ""
    locked.sl_capability_note = note[:300] if sl_capability is not None else ""
    locked.full_clean()
    _with_author(locked, by).save()
    return locked


def _named(count: int, noun: str, names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (f" and {count - 5} more" if count > 5 else "")
    return f"{count} {noun}{'s' if count != 1 else ''}: {shown}"


def product_delete_blockers(product: Product) -> list[str]:
    """What keeps a product from being deleted: the assets that run it (their SL-C may come from it) and its
    component assessments (the record of what was assessed)."""
    blockers = []
    if count := product.assets.count():
        blockers.append(
            _named(count, "asset", list(product.assets.order_by("name").values_list("name", flat=True)[:5]))
        )
    if count := product.assessments.count():
        titles = list(product.assessments.order_by("title").values_list("title", flat=True)[:5])
        blockers.append(_named(count, "component assessment", titles))
    return blockers


@transaction.atomic
def product_delete(*, product: Product, by: User | None, expected_version: int | None = None) -> None:
    """Delete a product and its certificates, unless assets still run it (InUse, HTTP 409)."""
    locked = lock(product)
    check_version(locked, expected_version)
    if blockers := product_delete_blockers(locked):
        raise InUse(locked, blockers)
    _with_author(locked, by).delete()
