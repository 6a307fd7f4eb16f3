"""Writes to assessments. Each is one transaction, raises ValidationError on bad input and
StaleObjectError on a stale version, and publishes what changed to the live group after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.access import Action, can
from accounts.models import Membership, User
from assessments import carry, live, selectors
from assessments.choices import REOPENED_TO, TRANSITIONS, AssessmentStatus, TargetKind
from assessments.models import Assessment, Comment, Evidence, Result, SignOff
from assessments.selectors import ResyncPlan, resync_plan
from compliance.assessed import assessed_fields_apply, evidence_results_check, evidence_store
from compliance.choices import Part
from compliance.models import Catalogue
from compliance.overrides import overrides_pin
from core.services import refuse_unknown_fields
from core.versioning import check_version, lock
from zones.models import Conduit, Site, Zone

SCALAR_FIELDS = ("title", "lead", "planned_start", "planned_end", "actual_start", "actual_end")
RESULT_FIELDS = ("status", "observations", "countermeasure", "justification", "assignee")


def _ensure_open(assessment: Assessment) -> None:
    if assessment.is_final:
        raise ValidationError(
            f"This assessment was signed off on {assessment.signed_off_at:%Y-%m-%d %H:%M} UTC and is read-only."
            if assessment.signed_off_at
            else "This assessment is final and read-only."
        )


def _check_people(site: Site, people: Iterable[User | None], field: str) -> None:
    ids = {p.pk for p in people if p is not None}
    members = set(
        Membership.objects.filter(organization_id=site.organization_id, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    if ids - members:
        raise ValidationError({field: "Only members of the site's organization can be on an assessment."})


def _check_scope(site: Site, zones: list[Zone], conduits: list[Conduit]) -> None:
    errors = {}
    if any(z.site_id != site.pk for z in zones):
        errors["zones"] = "Every zone in scope must belong to the assessment's site."
    if any(c.site_id != site.pk for c in conduits):
        errors["conduits"] = "Every conduit in scope must belong to the assessment's site."
    if errors:
        raise ValidationError(errors)


def _apply_plan(
    assessment: Assessment, plan: ResyncPlan, fill: Callable[[list[Result]], None] | None = None
) -> ResyncPlan:
    new = [
        Result(
            assessment=assessment,
            zone_id=target_id if kind == TargetKind.ZONE else None,
            conduit_id=target_id if kind == TargetKind.CONDUIT else None,
            requirement_id=req_id,
        )
        for kind, target_id, req_id in plan.add
    ]
    if fill is not None:
        fill(new)  # a carry forward sets its findings before the one insert (assessments.carry)
    if new:
        bulk_create_with_history(new, Result, batch_size=500)
    # Going through save() keeps version, history and ETags right for the rows that change.
    for result in Result.objects.filter(pk__in=[*plan.retire, *plan.restore]):
        result.in_scope = result.pk in set(plan.restore)
        result.save(update_fields=["in_scope", "version", "updated_at"])
    return plan


@transaction.atomic
def assessment_create(
    *,
    site: Site,
    title: str,
    by: User,
    zones: Iterable[Zone] | None = None,
    conduits: Iterable[Conduit] | None = None,
    team: Iterable[User] = (),
    previous: Assessment | None = None,
    **fields: Any,
) -> Assessment:
    """Create an assessment pinned to the current 3-3 release and to the organization's level overrides, with
    one result per in-scope zone or conduit and per item selected at or below its SL-T (at the pinned levels).
    Scope defaults to the whole site. With `previous`
    (an earlier assessment of the same site), its findings are carried forward, to confirm (assessments.carry)."""
    catalogue = Catalogue.objects.filter(part=Part.SYSTEM, is_current=True).first()
    if catalogue is None:
        raise ValidationError("No IEC 62443-3-3 catalogue is loaded; run manage.py load_catalogue.")
    refuse_unknown_fields(fields, SCALAR_FIELDS)
    zone_list = list(zones) if zones is not None else list(site.zones.all())
    conduit_list = list(conduits) if conduits is not None else list(site.conduits.all())
    _check_scope(site, zone_list, conduit_list)
    team_list = list(team)
    _check_people(site, [fields.get("lead")], "lead")
    _check_people(site, team_list, "team")
    if previous is not None:
        carry.check_previous(site_id=site.pk, previous=previous)
    # The organization's level overrides of this moment stay with the assessment for good (decision 0032).
    pin = overrides_pin(site.organization_id)
    assessment = Assessment(site=site, title=title, catalogue=catalogue, created_by=by, level_overrides=pin, **fields)
    assessment.full_clean()
    assessment.save()
    assessment.zones.set(zone_list)
    assessment.conduits.set(conduit_list)
    assessment.team.set(team_list)
    carried = carry.Carry(previous=previous, by=by) if previous is not None else None
    _apply_plan(assessment, resync_plan(assessment), fill=carried.fill if carried else None)
    # What the carry did, for the caller (the API's answer counts it again from the rows).
    assessment.carried = carried.link() if carried else carry.CarryCounts()  # type: ignore[attr-defined]
    return assessment


@transaction.atomic
def assessment_update(
    *,
    assessment: Assessment,
    by: User,
    fields: dict[str, Any],
    zones: Iterable[Zone] | None = None,
    conduits: Iterable[Conduit] | None = None,
    team: Iterable[User] | None = None,
    expected_version: int | None = None,
) -> Assessment:
    """Edit title, people, dates or scope. A scope change syncs the results at once (results of a
    zone taken out of scope are kept, marked out of scope)."""
    assessment = lock(assessment)
    check_version(assessment, expected_version)
    _ensure_open(assessment)
    refuse_unknown_fields(fields, SCALAR_FIELDS)
    for name, value in fields.items():
        setattr(assessment, name, value)
    site = assessment.site
    if zones is not None or conduits is not None:
        zone_list = list(zones) if zones is not None else list(assessment.zones.all())
        conduit_list = list(conduits) if conduits is not None else list(assessment.conduits.all())
        _check_scope(site, zone_list, conduit_list)
    team_list = list(team) if team is not None else None
    _check_people(site, [fields.get("lead")], "lead")
    _check_people(site, team_list or [], "team")
    assessment.full_clean()
    assessment.save()
    if team_list is not None:
        assessment.team.set(team_list)
    if zones is not None or conduits is not None:
        assessment.zones.set(zone_list)
        assessment.conduits.set(conduit_list)
        _apply_plan(assessment, resync_plan(assessment))
    live.publish(assessment.pk, {"type": "assessment.updated", "version": assessment.version, "by": live.person(by)})
    return assessment


@transaction.atomic
def assessment_resync(*, assessment: Assessment, by: User) -> ResyncPlan:
    """Bring the results in line with the zones' and conduits' current SL-T: add what is now
    required, mark what no longer is as out of scope (never delete), bring back what is again."""
    assessment = lock(assessment)
    _ensure_open(assessment)
    plan = _apply_plan(assessment, resync_plan(assessment))
    if not plan.empty:
        assessment.save()  # a new version: the results changed under everyone's feet
        message = {"type": "assessment.resynced", "version": assessment.version, "by": live.person(by)}
        live.publish(assessment.pk, message)
    return plan


def _status_error(assessment: Assessment, to: str) -> ValidationError:
    if assessment.is_final:  # the same message as every other write, on the field that was asked to move
        try:
            _ensure_open(assessment)
        except ValidationError as exc:
            return ValidationError({"status": exc.messages})
    allowed = ", ".join(TRANSITIONS[assessment.status]) or "none"
    return ValidationError({"status": f"An assessment {assessment.status} cannot move to {to} (allowed: {allowed})."})


@transaction.atomic
def assessment_transition(
    *, assessment: Assessment, to: str, by: User, expected_version: int | None = None, reason: str = ""
) -> Assessment:
    """Move the status one step. Final is a sign-off (assessment_sign_off); from final only a reopening
    (assessment_reopen) goes back, to in review. `reason` is what those two record."""
    assessment = lock(assessment)
    check_version(assessment, expected_version)
    if to not in AssessmentStatus.values:
        raise ValidationError({"status": f"Unknown status {to!r}; one of {', '.join(AssessmentStatus.values)}."})
    if to == assessment.status:
        return assessment
    if to == AssessmentStatus.FINAL and assessment.status == AssessmentStatus.IN_REVIEW:
        return assessment_sign_off(assessment=assessment, by=by, reason=reason)
    if assessment.is_final and to == REOPENED_TO:
        return assessment_reopen(assessment=assessment, by=by, reason=reason)
    if to not in TRANSITIONS[assessment.status] or assessment.is_final:
        raise _status_error(assessment, to)
    if to == AssessmentStatus.IN_PROGRESS and assessment.actual_start is None:
        assessment.actual_start = timezone.localdate()
    assessment.status = to
    assessment.save()
    _publish_status(assessment, by)
    return assessment


def _publish_status(assessment: Assessment, by: User) -> None:
    message = {"type": "assessment.updated", "version": assessment.version, "status": assessment.status}
    live.publish(assessment.pk, {**message, "by": live.person(by)})


def _unassessed_refusal(count: int) -> str:
    return (
        f"{count} required item{'s are' if count != 1 else ' is'} not assessed yet. Sign off anyway only with "
        "the reason why (it is shown on the report's cover and in the history)."
    )


@transaction.atomic
def assessment_sign_off(*, assessment: Assessment, by: User, reason: str = "") -> Assessment:
    """Make an assessment in review final: consultants and admins only. With required items not assessed,
    only with a reason. Records the sign-off (who, when, why, how many items were open) on the assessment
    and as a SignOff that outlives a reopening, and requests its gap-assessment report, pinned to it."""
    assessment = lock(assessment)
    if not can(by, Action.SIGN_OFF, assessment):
        raise PermissionDenied("Only a consultant or an admin of the organization can sign an assessment off.")
    if assessment.status != AssessmentStatus.IN_REVIEW:
        raise _status_error(assessment, AssessmentStatus.FINAL)
    unassessed = selectors.unassessed_results(assessment).count()
    reason = reason.strip()
    if unassessed and not reason:
        raise ValidationError({"reason": _unassessed_refusal(unassessed)})
    today, now = timezone.localdate(), timezone.now()
    assessment.status = AssessmentStatus.FINAL
    assessment.signed_off_at, assessment.signed_off_by = now, by
    assessment.sign_off_reason, assessment.sign_off_unassessed = reason, unassessed
    assessment.actual_end = assessment.actual_end or max(today, assessment.actual_start or today)
    assessment.save()
    record = SignOff.objects.create(
        assessment=assessment,
        signed_off_at=now,
        signed_off_by=by,
        reason=reason,
        unassessed=unassessed,
        version=assessment.version,
    )
    # The report of record. reports depends on assessments, not the other way round: imported here.
    from reports.services import sign_off_report_request

    sign_off_report_request(sign_off=record, by=by)
    _publish_status(assessment, by)
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, by: User, reason: str) -> Assessment:
    """Take a final assessment back to in review (decision 0011): consultants and admins, with a reason.
    The sign-off it undoes stays on record (its SignOff, its report, the history until then)."""
    assessment = lock(assessment)
    if not can(by, Action.SIGN_OFF, assessment):
        raise PermissionDenied("Only a consultant or an admin of the organization can reopen a signed-off assessment.")
    if not assessment.is_final:
        raise ValidationError({"status": "Only a final (signed-off) assessment can be reopened."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the signed-off assessment is reopened (it stays in the history)."})
    now = timezone.now()
    record = assessment.sign_offs.select_for_update().filter(reopened_at__isnull=True).first()
    if record is not None:
        record.reopened_at, record.reopened_by, record.reopen_reason = now, by, reason
        record.save()
    assessment.status = REOPENED_TO
    assessment.signed_off_at = assessment.signed_off_by = None
    assessment.sign_off_reason, assessment.sign_off_unassessed = "", None
    assessment.save()
    _publish_status(assessment, by)
    return assessment


# --- the rules of a result edit, shared by result_update and the bulk edit (assessments/bulk.py) ---------
def result_fields_check(
    *, assessment: Assessment, fields: dict[str, Any], allowed: Iterable[str] = RESULT_FIELDS
) -> None:
    """What an edit of results must pass before any result is looked at: the assessment is open, only
    fields a person edits are sent, and a new assignee is a member of the site's organization."""
    _ensure_open(assessment)
    refuse_unknown_fields(fields, allowed)
    if fields.get("assignee") is not None:
        _check_people(assessment.site, [fields["assignee"]], "assignee")


def result_fields_apply(*, result: Result, fields: dict[str, Any], by: User) -> None:
    """Set `fields` on `result` (not saved) and validate it as a whole: the status rules (countermeasure
    when compensated, justification when not applicable) are the model's. Raises ValidationError."""
    # updated_by is the caller and a changed assignee was checked by result_fields_check: no existence
    # query for either.
    assessed_fields_apply(item=result, fields=fields, by=by, exclude=("assessment", "zone", "conduit", "requirement"))


@transaction.atomic
def result_update(
    *,
    result: Result,
    by: User,
    fields: dict[str, Any],
    evidence: Iterable[Evidence] | None = None,
    expected_version: int | None = None,
) -> Result:
    """Record a finding. The status rules (countermeasure when compensated, justification when not
    applicable) are the model's; everyone connected sees the change after commit."""
    # Lock the result only: locking the joined assessment too made every save on it wait in line.
    # The joins are what the live message shows (requirement, assignee) and what the checks read.
    locked = Result.objects.select_for_update(of=("self",))
    result = locked.select_related("assessment__site", "requirement", "assignee").get(pk=result.pk)
    _ensure_open(result.assessment)
    check_version(result, expected_version)
    result_fields_check(assessment=result.assessment, fields=fields, allowed=(*RESULT_FIELDS, "carried_forward"))
    if fields.get("carried_forward") and not result.carried_forward:
        raise ValidationError({"carried_forward": "Only a carry forward marks a result; send false to confirm it."})
    evidence_list = list(evidence) if evidence is not None else None
    foreign = {e.pk for e in evidence_list or () if e.assessment_id != result.assessment_id}
    # Evidence of an earlier assessment stays linkable where a carry forward linked it (decision 0026).
    if foreign and foreign - set(result.evidence.values_list("pk", flat=True)):
        raise ValidationError({"evidence": "Evidence can only be linked within its own assessment."})
    result_fields_apply(result=result, fields=fields, by=by)
    result.save()
    if evidence_list is not None:
        result.evidence.set(evidence_list)
    live.publish(result.assessment_id, live.result_updated(result, by))
    return result


@transaction.atomic
def comment_add(*, result: Result, author: User, body: str) -> Comment:
    result = Result.objects.select_related("assessment").get(pk=result.pk)
    # Lock the assessment so a comment cannot slip in beside a concurrent sign-off.
    _ensure_open(Assessment.objects.select_for_update().get(pk=result.assessment_id))
    if not body.strip():
        raise ValidationError({"body": "Write something first."})
    comment = Comment.objects.create(result=result, author=author, body=body.strip())
    live.publish(
        result.assessment_id,
        {
            "type": "comment.added",
            "result": str(result.pk),
            "comment": {
                "id": str(comment.pk),
                "body": comment.body,
                "created": comment.created.isoformat(),
                "author": live.person(author),
            },
        },
    )
    return comment


@transaction.atomic
def evidence_add(
    *,
    assessment: Assessment,
    by: User,
    file: UploadedFile | None = None,
    reference: str = "",
    description: str = "",
    expires: date | None = None,
    results: Iterable[Result] = (),
) -> Evidence:
    """Store an evidence file (checked against the size limit and the type allow-list, hashed with
    SHA-256) or a reference to a document held elsewhere, and link it to results."""
    # The caller's copy may predate a sign-off: check (and lock) the stored row.
    assessment = lock(assessment)
    _ensure_open(assessment)
    result_list = evidence_results_check(results, assessment.pk)
    evidence = Evidence(
        assessment=assessment, reference=reference.strip(), description=description, expires=expires, added_by=by
    )
    evidence_store(evidence=evidence, file=file, results=result_list)
    for result in result_list:
        live.publish(assessment.pk, {"type": "evidence.linked", "result": str(result.pk), "evidence": str(evidence.pk)})
    return evidence


@transaction.atomic
def evidence_update(
    *, evidence: Evidence, by: User, fields: dict[str, Any], results: Iterable[Result] | None = None
) -> Evidence:
    """Change what a piece of evidence says about itself (description, expiry) and what it supports."""
    _ensure_open(Assessment.objects.select_for_update().get(pk=evidence.assessment_id))
    refuse_unknown_fields(fields, ("description", "expires"))
    if fields:
        for name, value in fields.items():
            setattr(evidence, name, value)
        evidence.save(update_fields=list(fields))
    if results is not None:
        evidence_link(evidence=evidence, results=results, by=by)
    return evidence


@transaction.atomic
def evidence_link(*, evidence: Evidence, results: Iterable[Result], by: User) -> Evidence:
    """Replace the results a piece of evidence supports."""
    # evidence.assessment may be a cached copy from before a sign-off: read the stored row.
    _ensure_open(Assessment.objects.select_for_update().get(pk=evidence.assessment_id))
    result_list = evidence_results_check(results, evidence.assessment_id)
    evidence.results.set(result_list)
    for result in result_list:
        live.publish(
            evidence.assessment_id, {"type": "evidence.linked", "result": str(result.pk), "evidence": str(evidence.pk)}
        )
    return evidence
