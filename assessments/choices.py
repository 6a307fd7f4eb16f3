from django.db import models

from compliance.choices import ResultStatus

__all__ = ["REOPENED_TO", "TRANSITIONS", "AssessmentStatus", "ResultStatus", "TargetKind"]


class AssessmentStatus(models.TextChoices):
    """Where an assessment is in its life: draft → in progress → in review → final (signed off)."""

    DRAFT = "draft", "Draft"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    FINAL = "final", "Final"


# Which moves the status may make. Final is a signed-off record: only a reopening (with a reason, by whoever
# may sign off) takes it back, to in review (decision 0011); the sign-off itself stays on record.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AssessmentStatus.DRAFT: (AssessmentStatus.IN_PROGRESS,),
    AssessmentStatus.IN_PROGRESS: (AssessmentStatus.IN_REVIEW, AssessmentStatus.DRAFT),
    AssessmentStatus.IN_REVIEW: (AssessmentStatus.FINAL, AssessmentStatus.IN_PROGRESS),
    AssessmentStatus.FINAL: (AssessmentStatus.IN_REVIEW,),
}
# Where a reopened assessment goes: back to review, not to work (decision 0011).
REOPENED_TO = AssessmentStatus.IN_REVIEW


class TargetKind(models.TextChoices):
    ZONE = "zone", "Zone"
    CONDUIT = "conduit", "Conduit"
