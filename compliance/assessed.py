"""What every assessed requirement has, whoever is assessed: the status, what was observed, the compensating
countermeasure or the reason it does not apply, who holds it and who changed it last.

A 3-3 result of a zone or conduit (assessments.Result) and a 4-2 result of a component
(components.ComponentResult) are built on it, so that the statuses, their rules and SL arithmetic
(compliance.sl) stay one thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from compliance.choices import ResultStatus
from core.evidence import EvidenceBase
from core.models import PublicRecord
from core.uploads import check_upload, sha256_of
from core.versioning import Versioned


class AssessedItem(Versioned, PublicRecord):
    """The finding for one requirement (abstract): versioned, since two people may edit it at once."""

    status = models.CharField(max_length=20, choices=ResultStatus.choices, default=ResultStatus.NOT_ASSESSED)
    observations = models.TextField(blank=True)
    countermeasure = models.TextField("compensating countermeasure", blank=True)
    justification = models.TextField(blank=True, help_text="Why the requirement does not apply")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def satisfied(self) -> bool:
        return ResultStatus(self.status).satisfied

    def clean(self) -> None:
        errors = {}
        if self.status == ResultStatus.COMPENSATED and not self.countermeasure.strip():
            errors["countermeasure"] = "Describe the compensating countermeasure when the status is compensated."
        if self.status == ResultStatus.NOT_APPLICABLE and not self.justification.strip():
            errors["justification"] = "Justify why the requirement does not apply when the status is not applicable."
        if errors:
            raise ValidationError(errors)


def assessed_fields_apply(*, item: AssessedItem, fields: dict[str, Any], by: Any, exclude: Iterable[str]) -> None:
    """Set `fields` on `item` (not saved), credit `by`, and validate it as a whole: the status rules
    (countermeasure when compensated, justification when not applicable) are the model's. `exclude` names
    the relations the caller has checked already (no existence query for each). Raises ValidationError."""
    for name, value in fields.items():
        setattr(item, name, value)
    item.updated_by = by
    item.full_clean(exclude=[*exclude, "updated_by", "assignee"])


R = TypeVar("R", bound=models.Model)


def evidence_results_check(results: Iterable[R], assessment_id: Any) -> list[R]:
    """The results a piece of evidence is to support, as a list: all of its own assessment (`assessment_id`),
    or ValidationError. Evidence never reaches across assessments, whatever is assessed."""
    result_list = list(results)
    if any(getattr(r, "assessment_id", None) != assessment_id for r in result_list):
        raise ValidationError({"results": "Evidence can only support results of its own assessment."})
    return result_list


def evidence_store(*, evidence: EvidenceBase, file: UploadedFile | None, results: Iterable[models.Model]) -> None:
    """Save new `evidence` (built with its assessment, reference, description, expiry and author): a file
    checked against the size limit and the type allow-list and hashed with SHA-256 (core.uploads), or the
    reference, never both; then link it to `results` (checked with evidence_results_check). Raises
    ValidationError (EvidenceTooLarge over the size limit) before anything is written."""
    if file is not None and evidence.reference.strip():
        raise ValidationError({"reference": "Give either a file or a reference, not both."})
    if file is not None:
        evidence.content_type = check_upload(file)
        evidence.filename = file.name or "evidence"
        evidence.size = file.size
        evidence.sha256 = sha256_of(file)
        # The FileField's descriptor takes the upload; it is written to storage by save(), after validation.
        evidence.file = file  # type: ignore[assignment]
    evidence.full_clean()
    evidence.save()
    evidence.results.set(results)  # type: ignore[attr-defined]  # each concrete evidence model declares it
