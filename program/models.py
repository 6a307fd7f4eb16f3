"""The security program's measurable side: vulnerabilities on assets, security-training counts,
incident-response exercises, and the monthly KPI snapshots computed from them (see program/kpis.py)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from core.models import PublicRecord, Record
from core.validators import validate_date_range, validate_single_line
from program.choices import REMEDIATED, ExerciseKind, ExerciseOutcome, Severity, VulnerabilityStatus
from zones.models import Asset, Site

CVE_ID = re.compile(r"CVE-(\d{4})-(\d{4,19})")
FIRST_CVE_YEAR = 1999


def severity_for_cvss(score: Decimal | float) -> str:
    """The CVSS qualitative rating of a base score (FIRST's scale, the same in CVSS v3.x and v4.0)."""
    value = Decimal(str(score))
    if value >= Decimal("9.0"):
        return Severity.CRITICAL
    if value >= Decimal("7.0"):
        return Severity.HIGH
    if value >= Decimal("4.0"):
        return Severity.MEDIUM
    if value > 0:
        return Severity.LOW
    return Severity.NONE


def cve_problem(value: str) -> str | None:
    """Why `value` is not a CVE id like CVE-2024-12345 (None when it is one)."""
    match = CVE_ID.fullmatch(value)
    if not match:
        return f"'{value}' is not a CVE id like CVE-2024-12345 (CVE, a year, four or more digits)"
    year = int(match.group(1))
    if not FIRST_CVE_YEAR <= year <= timezone.localdate().year + 1:
        return f"'{value}' has the year {year}; CVE ids start in {FIRST_CVE_YEAR}"
    return None


class Vulnerability(Record):
    """A published weakness (a CVE, or a vendor's or CERT's advisory) found on one asset, and how it was
    handled: found on a date, then fixed (patched), mitigated (compensating control) or left open."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="vulnerabilities")
    cve = models.CharField("CVE id", max_length=30, blank=True, help_text="e.g. CVE-2024-12345")
    advisory = models.CharField(
        "advisory id", max_length=100, blank=True, help_text="Vendor or CERT advisory, e.g. ICSA-24-200-01, SSA-123456"
    )
    title = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    severity = models.CharField(
        max_length=10,
        choices=Severity.choices,
        blank=True,  # only in forms: clean() takes the CVSS score's rating, or asks for one
        help_text="With a CVSS score, the score's rating (critical is 9.0 or more).",
    )
    cvss_score = models.DecimalField(
        "CVSS base score",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0")), MaxValueValidator(Decimal("10.0"))],
    )
    found = models.DateField(
        validators=[validate_date_range], help_text="When the vulnerability became known for this asset"
    )
    fixed = models.DateField(
        null=True, blank=True, validators=[validate_date_range], help_text="When it was patched or mitigated"
    )
    status = models.CharField(
        max_length=20,
        choices=VulnerabilityStatus.choices,
        default=VulnerabilityStatus.OPEN,
        help_text="Fixed: patched or upgraded. Mitigated: a compensating control, not patched.",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    access_site_path = "asset__zone__site"

    class Meta:
        ordering = ["-found", "cve", "advisory", "id"]
        verbose_name_plural = "vulnerabilities"
        constraints = [
            models.UniqueConstraint(fields=["asset", "cve"], condition=~Q(cve=""), name="one_row_per_asset_cve"),
            models.UniqueConstraint(
                fields=["asset", "advisory"], condition=Q(cve="") & ~Q(advisory=""), name="one_row_per_asset_advisory"
            ),
            models.CheckConstraint(condition=~Q(cve="", advisory=""), name="vulnerability_has_an_id"),
            models.CheckConstraint(
                condition=Q(fixed__isnull=True) | Q(fixed__gte=F("found")), name="vulnerability_fixed_after_found"
            ),
        ]
        indexes = [models.Index(fields=["asset", "found"])]

    def __str__(self) -> str:
        return f"{self.identifier} on {self.asset}" if self.asset_id else self.identifier

    @property
    def identifier(self) -> str:
        return self.cve or self.advisory

    @property
    def remediated(self) -> bool:
        return self.status in REMEDIATED

    @property
    def days_to_fix(self) -> int | None:
        return (self.fixed - self.found).days if self.fixed and self.found else None

    @property
    def days_open(self) -> int:
        return (timezone.localdate() - self.found).days

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.cve = self.cve.strip().upper()
        self.advisory = self.advisory.strip()
        if self.cve and (problem := cve_problem(self.cve)):
            errors["cve"] = problem
        if not self.cve and not self.advisory:
            errors["cve"] = "Give a CVE id, an advisory id, or both."
        if self.cvss_score is not None and 0 <= self.cvss_score <= 10:
            rating = severity_for_cvss(self.cvss_score)
            if not self.severity:
                self.severity = rating
            elif self.severity != rating:
                errors["severity"] = (
                    f"A CVSS score of {self.cvss_score} is rated {rating}, not {self.severity}; "
                    "leave the severity empty to take the score's rating."
                )
        elif not self.severity:
            errors["severity"] = "Give a severity, or a CVSS score to rate it."
        if self.fixed and self.found and self.fixed < self.found:
            errors["fixed"] = f"Fixed on {self.fixed} is before it was found ({self.found})."
        if self.status in REMEDIATED and not self.fixed:
            verb = "patched" if self.status == VulnerabilityStatus.FIXED else "mitigated"
            errors["fixed"] = f"Say when it was {verb}."
        if self.status not in REMEDIATED and self.fixed:
            errors["status"] = "A vulnerability with a fixed date is fixed or mitigated, not open or accepted."
        if errors:
            raise ValidationError(errors)


class TrainingRecord(Record):
    """A periodic count for one security-training programme at one site: how many people had to complete it
    in the period, and how many had by the period's end (counts, not names: no personal data is kept)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="training_records")
    programme = models.CharField(
        max_length=200, help_text="e.g. OT security awareness", validators=[validate_single_line]
    )
    period_start = models.DateField(validators=[validate_date_range])
    period_end = models.DateField(validators=[validate_date_range], help_text="The counts are as of this date")
    people_required = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    people_completed = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    access_site_path = "site"

    class Meta:
        ordering = ["-period_end", "programme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "programme", "period_end"], name="one_count_per_programme_period"),
            models.CheckConstraint(
                condition=Q(people_completed__lte=F("people_required")), name="training_completed_within_required"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="training_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}, {self.period_start} to {self.period_end}"

    @property
    def percent(self) -> float:
        return round(100 * self.people_completed / self.people_required, 1) if self.people_required else 0.0

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = "The period ends before it starts."
        if (
            self.people_required is not None
            and self.people_completed is not None
            and self.people_completed > self.people_required
        ):
            errors["people_completed"] = (
                f"{self.people_completed} completed is more than the {self.people_required} required."
            )
        if errors:
            raise ValidationError(errors)


class Exercise(Record):
    """An incident-response exercise held at a site (a tabletop, a drill, a live test of the response plan):
    its scenario, how it went against its objectives, and what was learned."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="exercises")
    held_on = models.DateField("date held", validators=[validate_date_range])
    kind = models.CharField(max_length=20, choices=ExerciseKind.choices, default=ExerciseKind.TABLETOP)
    scenario = models.CharField(
        max_length=300, help_text="e.g. Ransomware on the SCADA servers", validators=[validate_single_line]
    )
    participants = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ExerciseOutcome.choices)
    lessons_learned = models.TextField(blank=True)
    history = HistoricalRecords()

    access_site_path = "site"

    class Meta:
        ordering = ["-held_on", "scenario", "id"]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.held_on})"


class KpiSnapshot(PublicRecord):
    """One KPI's value for an organization (or one of its sites) at the end of one month, as computed when
    the month closed: the record of what was reported then, even if data about that month changes later."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kpi_snapshots")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="kpi_snapshots")
    month = models.DateField(help_text="The first day of the month measured")
    key = models.CharField(max_length=40)
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    taken_at = models.DateTimeField(auto_now_add=True)

    access_organization_path = "organization"

    class Meta:
        ordering = ["organization", "site", "month", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "key"],
                condition=Q(site__isnull=True),
                name="one_organization_snapshot_per_month_and_kpi",
            ),
            models.UniqueConstraint(
                fields=["site", "month", "key"],
                condition=Q(site__isnull=False),
                name="one_site_snapshot_per_month_and_kpi",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.month:%Y-%m}: {self.value}"
