"""Components per IEC 62443-4-2: an organization's product library with certificates, component assessments
that derive a product's SL-C, and supplier questionnaires."""

from components.models.assessments import (
    ComponentAssessment,
    ComponentComment,
    ComponentEvidence,
    ComponentPresence,
    ComponentResult,
)
from components.models.products import Certificate, Product
from components.models.questionnaires import Invitation, SupplierAnswer

__all__ = [
    "Certificate",
    "ComponentAssessment",
    "ComponentComment",
    "ComponentEvidence",
    "ComponentPresence",
    "ComponentResult",
    "Invitation",
    "Product",
    "SupplierAnswer",
]
