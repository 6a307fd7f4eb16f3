"""The fixed vocabularies of remediation: where a finding comes from, how bad it is, where it stands,
and the phases and statuses of the actions that address findings."""

from django.db import models


class FindingSource(models.TextChoices):
    """Where a finding was found."""

    ASSESSMENT = "assessment", "Gap assessment"
    THIRD_PARTY_AUDIT = "third_party_audit", "Third-party audit"
    INCIDENT = "incident", "Incident"
    VULNERABILITY_SCAN = "vulnerability_scan", "Vulnerability scan"
    INTERNAL_REVIEW = "internal_review", "Internal review"
    CAPABILITY_GAP = "capability_gap", "Component capability gap"


# Findings the platform generates (from an assessment, or from an asset's SL-C below its zone's SL-T): they keep
# their source, and a finding entered by hand never takes one of these.
GENERATED_SOURCES = (FindingSource.ASSESSMENT, FindingSource.CAPABILITY_GAP)
# A person enters findings of these sources by hand; assessment findings are generated.
MANUAL_SOURCES = (
    FindingSource.THIRD_PARTY_AUDIT,
    FindingSource.INCIDENT,
    FindingSource.VULNERABILITY_SCAN,
    FindingSource.INTERNAL_REVIEW,
)


class Severity(models.TextChoices):
    """How much risk a finding carries (remediation/rules.py says how a generated one gets its level)."""

    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class FindingStatus(models.TextChoices):
    """Where a finding stands: open, being remediated, resolved, or its risk formally accepted."""

    OPEN = "open", "Open"
    IN_REMEDIATION = "in_remediation", "In remediation"
    RESOLVED = "resolved", "Resolved"
    ACCEPTED_RISK = "accepted_risk", "Risk accepted"


UNRESOLVED_FINDING_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_REMEDIATION)


class Phase(models.TextChoices):
    """The roadmap's phases, in the order work is done: time windows from the day the roadmap is made.
    "Quick win" is a priority (P1, remediation.rules), never a phase: the first phase reads "Within a
    month", so a P4 action planned for this month does not read as a quick win (decision 0010). Its stored
    value keeps the name `quick_win`, which API clients and saved filters already use."""

    QUICK_WIN = "quick_win", "Within a month"
    SHORT_TERM = "short_term", "0-3 months"
    MID_TERM = "mid_term", "3-12 months"
    LONG_TERM = "long_term", "12-18 months and beyond"


class ActionStatus(models.TextChoices):
    """Where an action stands. Verified means someone checked the fix works and updated the
    assessment results it addressed (the verify flow)."""

    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    VERIFIED = "verified", "Verified"
    DEFERRED = "deferred", "Deferred"
    REJECTED = "rejected", "Rejected"


# The moves a status may make by hand. Verified is reached only through the verify flow
# (services.action_verify), which also updates the results; it may be reopened if the fix fails.
ACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActionStatus.PROPOSED: (ActionStatus.PLANNED, ActionStatus.DEFERRED, ActionStatus.REJECTED),
    ActionStatus.PLANNED: (
        ActionStatus.IN_PROGRESS,
        ActionStatus.DONE,
        ActionStatus.PROPOSED,
        ActionStatus.DEFERRED,
        ActionStatus.REJECTED,
    ),
    ActionStatus.IN_PROGRESS: (ActionStatus.DONE, ActionStatus.PLANNED, ActionStatus.DEFERRED),
    ActionStatus.DONE: (ActionStatus.IN_PROGRESS,),
    ActionStatus.VERIFIED: (ActionStatus.IN_PROGRESS,),
    ActionStatus.DEFERRED: (ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.REJECTED),
    ActionStatus.REJECTED: (ActionStatus.PROPOSED,),
}

# Open work: what can be late, and what the roadmap still has to deliver.
OPEN_ACTION_STATUSES = (ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
# Committed work: what the projection counts on ("if the planned actions land by their due dates").
COMMITTED_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.VERIFIED)
FINISHED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.VERIFIED)
# Actions that move their findings to "in remediation".
ACTIVE_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE)
