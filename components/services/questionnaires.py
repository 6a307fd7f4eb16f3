"""Supplier questionnaires (decision 0036): invite a supplier by a link with a long random token, take their
answers and their submission without an account, and let the consultant accept each answer as the result
(source: supplier claim) or reject it with a reason.

The token is the supplier's only credential. Every supplier-side write first finds the invitation by the
token's hash and refuses with 404 (`QuestionnaireClosed`) when it is submitted, expired or revoked, so a dead
link looks the same as one that never existed. Supplier writes record no user in the history: a consultant
who happens to be logged in while opening the link must not appear as its author.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.access import Action, can
from accounts.models import User
from compliance.choices import ResultStatus
from components.choices import AnswerReview, ResultSource
from components.models import ComponentAssessment, ComponentEvidence, Invitation, SupplierAnswer
from components.models.questionnaires import hash_token
from components.services.results import component_evidence_add, component_result_update
from core.people import person_name
from core.services import refuse_unknown_fields
from core.uploads import check_upload, sha256_of

MAX_VALIDITY = datetime.timedelta(days=90)  # a link that lives longer is a standing credential, not a request
DEFAULT_VALIDITY = datetime.timedelta(days=30)
# What a supplier may claim. Compensated is not theirs to say (a compensating countermeasure is the asset
# owner's, at the zone), and "not assessed" is no answer.
SUPPLIER_STATUSES = (
    ResultStatus.MET,
    ResultStatus.PARTIALLY_MET,
    ResultStatus.NOT_MET,
    ResultStatus.NOT_APPLICABLE,
)
# A claim that something does not apply, or applies only in part, is worthless without the why.
COMMENT_REQUIRED = (ResultStatus.PARTIALLY_MET, ResultStatus.NOT_APPLICABLE)
STATUS_REFUSALS = {
    ResultStatus.COMPENSATED: (
        "A supplier cannot answer compensated: a compensating countermeasure is chosen by the asset owner. "
        "Answer partially met or not met and describe what the product lacks."
    ),
    ResultStatus.NOT_ASSESSED: "Choose an answer: met, partially met, not met or not applicable.",
}


GONE = "This questionnaire link is not valid: it may have expired or been withdrawn. Ask the sender for a new one."
# The link is a credential: never cached, never passed on in a Referer, never indexed.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


class QuestionnaireClosed(Http404):
    """The link is submitted, expired or revoked (or the item is not in it): a 404, like an unknown token."""


def questionnaire_for_token(token: str) -> Invitation:
    """The invitation a token still shows (open, or submitted and read-only); 404 for an unknown, expired or
    revoked token alike, so that a dead link tells nothing about what it was."""
    invitation = Invitation.for_token(token)
    if invitation is None or not invitation.readable:
        raise QuestionnaireClosed(GONE)
    return invitation


@dataclass(frozen=True)
class NewInvitation:
    """A created invitation with its token and link: shown once, never stored."""

    invitation: Invitation
    token: str
    link: str


def _require_change(by: User, assessment: ComponentAssessment) -> None:
    if not can(by, Action.CHANGE, assessment):
        raise PermissionDenied("Your role lets you read this component assessment, not ask a supplier about it.")


def _check_expiry(expires: datetime.datetime, now: datetime.datetime) -> None:
    if expires <= now:
        raise ValidationError({"expires": "The link must expire in the future."})
    if expires > now + MAX_VALIDITY:
        raise ValidationError({"expires": f"A questionnaire link lives at most {MAX_VALIDITY.days} days."})


def _invitation_mail(new: NewInvitation, by: User) -> EmailMessage:
    invitation = new.invitation
    product = invitation.assessment.product
    organization = product.organization.name
    body = (
        f"{person_name(by)} of {organization} asks you to answer a security questionnaire about {product} "
        f"(IEC 62443-4-2 component requirements).\n\n"
        f"Open this link to answer; no account is needed:\n{new.link}\n\n"
        f"The link is personal and works until {invitation.expires.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC. "
        "Anyone who has it can answer in your name: do not forward it.\n"
    )
    return EmailMessage(
        subject=f"Security questionnaire from {organization}: {product}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        reply_to=[by.email] if by.email else None,
    )


@transaction.atomic
def invitation_create(
    *, assessment: ComponentAssessment, email: str, by: User, base_url: str, expires: datetime.datetime | None = None
) -> NewInvitation:
    """Invite `email` to answer `assessment`: a 256-bit token of which only the SHA-256 is stored, and the
    link `<base_url>/q/<token>/` mailed to the supplier after commit. The token is returned once."""
    _require_change(by, assessment)
    now = timezone.now()
    expires = expires or now + DEFAULT_VALIDITY
    _check_expiry(expires, now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        assessment=assessment, email=email.strip(), expires=expires, created_by=by, token_hash=hash_token(token)
    )
    invitation.full_clean(exclude=["assessment", "created_by"])
    invitation.save()
    new = NewInvitation(invitation=invitation, token=token, link=f"{base_url.rstrip('/')}/q/{token}/")
    mail = _invitation_mail(new, by)
    transaction.on_commit(lambda: mail.send(fail_silently=True))
    return new


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """End the link: reads and writes with its token are 404 from now on. Answers already submitted stay
    reviewable."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_change(by, invitation.assessment)
    if invitation.revoked_at is not None:
        raise ValidationError({"invitation": "This link is already revoked."})
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


def _open_invitation(invitation: Invitation) -> Invitation:
    """The invitation's row, locked, if the supplier may still write to it; else 404."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.open_for_answers:
        raise QuestionnaireClosed("This questionnaire no longer takes answers.")
    locked._history_user = None  # type: ignore[attr-defined]
    return locked


def _check_answer(status: str, comment: str) -> None:
    if status in STATUS_REFUSALS:
        raise ValidationError({"status": STATUS_REFUSALS[ResultStatus(status)]})
    if status not in SUPPLIER_STATUSES:
        raise ValidationError(
            {"status": f"{status!r} is not an answer; choose met, partially met, not met or not applicable."}
        )
    if status in COMMENT_REQUIRED and not comment.strip():
        raise ValidationError({"comment": f"Explain why the answer is {ResultStatus(status).label.lower()}."})


@transaction.atomic
def answer_save(
    *, invitation: Invitation, result_id: Any, fields: dict[str, Any], file: UploadedFile | None = None
) -> SupplierAnswer:
    """Create or change the supplier's answer to one item (`fields`: status, comment), with an optional
    evidence file (size and type checked, SHA-256 kept). 404 when the link no longer takes answers or the
    item is not in its assessment; 400, with nothing written, when the answer is not one a supplier gives."""
    invitation = _open_invitation(invitation)
    refuse_unknown_fields(fields, ("status", "comment"))
    result = invitation.assessment.results.filter(pk=result_id).first()
    if result is None:
        raise QuestionnaireClosed("This item is not part of the questionnaire.")
    answer = SupplierAnswer.objects.filter(invitation=invitation, result=result).first()
    if answer is None:
        if "status" not in fields:
            raise ValidationError({"status": "Choose an answer: met, partially met, not met or not applicable."})
        answer = SupplierAnswer(invitation=invitation, result=result)
    status = fields.get("status", answer.status)
    comment = str(fields.get("comment", answer.comment)).strip()
    _check_answer(status, comment)
    answer.status, answer.comment = status, comment
    if file is not None:
        answer.content_type = check_upload(file)
        answer.filename = (file.name or "evidence")[:255]
        answer.size = file.size
        answer.sha256 = sha256_of(file)
        answer.file = file  # written to storage by save(), after validation
    answer.full_clean(exclude=["invitation", "result", "file"])
    answer._history_user = None  # type: ignore[attr-defined]
    answer.save()
    return answer


def _submitted_mail(invitation: Invitation, answered: int) -> EmailMessage | None:
    inviter = invitation.created_by
    if inviter is None or not inviter.email:
        return None
    return EmailMessage(
        subject=f"Questionnaire submitted: {invitation.assessment.product}",
        body=(
            f"{invitation.email} submitted the questionnaire of the component assessment "
            f'"{invitation.assessment.title}" with {answered} answers. Review them in Zonewise.\n'
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[inviter.email],
    )


@transaction.atomic
def questionnaire_submit(*, invitation: Invitation) -> Invitation:
    """The supplier is done: the link becomes read-only and the answers reviewable; the inviter is told.
    At least one answer is needed."""
    invitation = _open_invitation(invitation)
    answered = invitation.answers.count()
    if answered == 0:
        raise ValidationError({"answers": "Answer at least one item before submitting."})
    invitation.submitted_at = timezone.now()
    invitation.save(update_fields=["submitted_at"])
    mail = _submitted_mail(invitation, answered)
    if mail is not None:
        transaction.on_commit(lambda: mail.send(fail_silently=True))
    return invitation


def _reviewable(answer: SupplierAnswer, by: User) -> SupplierAnswer:
    """The answer's row, locked, if it awaits review and `by` may change its assessment."""
    answer = SupplierAnswer.objects.select_for_update(of=("self",)).select_related("invitation").get(pk=answer.pk)
    _require_change(by, answer.invitation.assessment)
    if answer.invitation.submitted_at is None:
        raise ValidationError({"review": "The supplier has not submitted this questionnaire yet."})
    if answer.review != AnswerReview.PENDING:
        raise ValidationError({"review": f"This answer is already {answer.get_review_display().lower()}."})
    return answer


def _claim_text(answer: SupplierAnswer) -> str:
    when = f"{answer.invitation.submitted_at:%Y-%m-%d}"
    said = f": {answer.comment}" if answer.comment else "."
    return f'Supplier claim ({answer.invitation.email}, {when}), "{answer.get_status_display()}"{said}'


def _evidence_from(answer: SupplierAnswer, by: User) -> ComponentEvidence:
    """The answer's file as evidence of its result, through the evidence service (checked and hashed again:
    the same bytes, so the same SHA-256 as the supplier's upload)."""
    with answer.file.open("rb") as handle:
        upload = UploadedFile(handle, name=answer.filename, content_type=answer.content_type, size=answer.size)
        return component_evidence_add(
            assessment=answer.result.assessment,
            by=by,
            file=upload,
            description=f"Supplied by {answer.invitation.email} with the answer to {answer.result.requirement.ref}.",
            results=[answer.result],
        )


@transaction.atomic
def answer_accept(*, answer: SupplierAnswer, by: User) -> SupplierAnswer:
    """Take the supplier's answer as the result: its status, with source supplier claim, and the comment
    appended to the observations (as the justification when not applicable); its file becomes evidence."""
    answer = _reviewable(answer, by)
    result = answer.result
    claim = _claim_text(answer)
    fields: dict[str, Any] = {
        "status": answer.status,
        "source": ResultSource.SUPPLIER_CLAIM,
        "observations": f"{result.observations.rstrip()}\n\n{claim}".strip(),
    }
    if answer.status == ResultStatus.NOT_APPLICABLE:
        fields["justification"] = claim
    component_result_update(result=result, by=by, fields=fields)
    if answer.file:
        _evidence_from(answer, by)
    answer.review, answer.reviewed_by, answer.reviewed_at = AnswerReview.ACCEPTED, by, timezone.now()
    answer.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    return answer


@transaction.atomic
def answer_reject(*, answer: SupplierAnswer, by: User, reason: str) -> SupplierAnswer:
    """Refuse the supplier's answer, saying why; the result is left as it is."""
    answer = _reviewable(answer, by)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the answer is rejected."})
    answer.review, answer.review_reason = AnswerReview.REJECTED, reason.strip()
    answer.reviewed_by, answer.reviewed_at = by, timezone.now()
    answer.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
    return answer
