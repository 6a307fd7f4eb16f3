from django.db import models


class CertificateScheme(models.TextChoices):
    """Who certified what: ISASecure's component, system and development-lifecycle schemes, the IECEE CB
    scheme for IEC 62443-4-1 (the process) or 4-2 (the component), or another scheme."""

    ISASECURE_CSA = "isasecure_csa", "ISASecure CSA (component, IEC 62443-4-2)"
    ISASECURE_SSA = "isasecure_ssa", "ISASecure SSA (system, IEC 62443-3-3)"
    ISASECURE_EDSA = "isasecure_edsa", "ISASecure EDSA (embedded device, legacy scheme)"
    ISASECURE_SDLA = "isasecure_sdla", "ISASecure SDLA (development lifecycle, IEC 62443-4-1)"
    IECEE_CB_4_1 = "iecee_cb_4_1", "IECEE CB scheme, IEC 62443-4-1"
    IECEE_CB_4_2 = "iecee_cb_4_2", "IECEE CB scheme, IEC 62443-4-2"
    OTHER = "other", "Other"


class ComponentAssessmentStatus(models.TextChoices):
    """Where a component assessment is: being assessed, then applied (its SL-C set on the product)."""

    IN_PROGRESS = "in_progress", "In progress"
    APPLIED = "applied", "Applied to the product"


class ResultSource(models.TextChoices):
    """Where a component result's status comes from."""

    SUPPLIER_CLAIM = "supplier_claim", "Supplier claim"
    VERIFIED = "verified", "Verified by us"
    CERTIFICATE = "certificate", "Covered by a certificate"


class AnswerReview(models.TextChoices):
    """What the consultant made of a supplier's answer."""

    PENDING = "pending", "To review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class InvitationState(models.TextChoices):
    """Where a supplier questionnaire's link stands (derived from its dates, never stored)."""

    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
