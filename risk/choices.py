from django.db import models


class RiskStatus(models.TextChoices):
    """Where a risk assessment is: drafted by the consultants, in review, approved by the asset owner (ZCR 7)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


# The moves a status may make by request. Approval needs an asset owner or admin (services check the role);
# any change to an approved assessment (or its scenarios) makes a new revision in draft by itself.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RiskStatus.DRAFT: (RiskStatus.IN_REVIEW,),
    RiskStatus.IN_REVIEW: (RiskStatus.APPROVED, RiskStatus.DRAFT),
    RiskStatus.APPROVED: (RiskStatus.DRAFT,),
}
