"""Gap assessments: one assessment of a site's zones and conduits against IEC 62443-3-3, its results,
the evidence behind them and the conversation about them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.choices import AssessmentStatus
from compliance.assessed import AssessedItem
from compliance.models import Catalogue, Requirement
from core.evidence import CommentBase, EvidenceBase
from core.models import DetailPage, PresenceRow, PublicRecord, Record
from core.validators import validate_date_range, validate_single_line
from zones.models import Conduit, Site, Zone


class Assessment(DetailPage, Record):
    """One gap assessment of a site: its scope (zones and conduits), the catalogue release it pins,
    the team, the dates and the status up to sign-off."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+")
    zones = models.ManyToManyField(Zone, blank=True, related_name="assessments")
    conduits = models.ManyToManyField(Conduit, blank=True, related_name="assessments")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lead consultant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assessment_teams")
    planned_start = models.DateField(null=True, blank=True, validators=[validate_date_range])
    planned_end = models.DateField(null=True, blank=True, validators=[validate_date_range])
    actual_start = models.DateField(null=True, blank=True, validators=[validate_date_range])
    actual_end = models.DateField(null=True, blank=True, validators=[validate_date_range])
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    sign_off_reason = models.TextField(
        blank=True, editable=False, help_text="Why it was signed off with required items not assessed"
    )
    sign_off_unassessed = models.PositiveIntegerField(
        "items not assessed at sign-off", null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    level_overrides = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The organization's level overrides when it was created, {id: lowest SL} (decision 0032)",
    )
    history = HistoricalRecords(m2m_fields=[zones, conduits])

    access_site_path = "site"
    detail_route = "assessment-detail"

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL

    def level_of(self, requirement: Requirement) -> int | None:
        """The lowest SL at which this assessment selects `requirement`: the pinned override, else the catalogue's."""
        return self.level_overrides.get(requirement.ref, requirement.lowest_sl)

    def clean(self) -> None:
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = "The planned end is before the planned start."
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = "The actual end is before the actual start."
        if errors:
            raise ValidationError(errors)


class SignOff(PublicRecord):
    """One sign-off of an assessment: who made it final, when, how many required items were still not
    assessed and why it went ahead; and, once reopened, who reopened it, when and why. Kept for good, so
    every signed-off state stays on record (with the report requested at sign-off, and the history as of
    `signed_off_at`)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sign_offs")
    signed_off_at = models.DateTimeField()
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, help_text="Required when items were not assessed")
    unassessed = models.PositiveIntegerField("items not assessed at sign-off", default=0)
    version = models.PositiveIntegerField(help_text="The assessment's version once signed off")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    access_site_path = "assessment__site"

    class Meta:
        ordering = ["-signed_off_at"]
        verbose_name = "sign-off"

    def __str__(self) -> str:
        return f"Sign-off of {self.assessment_id} on {self.signed_off_at:%Y-%m-%d %H:%M}"

    @property
    def is_current(self) -> bool:
        """Whether the assessment still stands as signed off by this record."""
        return self.reopened_at is None


class Result(AssessedItem):
    """The finding for one 3-3 requirement (SR or RE) of one zone or conduit in an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="results")
    conduit = models.ForeignKey(Conduit, null=True, blank=True, on_delete=models.PROTECT, related_name="results")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    in_scope = models.BooleanField(
        default=True, help_text="False when the target no longer requires this item; its data is kept."
    )
    carried_forward = models.BooleanField(
        default=False, help_text="Copied from an earlier assessment of the site and not confirmed yet"
    )
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The result of the earlier assessment this one was carried forward from",
    )
    history = HistoricalRecords()

    access_site_path = "assessment__site"

    class Meta:
        ordering = ["assessment", "requirement__position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(zone__isnull=False, conduit__isnull=True)
                | models.Q(zone__isnull=True, conduit__isnull=False),
                name="result_for_zone_or_conduit",
            ),
            models.UniqueConstraint(
                fields=["assessment", "zone", "requirement"],
                condition=models.Q(zone__isnull=False),
                name="one_result_per_zone_requirement",
            ),
            models.UniqueConstraint(
                fields=["assessment", "conduit", "requirement"],
                condition=models.Q(conduit__isnull=False),
                name="one_result_per_conduit_requirement",
            ),
        ]
        indexes = [models.Index(fields=["assessment", "zone"]), models.Index(fields=["assessment", "conduit"])]

    def __str__(self) -> str:
        return f"{self.requirement.ref} · {self.target}"

    @property
    def target(self) -> Zone | Conduit:
        target = self.zone or self.conduit
        assert target is not None
        return target

    @property
    def target_id(self) -> uuid.UUID:
        return self.zone_id or self.conduit_id  # type: ignore[return-value]

    @property
    def evidence_expired(self) -> bool:
        """Whether some linked evidence has expired (reads the prefetched evidence when there is some)."""
        today = timezone.localdate()
        return any(e.expires is not None and e.expires < today for e in self.evidence.all())


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # Never under a public path: MEDIA_ROOT is not served; downloads go through a checked view.
    return f"evidence/{instance.assessment_id}/{instance.pk}/{filename}"


class Evidence(EvidenceBase):
    """A document that supports results: an uploaded file (with its SHA-256) or a reference to a
    document held elsewhere (a document management system, a ticket, a drawing number)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=300, blank=True)
    results = models.ManyToManyField(Result, blank=True, related_name="evidence")
    history = HistoricalRecords(m2m_fields=[results])

    access_site_path = "assessment__site"

    class Meta:
        ordering = ["-added_at"]
        verbose_name_plural = "evidence"

    def get_download_url(self) -> str:
        return reverse("evidence-download", args=[self.pk])


class Comment(CommentBase):
    """A remark in the thread of one result (a question to the asset owner, an answer, a decision)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="comments")

    access_site_path = "result__assessment__site"

    class Meta(CommentBase.Meta):
        pass


class Presence(PresenceRow):
    """One open WebSocket on an assessment: who is here and which result they are editing (the logic is
    core.presence's; rows live as long as the socket)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    editing = models.ForeignKey(Result, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["assessment", "seen"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.assessment_id}"


# The live channel's numbered log (decision 0037), in a module of its own.
from assessments.live_changes import LiveChange as LiveChange  # noqa: E402
from assessments.live_changes import LiveCounter as LiveCounter  # noqa: E402
