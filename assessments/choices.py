from django.db import models

from compliance import sl


class AssessmentStatus(models.TextChoices):
    """Where an assessment is in its life: draft → in progress → in review → final (signed off)."""

    DRAFT = "draft", "Draft"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    FINAL = "final", "Final"


# Which moves the status may make. Final is the end: a signed-off assessment is a record.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AssessmentStatus.DRAFT: (AssessmentStatus.IN_PROGRESS,),
    AssessmentStatus.IN_PROGRESS: (AssessmentStatus.IN_REVIEW, AssessmentStatus.DRAFT),
    AssessmentStatus.IN_REVIEW: (AssessmentStatus.FINAL, AssessmentStatus.IN_PROGRESS),
    AssessmentStatus.FINAL: (),
}


class ResultStatus(models.TextChoices):
    """The finding for one requirement of one zone or conduit."""

    NOT_ASSESSED = "not_assessed", "Not assessed"
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    COMPENSATED = "compensated", "Compensated"

    @property
    def satisfied(self) -> bool:
        return sl.is_satisfied(self.value)


class TargetKind(models.TextChoices):
    ZONE = "zone", "Zone"
    CONDUIT = "conduit", "Conduit"
