"""IEC 62443-3-2 risk assessment: an organization's risk matrix and threat sources, a site's risk
assessments and their threat scenarios against its zones and conduits (the rule: risk/rules.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from compliance.choices import FR_CODES
from compliance.fields import SLVectorField
from core.models import DetailPage, PresenceRow, PublicRecord, Record
from core.validators import validate_single_line
from risk import defaults, rules
from risk.choices import RiskStatus
from zones.models import Conduit, Site, Zone


def _likelihood_labels() -> list[str]:
    return list(defaults.LIKELIHOOD_LABELS)


def _consequence_labels() -> list[str]:
    return list(defaults.CONSEQUENCE_LABELS)


def _ranks() -> list[list[int]]:
    return [list(row) for row in defaults.RANKS]


def _all_frs() -> list[str]:
    return list(FR_CODES)


def _no_consequence() -> dict[str, int]:
    return dict.fromkeys(rules.CONSEQUENCE_CATEGORIES, 0)


def _labels_errors(name: str, labels: Any) -> dict[str, str]:
    if (
        not isinstance(labels, list)
        or len(labels) != rules.LEVELS
        or not all(isinstance(label, str) and label.strip() and len(label) <= 60 for label in labels)
    ):
        return {name: f"Give {rules.LEVELS} labels, lowest first, each a short non-empty text."}
    return {}


class RiskMatrix(Record):
    """An organization's risk matrix: how likelihood and consequence combine into a risk rank, and the
    highest rank it tolerates. One per organization, used by all its risk assessments."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="risk_matrix")
    likelihood_labels = models.JSONField(default=_likelihood_labels)
    consequence_labels = models.JSONField(default=_consequence_labels)
    ranks = models.JSONField(default=_ranks, help_text="ranks[l-1][c-1]: the rank 1-5 of likelihood l, consequence c")
    tolerable_rank = models.PositiveSmallIntegerField(
        default=defaults.TOLERABLE_RANK, validators=[MinValueValidator(1), MaxValueValidator(rules.LEVELS)]
    )
    history = HistoricalRecords()

    access_organization_path = "organization"

    class Meta:
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return f"Risk matrix of {self.organization}"

    def clean(self) -> None:
        errors = {
            **_labels_errors("likelihood_labels", self.likelihood_labels),
            **_labels_errors("consequence_labels", self.consequence_labels),
            **rules.matrix_errors(self.ranks, self.tolerable_rank),
        }
        if errors:
            raise ValidationError(errors)

    def as_rule(self) -> rules.Matrix:
        return rules.Matrix.of(self.ranks, self.tolerable_rank)


class ThreatSource(Record):
    """Someone or something that may cause harm to an organization's plants (an operator's mistake, an insider,
    a criminal group...), with the security level (capability 1-4) it takes to hold it off."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="threat_sources")
    name = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(blank=True)
    capability = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(rules.MIN_CAPABILITY), MaxValueValidator(rules.MAX_CAPABILITY)],
        help_text="1 casual or coincidental; 2 simple means; 3 sophisticated, moderate resources, IACS skills; "
        "4 sophisticated, extended resources, high motivation",
    )
    history = HistoricalRecords()

    access_organization_path = "organization"

    class Meta:
        ordering = ["organization__name", "capability", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_threat_source_per_organization")
        ]

    def __str__(self) -> str:
        return self.name


class RiskAssessment(DetailPage, Record):
    """One IEC 62443-3-2 risk assessment of a site: the system under consideration, its threat scenarios and,
    once the asset owner approves it, the basis of the SL-T of its zones and conduits."""

    detail_route = "risk-detail"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="risk_assessments")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    scope = models.TextField(
        blank=True, help_text="The system under consideration: what it includes, its perimeter and access points"
    )
    regulatory = models.TextField(
        "regulatory requirements",
        blank=True,
        help_text="Laws, regulations and corporate rules the system must meet (the CRS lists them, ZCR 6)",
    )
    baseline_sl = models.PositiveSmallIntegerField(
        "baseline SL", default=1, validators=[MaxValueValidator(4)], help_text="No proposed SL-T goes below it"
    )
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords()

    access_site_path = "site"

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.status == RiskStatus.APPROVED


class ThreatScenario(Record):
    """One way a threat source could harm one zone or conduit of the assessed site: how likely, how bad in each
    consequence category, what countermeasures exist, and how likely and bad it remains after them."""

    risk_assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="scenarios")
    # PROTECT: a scenario is part of a (perhaps approved) record; deleting its zone must not rewrite it silently.
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="threat_scenarios")
    conduit = models.ForeignKey(
        Conduit, null=True, blank=True, on_delete=models.PROTECT, related_name="threat_scenarios"
    )
    title = models.CharField(max_length=200, validators=[validate_single_line])
    threat_source = models.ForeignKey(ThreatSource, on_delete=models.PROTECT, related_name="scenarios")
    frs = models.JSONField("FRs", default=_all_frs, help_text='The foundational requirements it bears on, "FR1"-"FR7"')
    likelihood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(rules.LEVELS)])
    consequence = models.JSONField(default=_no_consequence, help_text="0-5 per category; the scenario's is the worst")
    countermeasures = models.TextField("existing countermeasures", blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(rules.LEVELS)]
    )
    residual_consequence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(rules.LEVELS)], help_text="0-5, after countermeasures"
    )
    additional_countermeasures = models.TextField(blank=True)
    # The remediation action made from the additional countermeasures (ZCR 5.12), once someone asked for it.
    # SET_NULL: the roadmap may drop the action; the scenario then offers to make a new one.
    remediation_action = models.ForeignKey(
        "remediation.Action",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threat_scenarios",
        editable=False,
    )
    history = HistoricalRecords()

    access_site_path = "risk_assessment__site"

    class Meta:
        ordering = ["risk_assessment", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(zone__isnull=False, conduit__isnull=True) | Q(zone__isnull=True, conduit__isnull=False),
                name="threat_scenario_has_one_target",
            )
        ]
        indexes = [
            models.Index(fields=["risk_assessment", "zone"]),
            models.Index(fields=["risk_assessment", "conduit"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def target_id(self) -> Any:
        return self.zone_id or self.conduit_id

    @property
    def worst_consequence(self) -> int:
        return rules.worst_consequence(self.consequence) if isinstance(self.consequence, dict) else 0

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.zone_id is None) == (self.conduit_id is None):
            errors["zone"] = "Give exactly one of zone or conduit."
        site_id = self.risk_assessment.site_id if self.risk_assessment_id else None
        if self.zone is not None and self.zone.site_id != site_id:
            errors["zone"] = "The zone must belong to the risk assessment's site."
        if self.conduit is not None and self.conduit.site_id != site_id:
            errors["conduit"] = "The conduit must belong to the risk assessment's site."
        if (
            self.threat_source_id is not None
            and site_id is not None
            and self.threat_source.organization_id != self.risk_assessment.site.organization_id
        ):
            errors["threat_source"] = "The threat source must belong to the site's organization."
        if (
            not isinstance(self.frs, list)
            or not self.frs
            or any(fr not in FR_CODES for fr in self.frs)
            or len(set(self.frs)) != len(self.frs)
        ):
            errors["frs"] = f"Name one or more of {', '.join(FR_CODES)}, each once."
        if problems := rules.consequence_errors(self.consequence):
            errors["consequence"] = " ".join(problems.values())
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if isinstance(self.frs, list):  # stored in FR order, so equal selections compare equal
            self.frs = [fr for fr in FR_CODES if fr in self.frs]
        if isinstance(self.consequence, dict) and not rules.consequence_errors(self.consequence):
            self.consequence = {name: self.consequence.get(name, 0) for name in rules.CONSEQUENCE_CATEGORIES}
        super().save(*args, **kwargs)

    def as_rule(self, capability: int) -> rules.Scenario:
        return rules.Scenario(
            id=self.pk,
            target=self.target_id,
            threat_source=self.threat_source_id,
            capability=capability,
            frs=frozenset(self.frs),
            likelihood=self.likelihood,
            consequence=self.worst_consequence,
            residual_likelihood=self.residual_likelihood,
            residual_consequence=self.residual_consequence,
        )


class AppliedTarget(PublicRecord):
    """One SL-T written to a zone or conduit from an approved risk assessment: what it was, what the rule
    proposed, what was written, and the justification when a person overrode the proposal."""

    risk_assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="applied_targets")
    revision = models.PositiveIntegerField()
    # The record of a decision outlives the zone it was about (then it names none).
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    conduit = models.ForeignKey(Conduit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    before = SLVectorField("SL-T before")
    proposed = SLVectorField("proposed SL-T")
    after = SLVectorField("SL-T written")
    justification = models.TextField(blank=True, help_text="Why the written SL-T differs from the proposal")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)

    access_site_path = "risk_assessment__site"

    class Meta:
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return f"{self.zone or self.conduit}: {self.before} → {self.after}"


class RiskPresence(PresenceRow):
    """One open WebSocket on a risk assessment's register: who is here and which scenario they are editing
    (the logic is core.presence's; rows live as long as the socket)."""

    risk_assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="+")
    editing = models.ForeignKey(ThreatScenario, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["risk_assessment", "seen"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.risk_assessment_id}"
