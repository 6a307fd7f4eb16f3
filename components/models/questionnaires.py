"""Supplier questionnaires: a link with a long random token that lets a supplier, without an account, answer
one component assessment's items; the consultant then accepts or rejects each answer."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from simple_history.models import HistoricalRecords

from compliance.choices import ResultStatus
from components.choices import AnswerReview, InvitationState
from components.models.assessments import ComponentAssessment, ComponentResult
from core.models import PublicRecord

# secrets.token_urlsafe(32): 32 random bytes (256 bits) as 43 URL-safe base64 characters.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token: str) -> str:
    """The SHA-256 of a questionnaire token, as stored: the token itself is never kept."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Invitation(PublicRecord):
    """An invitation to a supplier to answer a component assessment. Only the SHA-256 of its token is
    stored; the token itself is shown once, in the link. It opens nothing but this questionnaire, and
    gives 404 for writes once submitted, expired or revoked."""

    assessment = models.ForeignKey(ComponentAssessment, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["token_hash"])

    access_organization_path = "assessment__product__organization"

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Questionnaire for {self.email}"

    @classmethod
    def for_token(cls, token: str) -> Invitation | None:
        """The invitation a token opens, or None. The lookup is by the token's hash (an equality on an
        indexed column), so no comparison ever runs over the secret itself; a malformed token costs no query."""
        if not TOKEN_PATTERN.fullmatch(token):
            return None
        related = cls.objects.select_related("assessment__product__organization", "created_by")
        return related.filter(token_hash=hash_token(token)).first()

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def open_for_answers(self) -> bool:
        """Whether the supplier may still write: not submitted, revoked or expired."""
        return self.submitted_at is None and self.revoked_at is None and not self.expired

    def items(self) -> QuerySet[ComponentResult]:
        """The questionnaire's items: the assessment's results in catalogue order, each with this invitation's
        answer prefetched as `mine` (a list of zero or one), and nothing of anyone else's."""
        own = Prefetch("supplier_answers", queryset=SupplierAnswer.objects.filter(invitation=self), to_attr="mine")
        return (
            self.assessment.results.select_related("requirement__fr")
            .order_by("requirement__position")
            .prefetch_related(own)
        )

    @property
    def readable(self) -> bool:
        """Whether the link still shows the questionnaire: open, or submitted (read-only) until it expires."""
        return self.revoked_at is None and not self.expired

    @property
    def state(self) -> str:
        """Revoked and expired win over submitted: the link is dead whatever happened before."""
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expired:
            return InvitationState.EXPIRED
        if self.submitted_at is not None:
            return InvitationState.SUBMITTED
        return InvitationState.OPEN

    def get_state_display(self) -> str:
        return str(InvitationState(self.state).label)


def answer_upload_to(instance: SupplierAnswer, filename: str) -> str:
    return f"supplier-answers/{instance.invitation_id}/{instance.pk}/{filename}"


class SupplierAnswer(PublicRecord):
    """A supplier's answer for one item of the questionnaire, and the consultant's review of it. An accepted
    answer becomes the result's status with source supplier claim."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    result = models.ForeignKey(ComponentResult, on_delete=models.CASCADE, related_name="supplier_answers")
    status = models.CharField(max_length=20, choices=ResultStatus.choices)
    comment = models.TextField(blank=True)
    file = models.FileField(upload_to=answer_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    answered_at = models.DateTimeField(auto_now=True)
    review = models.CharField(max_length=10, choices=AnswerReview.choices, default=AnswerReview.PENDING)
    review_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    access_organization_path = "invitation__assessment__product__organization"

    class Meta:
        ordering = ["result__requirement__position"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "result"], name="one_answer_per_questionnaire_item")
        ]

    def __str__(self) -> str:
        return f"{self.result} · {self.get_status_display()}"
