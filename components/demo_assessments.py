"""The demo's component assessment: the older demo PLC (no SL-C recorded yet) being assessed against
IEC 62443-4-2 up to SL2, a handful of items done, so the workspace, its summary and Apply have something
to show (called at the end of components.demo.seed_components)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role
from accounts.models import Membership, Organization
from compliance.sl import SLVector
from components.models import ComponentAssessment, Product
from components.services.assessments import component_assessment_create
from components.services.results import component_result_update

PRODUCT = ("Schneider Electric", "Modicon M340")
# ref -> status, source, observations (our own words)
FINDINGS = {
    "CR 1.1": ("met", "verified", "Local accounts are named per person; the shared 'USER' login is disabled."),
    "CR 1.2": ("not_met", "verified", "Peers on Modbus/TCP are not authenticated by the controller."),
    "CR 1.5": ("partially_met", "supplier_claim", "Passwords can be changed, but the default is not forced to change."),
    "CR 2.1": ("met", "certificate", "Role-based access in the engineering tool; checked on the test bench."),
    "CR 3.1": ("not_met", "verified", "Modbus/TCP traffic is not integrity-protected."),
}


def seed_component_assessment(org: Organization) -> ComponentAssessment | None:
    """One in-progress assessment of the demo PLC product (idempotent: none is added once it has one)."""
    product = Product.objects.filter(organization=org, vendor=PRODUCT[0], name=PRODUCT[1]).first()
    if product is None or product.assessments.exists():
        return None
    membership = Membership.objects.filter(organization=org, role=Role.CONSULTANT).select_related("user").first()
    by: Any = membership.user if membership is not None else None  # the services credit nobody then
    assessment = component_assessment_create(
        product=product,
        title="M340 firmware 3.20 against 4-2",
        by=by,
        sl_target=SLVector.uniform(2),
    )
    for result in assessment.results.select_related("requirement").filter(requirement__ref__in=FINDINGS):
        status, source, observations = FINDINGS[result.requirement.ref]
        fields = {"status": status, "source": source, "observations": observations}
        component_result_update(result=result, by=by, fields=fields)
    return assessment
