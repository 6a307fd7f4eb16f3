from django.db import models

from compliance import sl


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
