"""Component assessments: creating one (its results are the 4-2 items of the product's component type up to
the target, pinned to the current 4-2 release) and applying it (the derived SL-C becomes the product's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from compliance.models import Catalogue
from compliance.sl import SLVector
from components import live
from components.choices import ComponentAssessmentStatus
from components.models import ComponentAssessment, ComponentResult, Product
from components.models.assessments import full_target
from components.requirements import current_component_catalogue
from components.selectors import component_scope, component_summary
from components.services.products import product_set_capability
from core.versioning import check_version, lock
from zones.choices import CapabilitySource

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def component_assessment_create(
    *, product: Product, title: str, by: User, sl_target: SLVector | None = None
) -> ComponentAssessment:
    """Start assessing `product` against IEC 62443-4-2 up to `sl_target` per FR (default 4 everywhere): one
    result, not assessed, per item of its component type selected at or below the target."""
    try:
        catalogue = current_component_catalogue()
    except Catalogue.DoesNotExist:
        raise ValidationError("No IEC 62443-4-2 catalogue is loaded; run manage.py load_catalogue.") from None
    assessment = ComponentAssessment(
        product=product,
        title=title.strip(),
        catalogue=catalogue,
        sl_target=sl_target if sl_target is not None else full_target(),
        created_by=by,
    )
    assessment.full_clean(exclude=["product", "catalogue"])
    assessment.save()
    items = component_scope(catalogue, product.component_type, assessment.sl_target)
    rows = [ComponentResult(assessment=assessment, requirement_id=item.id) for item in items]
    bulk_create_with_history(rows, ComponentResult, default_user=by)
    return assessment


def applied_note(assessment: ComponentAssessment) -> str:
    """How the product's SL-C names where it comes from."""
    return f"Component assessment {assessment.title} ({timezone.localdate():%Y-%m-%d})"


@transaction.atomic
def component_assessment_apply(
    *, assessment: ComponentAssessment, by: User, expected_version: int | None = None
) -> Product:
    """Set the product's SL-C to the one derived from the assessment's results (source: our own assessment),
    recorded in the product's history. Items not yet assessed count as not satisfied, so SL-C never claims
    more than was found; applying again after changes records a new value."""
    assessment = lock(assessment)
    check_version(assessment, expected_version)
    summary = component_summary(assessment)
    product = product_set_capability(
        product=assessment.product,
        sl_capability=summary.sl_capability,
        source=CapabilitySource.OWN_ASSESSMENT,
        note=applied_note(assessment),
        by=by,
    )
    assessment.status = ComponentAssessmentStatus.APPLIED
    assessment.applied_at = timezone.now()
    assessment.applied_by = by
    assessment.save()
    live.publish(assessment.pk, live.assessment_applied(assessment, product, by))
    return product


@transaction.atomic
def component_assessment_rename(
    *, assessment: ComponentAssessment, title: str, by: User, expected_version: int | None = None
) -> ComponentAssessment:
    """Change the title (the scope is fixed at creation: a wider target is a new assessment)."""
    assessment = lock(assessment)
    check_version(assessment, expected_version)
    assessment.title = title.strip()
    assessment.full_clean(exclude=["product", "catalogue"])
    assessment.save()
    return assessment
