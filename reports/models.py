"""Report jobs: one request for a report (a PDF, a ZIP, a CSV or XLSX export) and what came of it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, SignOff
from core.models import DetailPage, PublicRecord
from reports.choices import DONE, JobStatus, ReportKind
from risk.models import RiskAssessment
from zones.models import Site, Zone


def report_upload_to(instance: ReportJob, filename: str) -> str:
    # Never under a public path: MEDIA_ROOT is not served; downloads go through a checked view.
    return f"reports/{instance.pk}/{filename}"


class ReportJob(DetailPage, PublicRecord):
    """One report someone asked for: a gap-assessment PDF, an evidence bundle or a results export
    of an assessment (or a roadmap of a site, or the cybersecurity requirements specification of a risk
    assessment). The row is the source of truth for the request, the worker's progress, and the file it
    produced with its size, SHA-256 and page count, or the error."""

    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="report_jobs")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.CASCADE, related_name="report_jobs"
    )
    risk_assessment = models.ForeignKey(
        RiskAssessment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_jobs",
        help_text="The risk assessment of a cybersecurity requirements specification",
    )
    sign_off = models.ForeignKey(
        SignOff,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_jobs",
        help_text="The sign-off this report is the record of (requested at sign-off)",
    )
    parameters = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(
        default=timezone.now, editable=False, help_text="When the job last went to the workers (request or retry)"
    )
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0-100")
    stage = models.CharField(max_length=120, blank=True, help_text="What the worker is doing now")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker started this job")
    run_token = models.UUIDField(null=True, blank=True, editable=False, help_text="The run that owns the job now")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the run rendering the job last said it was alive"
    )
    reaper_requeues = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text="How many times the reaper sent the job back to the queue after its heartbeat stopped",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=report_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    output_info = models.JSONField(
        default=dict, blank=True, help_text="What else the output says about itself, e.g. a bundle's manifest SHA-256"
    )
    error = models.TextField(blank=True)
    # A gap report rendered in parts (decision 0039): how many parts after the front, how many are stored, and
    # the plan the assembler needs (the parts' keys in order, the front's HTML with its page placeholders).
    parts_total = models.PositiveIntegerField(default=0, editable=False)
    parts_done = models.PositiveIntegerField(default=0, editable=False)
    part_plan = models.JSONField(default=dict, blank=True, editable=False)

    access_site_path = "site"
    detail_route = "report-detail"

    class Meta:
        ordering = ["-created", "pk"]
        indexes = [
            models.Index(fields=["site", "-created"]),
            models.Index(fields=["assessment", "-created"]),
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["status", "queued_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target_label}"

    def get_download_url(self) -> str:
        return reverse("report-download", args=[self.pk])

    @property
    def target_label(self) -> str:
        if self.assessment_id and self.assessment:
            return self.assessment.title
        if self.risk_assessment_id and self.risk_assessment:
            return self.risk_assessment.title
        return str(self.site)

    @property
    def procurement_zone(self) -> Zone | None:
        """The zone a procurement annex was made for (None once the zone is deleted, or for other kinds)."""
        zone_id = self.parameters.get("zone") if self.kind == ReportKind.PROCUREMENT else None
        return Zone.objects.filter(pk=zone_id, site_id=self.site_id).first() if zone_id else None

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    @property
    def can_download(self) -> bool:
        return self.status == JobStatus.SUCCEEDED and bool(self.file)

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


def report_part_upload_to(instance: ReportPart, filename: str) -> str:
    return f"reports/parts/{instance.assessment_id}/{instance.key}.pdf"


class ReportPart(models.Model):
    """One laid-out part of an assessment's gap report (a zone's or conduit's section, the body chapters, the
    tail), kept so that the next report of the same assessment reuses it when its key (kind, HTML, template
    version) is unchanged (decision 0039). A row without a file is a part waiting for a worker; its HTML
    is kept only until then."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_parts")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    label = models.CharField(max_length=300, blank=True)
    html = models.TextField(blank=True)
    file = models.FileField(upload_to=report_part_upload_to, max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True, help_text="Anchors, links and bookmarks, for the assembler")
    created = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(default=timezone.now, help_text="When a report last used this part")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="report_part_unique_key")]
        indexes = [models.Index(fields=["used_at"])]

    def __str__(self) -> str:
        return f"{self.kind} part {self.key[:12]} of {self.assessment_id}"

    @property
    def is_rendered(self) -> bool:
        return bool(self.file)
