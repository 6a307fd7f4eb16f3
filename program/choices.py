from django.db import models


class Severity(models.TextChoices):
    """CVSS qualitative rating (FIRST): critical 9.0-10.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9, none 0.0."""

    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"


class VulnerabilityStatus(models.TextChoices):
    """Where the handling of one vulnerability on one asset stands."""

    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"  # a compensating control, not patched
    FIXED = "fixed", "Fixed"  # patched or upgraded
    RISK_ACCEPTED = "risk_accepted", "Risk accepted"


# The statuses that end the exposure; both need the date it ended (`fixed`).
REMEDIATED = (VulnerabilityStatus.MITIGATED, VulnerabilityStatus.FIXED)


class ExerciseKind(models.TextChoices):
    TABLETOP = "tabletop", "Tabletop (discussion-based)"
    FUNCTIONAL = "functional", "Functional (drill of some functions)"
    FULL_SCALE = "full_scale", "Full-scale (live, in the plant)"


class ExerciseOutcome(models.TextChoices):
    """Whether the exercise met the objectives set for it."""

    MET = "met", "Objectives met"
    PARTIALLY_MET = "partially_met", "Objectives partially met"
    NOT_MET = "not_met", "Objectives not met"


class Rag(models.TextChoices):
    """Red, amber, green against a KPI's target; none when there is nothing to measure."""

    GREEN = "green", "On target"
    AMBER = "amber", "Close to target"
    RED = "red", "Off target"
    NONE = "none", "No data"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
