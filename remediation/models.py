"""Remediation: the findings of a site (gaps from an assessment, or entered by hand from audits,
incidents, scans and reviews) and the actions that address them on the roadmap."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from assessments.models import Assessment, Result
from compliance.models import Requirement
from core.models import DetailPage, Record
from core.validators import validate_date_range, validate_single_line
from remediation.choices import (
    OPEN_ACTION_STATUSES,
    UNRESOLVED_FINDING_STATUSES,
    ActionStatus,
    FindingSource,
    FindingStatus,
    Phase,
    Severity,
)
from zones.models import Asset, Conduit, Site, Zone

# Findings read most severe first, then oldest first (the longest-standing risk of a level leads): the
# findings list, the API's default order and the gap PDF all sort this way.
SEVERITY_RANK = models.Case(
    *(models.When(severity=level, then=models.Value(rank)) for rank, level in enumerate(Severity.values)),
    default=models.Value(len(Severity.values)),
    output_field=models.IntegerField(),
)
FINDING_ORDER = (SEVERITY_RANK.asc(), "identified", "title", "pk")


class Finding(DetailPage, Record):
    """A security weakness found at a site that someone has to deal with: a requirement a zone or
    conduit does not meet in a gap assessment, or a finding of a third-party audit, an incident, a
    vulnerability scan or an internal review."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="findings")
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    conduit = models.ForeignKey(Conduit, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    # The component a capability-gap finding is about (its SL-C below the zone's SL-T); empty on other findings.
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings", editable=False
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings", editable=False
    )
    results = models.ManyToManyField(Result, blank=True, related_name="findings", editable=False)
    requirement = models.ForeignKey(
        Requirement,
        verbose_name="requirement (SR)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(max_length=300, validators=[validate_single_line])
    description = models.TextField(blank=True)
    source = models.CharField(max_length=30, choices=FindingSource.choices)
    reference = models.CharField(
        max_length=200, blank=True, help_text="The audit report's finding number, incident ticket, scan id…"
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_rationale = models.CharField(
        max_length=300, blank=True, help_text="Why this severity (filled in by the rule for generated findings)."
    )
    status = models.CharField(max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    identified = models.DateField(
        validators=[validate_date_range],
        help_text="When the finding was made (audit date, scan date, assessment date).",
    )
    resolved_at = models.DateField("resolved on", null=True, blank=True, validators=[validate_date_range])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords(m2m_fields=[results])

    access_site_path = "site"
    detail_route = "finding-detail"

    class Meta:
        ordering = [SEVERITY_RANK.asc(), "identified", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(zone__isnull=False, conduit__isnull=False), name="finding_on_zone_or_conduit"
            ),
            # Generating twice from one assessment never makes a second finding for one SR of one target.
            models.UniqueConstraint(
                fields=["assessment", "zone", "requirement"],
                condition=models.Q(assessment__isnull=False, zone__isnull=False),
                name="one_finding_per_assessment_zone_requirement",
            ),
            models.UniqueConstraint(
                fields=["assessment", "conduit", "requirement"],
                condition=models.Q(assessment__isnull=False, conduit__isnull=False),
                name="one_finding_per_assessment_conduit_requirement",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"]), models.Index(fields=["site", "source"])]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self) -> Zone | Conduit | None:
        return self.zone or self.conduit

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED_FINDING_STATUSES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.zone_id and self.conduit_id:
            errors["conduit"] = "A finding is on a zone or on a conduit, not both."
        if self.zone is not None and self.zone.site_id != self.site_id:
            errors["zone"] = "The zone must belong to the finding's site."
        if self.conduit is not None and self.conduit.site_id != self.site_id:
            errors["conduit"] = "The conduit must belong to the finding's site."
        # A resolved finding without a date is dated by the services (today); see finding_update.
        if self.status != FindingStatus.RESOLVED and self.resolved_at is not None:
            errors["resolved_at"] = "Only a resolved finding has a resolution date."
        if self.resolved_at and self.identified and self.resolved_at < self.identified:
            errors["resolved_at"] = "The finding cannot be resolved before it was identified."
        if errors:
            raise ValidationError(errors)


class Action(DetailPage, Record):
    """A piece of remediation work on the roadmap: a change to the plant or the way it is run
    (segmenting a network, hardening a server, a new procedure) that addresses one or more findings."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="remediation_actions")
    findings = models.ManyToManyField(Finding, blank=True, related_name="actions")
    title = models.CharField(max_length=300, validators=[validate_single_line])
    description = models.TextField(blank=True)
    zones = models.ManyToManyField(Zone, blank=True, related_name="remediation_actions")
    conduits = models.ManyToManyField(Conduit, blank=True, related_name="remediation_actions")
    assets = models.ManyToManyField(Asset, blank=True, related_name="remediation_actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="remediation_actions"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.MID_TERM)
    effort_days = models.DecimalField(
        "effort (person-days)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_estimate = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="External cost (equipment, licences, contractors) in the organization's currency.",
    )
    planned_start = models.DateField(null=True, blank=True, validators=[validate_date_range])
    due_date = models.DateField(null=True, blank=True, validators=[validate_date_range])
    needs_maintenance_window = models.BooleanField(default=False)
    maintenance_window = models.CharField(
        max_length=200, blank=True, help_text='Which one, e.g. "Spring shutdown 2027".'
    )
    test_procedure = models.TextField(blank=True, help_text="How the change is tested before and after it goes live.")
    rollback_plan = models.TextField(blank=True, help_text="How the change is undone if the process is disturbed.")
    compensating = models.BooleanField(
        "compensating countermeasure",
        default=False,
        help_text="Compensates for equipment that cannot meet the requirement itself (legacy devices).",
    )
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PROPOSED)
    completed_on = models.DateField(null=True, blank=True, editable=False)
    verified_on = models.DateField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    verification_note = models.TextField(blank=True, editable=False)
    # Derived by remediation.rules from the findings' severities and the effort; kept current by the services.
    risk_reduction = models.PositiveIntegerField(default=0, editable=False)
    priority = models.PositiveSmallIntegerField(default=4, editable=False)
    priority_score = models.FloatField(default=0.0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords(m2m_fields=[findings, zones, conduits, assets])

    access_site_path = "site"
    detail_route = "action-detail"

    class Meta:
        ordering = ["priority", "-priority_score", "due_date", "title"]
        indexes = [models.Index(fields=["site", "status"]), models.Index(fields=["site", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        """Open work whose due date has passed."""
        return self.status in OPEN_ACTION_STATUSES and self.due_date is not None and self.due_date < today

    @property
    def is_finished(self) -> bool:
        return self.status in (ActionStatus.DONE, ActionStatus.VERIFIED)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.planned_start and self.due_date and self.due_date < self.planned_start:
            errors["due_date"] = "The due date is before the planned start."
        if self.needs_maintenance_window and not self.maintenance_window.strip():
            errors["maintenance_window"] = 'Name the maintenance window, e.g. "Spring shutdown 2027".'
        if errors:
            raise ValidationError(errors)
