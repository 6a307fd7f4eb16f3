"""Set-up shared by the component assessment tests: a product of Org A and its assessment."""

from __future__ import annotations

import uuid

from compliance.sl import SLVector
from components.models import ComponentAssessment, ComponentResult, Product
from components.services.assessments import component_assessment_create
from tests.conftest import Personas


def make_product(personas: Personas, component_type: str = "NDR", name: str = "Switch 9000") -> Product:
    return Product.objects.create(
        organization=personas.org, vendor="Acme", name=name, release="4.2", component_type=component_type
    )


def make_assessment(
    personas: Personas, component_type: str = "NDR", target: SLVector | None = None
) -> ComponentAssessment:
    product = make_product(personas, component_type, name=f"{component_type} {uuid.uuid4().hex[:8]}")
    return component_assessment_create(product=product, title="4-2 check", by=personas.consultant, sl_target=target)


def result_of(assessment: ComponentAssessment, ref: str) -> ComponentResult:
    return ComponentResult.objects.select_related("requirement").get(assessment=assessment, requirement__ref=ref)
