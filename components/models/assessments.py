"""Component assessments: one product assessed against the IEC 62443-4-2 items of its component type, up to
a target level per FR; the results, their evidence and conversation, and who is on the page live."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from compliance.assessed import AssessedItem
from compliance.fields import SLVectorField
from compliance.models import Catalogue, Requirement
from compliance.sl import SLVector
from components.choices import ComponentAssessmentStatus, ResultSource
from components.models.products import Product
from core.evidence import CommentBase, EvidenceBase
from core.models import DetailPage, PresenceRow, Record
from core.validators import validate_single_line


def full_target() -> SLVector:
    return SLVector.uniform(4)


class ComponentAssessment(DetailPage, Record):
    """An assessment of one product against IEC 62443-4-2, pinned to the 4-2 release it used: its results
    are the product's component-type items selected at or below `sl_target` per FR. Applying it sets the
    product's SL-C (source: our own assessment)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+")
    sl_target = SLVectorField("assess up to", default=full_target)
    status = models.CharField(
        max_length=20, choices=ComponentAssessmentStatus.choices, default=ComponentAssessmentStatus.IN_PROGRESS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords()

    access_organization_path = "product__organization"
    detail_route = "component-assessment-detail"

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class ComponentResult(AssessedItem):
    """The finding for one 4-2 item (CR, component-type item or RE) of the assessed product, and where its
    status comes from."""

    assessment = models.ForeignKey(ComponentAssessment, on_delete=models.CASCADE, related_name="results")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=ResultSource.choices, blank=True)
    history = HistoricalRecords()

    access_organization_path = "assessment__product__organization"

    class Meta:
        ordering = ["assessment", "requirement__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "requirement"], name="one_result_per_component_item")
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref} · {self.assessment}"

    @property
    def target(self) -> Product:
        """What the finding is about (named like a gap result's zone or conduit, for shared templates)."""
        return self.assessment.product


def component_evidence_upload_to(instance: ComponentEvidence, filename: str) -> str:
    # Never under a public path: MEDIA_ROOT is not served; downloads go through a checked view.
    return f"component-evidence/{instance.assessment_id}/{instance.pk}/{filename}"


class ComponentEvidence(EvidenceBase):
    """A document behind component results: a test report, a hardening guide, a vendor's statement."""

    assessment = models.ForeignKey(ComponentAssessment, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=component_evidence_upload_to, max_length=300, blank=True)
    results = models.ManyToManyField(ComponentResult, blank=True, related_name="evidence")
    history = HistoricalRecords(m2m_fields=[results])

    access_organization_path = "assessment__product__organization"

    class Meta:
        ordering = ["-added_at"]
        verbose_name_plural = "component evidence"

    def get_download_url(self) -> str:
        return reverse("component-evidence-download", args=[self.pk])


class ComponentComment(CommentBase):
    """A remark in the thread of one component result."""

    result = models.ForeignKey(ComponentResult, on_delete=models.CASCADE, related_name="comments")

    access_organization_path = "result__assessment__product__organization"

    class Meta(CommentBase.Meta):
        pass


class ComponentPresence(PresenceRow):
    """One open WebSocket on a component assessment: who is here and which result they are editing."""

    assessment = models.ForeignKey(ComponentAssessment, on_delete=models.CASCADE, related_name="+")
    editing = models.ForeignKey(ComponentResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["assessment", "seen"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.assessment_id}"
