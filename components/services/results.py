"""Writes to a component assessment's results: the finding and its source, comments, evidence. Each is one
transaction, raises ValidationError on bad input and StaleObjectError on a stale version, and publishes what
changed to the assessment's live group after commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import Membership
from compliance.assessed import assessed_fields_apply, evidence_results_check, evidence_store
from components import live
from components.models import ComponentAssessment, ComponentComment, ComponentEvidence, ComponentResult
from core.services import refuse_unknown_fields
from core.versioning import check_version, lock

if TYPE_CHECKING:
    from accounts.models import User

RESULT_FIELDS = ("status", "observations", "countermeasure", "justification", "assignee", "source")


def _check_assignee(assessment: ComponentAssessment, assignee: User | None) -> None:
    if assignee is None:
        return
    organization_id = assessment.product.organization_id
    if not Membership.objects.filter(organization_id=organization_id, user=assignee).exists():
        raise ValidationError({"assignee": "Only members of the product's organization can be assigned."})


def _check_evidence(result: ComponentResult, evidence: Iterable[ComponentEvidence]) -> list[ComponentEvidence]:
    rows = list(evidence)
    if any(e.assessment_id != result.assessment_id for e in rows):
        raise ValidationError({"evidence": "Evidence can only be linked within its own assessment."})
    return rows


@transaction.atomic
def component_result_update(
    *,
    result: ComponentResult,
    by: User,
    fields: dict[str, Any],
    evidence: Iterable[ComponentEvidence] | None = None,
    expected_version: int | None = None,
) -> ComponentResult:
    """Record the finding for one 4-2 item and where it comes from (`source`: supplier claim, verified by us,
    covered by a certificate). The status rules are AssessedItem's; everyone on the page sees the change."""
    refuse_unknown_fields(fields, RESULT_FIELDS)
    # Lock the result only (not the assessment): two people saving two rows never wait for each other.
    locked = ComponentResult.objects.select_for_update(of=("self",))
    result = locked.select_related("assessment__product", "requirement", "assignee").get(pk=result.pk)
    check_version(result, expected_version)
    if "assignee" in fields:
        _check_assignee(result.assessment, fields["assignee"])
    evidence_rows = _check_evidence(result, evidence) if evidence is not None else None
    assessed_fields_apply(item=result, fields=fields, by=by, exclude=("assessment", "requirement"))
    result.save()
    if evidence_rows is not None:
        result.evidence.set(evidence_rows)
    live.publish(result.assessment_id, live.result_updated(result, by))
    return result


@transaction.atomic
def component_comment_add(*, result: ComponentResult, author: User, body: str) -> ComponentComment:
    """Add a remark to a result's thread."""
    if not body.strip():
        raise ValidationError({"body": "Write something first."})
    comment = ComponentComment.objects.create(result=result, author=author, body=body.strip())
    live.publish(result.assessment_id, live.comment_added(result, comment, author))
    return comment


@transaction.atomic
def component_evidence_add(
    *,
    assessment: ComponentAssessment,
    by: User,
    file: UploadedFile | None = None,
    reference: str = "",
    description: str = "",
    expires: date | None = None,
    results: Iterable[ComponentResult] = (),
) -> ComponentEvidence:
    """Store an evidence file (size limit, type allow-list, SHA-256: core.uploads) or a reference to a
    document held elsewhere, and link it to results of the same assessment."""
    assessment = lock(assessment)
    result_list = evidence_results_check(results, assessment.pk)
    evidence = ComponentEvidence(
        assessment=assessment, reference=reference.strip(), description=description, expires=expires, added_by=by
    )
    evidence_store(evidence=evidence, file=file, results=result_list)
    for result in result_list:
        live.publish(assessment.pk, live.evidence_linked(result.pk, evidence.pk))
    return evidence


@transaction.atomic
def component_evidence_link(
    *, evidence: ComponentEvidence, results: Iterable[ComponentResult], by: User
) -> ComponentEvidence:
    """Replace the results a piece of evidence supports (an empty list unlinks it from all)."""
    result_list = evidence_results_check(results, evidence.assessment_id)
    before = set(evidence.results.values_list("pk", flat=True))
    evidence.results.set(result_list)
    for result_id in before | {r.pk for r in result_list}:
        live.publish(evidence.assessment_id, live.evidence_linked(result_id, evidence.pk))
    return evidence


@transaction.atomic
def component_evidence_update(
    *, evidence: ComponentEvidence, by: User, fields: dict[str, Any], results: Iterable[ComponentResult] | None = None
) -> ComponentEvidence:
    """Change what a piece of evidence says about itself (description, expiry) and what it supports."""
    refuse_unknown_fields(fields, ("description", "expires"))
    for name, value in fields.items():
        setattr(evidence, name, value)
    if fields:
        evidence.full_clean()
        evidence.save(update_fields=list(fields))
    if results is not None:
        component_evidence_link(evidence=evidence, results=results, by=by)
    return evidence
