"""Writes to risk assessments. Each is one transaction, raises ValidationError on bad input (nothing written),
StaleObjectError on a stale version and PermissionDenied when the caller's role may not do it.

Revisions: an approved risk assessment is what the asset owner signed for (ZCR 7). Any later change to it or
to its scenarios first makes a new revision in draft, which needs approval again. Every scenario write also
saves the assessment (a new version), so an approval names exactly the register the approver read."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.access import Action, can, role_in
from accounts.choices import Role
from accounts.models import User
from assessments.choices import AssessmentStatus
from assessments.models import Assessment
from assessments.selectors import resync_plan
from compliance.sl import SLVector
from core.services import refuse_unknown_fields
from core.versioning import InUse, apply_fields, check_version, lock
from remediation.models import Action as RemediationAction
from remediation.services import action_create
from risk import live, rules
from risk.choices import TRANSITIONS, RiskStatus
from risk.models import AppliedTarget, RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource
from risk.selectors import TargetProposal, matrix_for, site_proposal
from zones.models import Conduit, Site, Zone
from zones.services import conduit_save, zone_save

MATRIX_FIELDS = ("likelihood_labels", "consequence_labels", "ranks", "tolerable_rank")
SOURCE_FIELDS = ("organization", "name", "description", "capability")
ASSESSMENT_FIELDS = ("title", "scope", "regulatory", "baseline_sl")
SCENARIO_FIELDS = (
    "risk_assessment", "zone", "conduit", "title", "threat_source", "frs", "likelihood", "consequence",
    "countermeasures", "residual_likelihood", "residual_consequence", "additional_countermeasures",
)  # fmt: skip
APPROVERS = (Role.ADMIN, Role.ASSET_OWNER)
EDITORS_OF_MATRIX = (Role.ADMIN, Role.CONSULTANT)


# --- the organization's matrix and threat sources -------------------------------------------------------------
@transaction.atomic
def risk_matrix_update(
    *, matrix: RiskMatrix, by: User, fields: dict[str, Any], expected_version: int | None = None
) -> RiskMatrix:
    """Edit the matrix: admins and consultants of its organization (the asset owner approves the assessments
    that use it, so does not set the yardstick alone)."""
    refuse_unknown_fields(fields, MATRIX_FIELDS)
    _check_yardstick_editor(by, matrix.organization_id)
    return apply_fields(lock(matrix), fields, expected_version)


def _check_yardstick_editor(by: User, organization_id: Any) -> None:
    if role_in(by, organization_id) not in EDITORS_OF_MATRIX:
        raise PermissionDenied(
            "Only the organization's admins and consultants edit its risk matrix and threat sources."
        )


@transaction.atomic
def threat_source_save(
    *, source: ThreatSource, by: User, fields: dict[str, Any], expected_version: int | None = None
) -> ThreatSource:
    """Add or edit a threat source: admins and consultants, like the matrix (both set the yardstick)."""
    refuse_unknown_fields(fields, SOURCE_FIELDS)
    if source._state.adding:
        organization = fields.get("organization") or source.organization
        _check_yardstick_editor(by, organization.pk)
        return apply_fields(source, fields)
    locked = lock(source)
    _check_yardstick_editor(by, locked.organization_id)
    if "organization" in fields and fields["organization"].pk != locked.organization_id:
        raise ValidationError({"organization": "A threat source stays in its organization."})
    return apply_fields(locked, fields, expected_version)


@transaction.atomic
def threat_source_delete(*, source: ThreatSource, by: User, expected_version: int | None = None) -> None:
    """Delete a threat source no scenario uses (else InUse): admins and consultants."""
    source = lock(source)
    _check_yardstick_editor(by, source.organization_id)
    check_version(source, expected_version)
    if n := source.scenarios.count():
        raise InUse(source, [f"{n} threat scenario{'s' if n != 1 else ''}"])
    source.delete()


# --- risk assessments -----------------------------------------------------------------------------------------
def _new_revision(assessment: RiskAssessment) -> None:
    """The approved assessment is about to change: from now on it is a new revision, in draft."""
    assessment.revision += 1
    assessment.status = RiskStatus.DRAFT
    assessment.approved_by = None
    assessment.approved_at = None


@transaction.atomic
def risk_assessment_create(*, site: Site, by: User, fields: dict[str, Any]) -> RiskAssessment:
    """Start a risk assessment of a site, in draft at revision 1."""
    refuse_unknown_fields(fields, ASSESSMENT_FIELDS)
    matrix_for(site.organization_id)  # the organization's matrix and threat sources exist from now on
    return apply_fields(RiskAssessment(site=site, created_by=by), fields)


def _move(assessment: RiskAssessment, to: str, by: User) -> None:
    if to not in RiskStatus.values:
        raise ValidationError({"status": f"Unknown status {to!r}; one of {', '.join(RiskStatus.values)}."})
    if to not in TRANSITIONS[assessment.status]:
        allowed = ", ".join(TRANSITIONS[assessment.status])
        raise ValidationError(
            {"status": f"A risk assessment {assessment.status} cannot move to {to} (allowed: {allowed})."}
        )
    if to == RiskStatus.APPROVED:
        if role_in(by, assessment.site.organization_id) not in APPROVERS:
            raise PermissionDenied("Only an asset owner or an admin of the organization approves (ZCR 7).")
        assessment.status, assessment.approved_by, assessment.approved_at = to, by, timezone.now()
    elif assessment.is_approved:
        _new_revision(assessment)
    else:
        assessment.status = to


@transaction.atomic
def risk_assessment_update(
    *, assessment: RiskAssessment, by: User, fields: dict[str, Any], expected_version: int | None = None
) -> RiskAssessment:
    """Edit the fields and/or move the status (`fields["status"]`), as one outcome: a refused move keeps the
    edits from being saved too."""
    fields = dict(fields)
    to = fields.pop("status", None)
    refuse_unknown_fields(fields, ASSESSMENT_FIELDS)
    locked = lock(assessment)
    check_version(locked, expected_version)
    changed = {name: value for name, value in fields.items() if getattr(locked, name) != value}
    if changed and locked.is_approved:
        _new_revision(locked)
    for name, value in changed.items():
        setattr(locked, name, value)
    if to is not None and to != locked.status:
        _move(locked, to, by)
    elif not changed:
        return locked
    locked.full_clean()
    locked.save()
    live.publish(locked.pk, live.assessment_updated(locked, by))
    return locked


@transaction.atomic
def risk_assessment_delete(*, assessment: RiskAssessment, expected_version: int | None = None) -> None:
    """Delete a risk assessment not approved (its scenarios go with it); an approved one is a record (InUse)."""
    assessment = lock(assessment)
    check_version(assessment, expected_version)
    if assessment.is_approved:
        raise InUse(assessment, ["its approval (the basis of SL-T vectors); make a new revision first"])
    assessment.delete()


# --- threat scenarios -----------------------------------------------------------------------------------------
def _touch(assessment: RiskAssessment) -> RiskAssessment:
    """A scenario of the (locked) assessment changed: a new revision if it was approved, a new version always."""
    if assessment.is_approved:
        _new_revision(assessment)
    assessment.save()
    return assessment


@transaction.atomic
def threat_scenario_save(
    *, scenario: ThreatScenario, fields: dict[str, Any], expected_version: int | None = None, by: User | None = None
) -> ThreatScenario:
    """Create or edit a scenario. Switching between zone and conduit: give the one and None for the other.
    Everyone on the register is told after commit (`by`: who, for the message)."""
    refuse_unknown_fields(fields, SCENARIO_FIELDS)
    adding = scenario._state.adding
    if not adding and "risk_assessment" in fields and fields["risk_assessment"].pk != scenario.risk_assessment_id:
        raise ValidationError({"risk_assessment": "A scenario stays in its risk assessment."})
    parent = fields.get("risk_assessment") if adding else scenario.risk_assessment
    if parent is None:
        raise ValidationError({"risk_assessment": "This field is required."})
    parent = lock(parent)  # the assessment first, then the scenario: one order, no deadlock
    if not adding:
        scenario = lock(scenario)
        check_version(scenario, expected_version)
    for name, value in fields.items():
        setattr(scenario, name, value)
    # One target: naming a zone clears the conduit and the other way round, unless both were sent.
    if fields.get("zone") is not None and "conduit" not in fields:
        scenario.conduit = None
    if fields.get("conduit") is not None and "zone" not in fields:
        scenario.zone = None
    scenario.risk_assessment = parent
    scenario.full_clean()
    scenario.save()
    _touch(parent)
    live.publish(parent.pk, live.scenario_saved(scenario, by, created=adding))
    return scenario


@transaction.atomic
def threat_scenario_delete(
    *, scenario: ThreatScenario, expected_version: int | None = None, by: User | None = None
) -> None:
    """Delete a scenario; like any change, a new revision of an approved assessment."""
    parent = lock(scenario.risk_assessment)
    scenario = lock(scenario)
    check_version(scenario, expected_version)
    scenario_id = scenario.pk
    scenario.delete()
    _touch(parent)
    live.publish(parent.pk, live.scenario_deleted(scenario_id, by))


# --- additional countermeasures as remediation actions (ZCR 5.12) ---------------------------------------------
@dataclass(frozen=True)
class ScenarioAction:
    """The remediation action of a scenario, and whether this call made it (False: it existed already)."""

    action: RemediationAction
    created: bool


def _action_fields(
    scenario: ThreatScenario, assessment: RiskAssessment, evaluation: rules.Evaluation, tolerable: int
) -> dict[str, Any]:
    origin = (
        f"From the threat scenario “{scenario.title}” of the risk assessment “{assessment.title}” "
        f"(revision {assessment.revision}): after the existing countermeasures its risk rank is still "
        f"{evaluation.residual_rank}, above the tolerable rank {tolerable} (IEC 62443-3-2 ZCR 5.12)."
    )
    measures = scenario.additional_countermeasures.strip()
    return {
        "title": f"Additional countermeasures: {scenario.title}"[:300],
        "description": f"{measures}\n\n{origin}" if measures else origin,
    }


@transaction.atomic
def threat_scenario_create_action(*, scenario: ThreatScenario, by: User) -> ScenarioAction:
    """Put the additional countermeasures of a scenario whose residual risk still exceeds tolerable risk on the
    site's roadmap as a remediation action (through remediation's service), linked from the scenario.

    Idempotent: a scenario that has its action answers with it (`created` False). Who may: whoever may change
    the site, as for any remediation action. The link does not change the risk the owner approved, so it is not
    a new revision; the scenario gets a new version and everyone on the register hears of it."""
    parent = lock(scenario.risk_assessment)  # the assessment first, then the scenario: the saves' order
    scenario = lock(scenario)
    site = parent.site
    if not can(by, Action.CHANGE, site):
        raise PermissionDenied("Your role lets you read this site's roadmap, not add an action to it.")
    if scenario.remediation_action_id is not None:
        existing = RemediationAction.objects.get(pk=scenario.remediation_action_id)
        return ScenarioAction(existing, created=False)
    matrix = matrix_for(site.organization_id)
    evaluation = rules.evaluate(matrix.as_rule(), scenario.as_rule(scenario.threat_source.capability))
    if not evaluation.needs_additional_countermeasures:
        raise ValidationError(
            {"residual_risk": "After its countermeasures this scenario is within tolerable risk: no action needed."}
        )
    made = action_create(
        site=site,
        by=by,
        fields=_action_fields(scenario, parent, evaluation, matrix.tolerable_rank),
        zones=[scenario.zone] if scenario.zone is not None else [],
        conduits=[scenario.conduit] if scenario.conduit is not None else [],
    )
    scenario.remediation_action = made
    scenario.save()
    live.publish(parent.pk, live.scenario_saved(scenario, by, created=False))
    return ScenarioAction(made, created=True)


# --- applying the proposal ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    """A person's SL-T for one target instead of the proposal, and why."""

    sl_target: SLVector
    justification: str


@dataclass(frozen=True)
class ResyncOffer:
    """A gap assessment in progress that uses a changed zone or conduit, and what a re-sync would do."""

    assessment: Assessment
    added: int
    retired: int
    restored: int


@dataclass
class ApplyResult:
    changed: list[AppliedTarget] = field(default_factory=list)
    unchanged: list[TargetProposal] = field(default_factory=list)
    resync: list[ResyncOffer] = field(default_factory=list)


def _history_reason(assessment: RiskAssessment, overridden: bool) -> str:
    # simple_history keeps 100 characters: the revision and the id first, the title as far as it fits.
    head = f"{'Override, ' if overridden else ''}risk assessment r{assessment.revision} {str(assessment.pk)[:8]}: "
    return (head + assessment.title)[:100]


def _write(target: TargetProposal, value: SLVector, reason: str) -> None:
    if isinstance(target.obj, Zone):
        saved: Zone | Conduit = zone_save(zone=target.obj, fields={"sl_target": value})
    else:
        saved = conduit_save(conduit=target.obj, fields={"sl_target": value})
    # The services save through simple_history; the row just written is the newest of this object.
    record = saved.history.order_by("-history_date", "-history_id").first()
    if record is not None:
        record.history_change_reason = reason
        record.save(update_fields=["history_change_reason"])


def _resync_offers(zone_ids: list[uuid.UUID], conduit_ids: list[uuid.UUID]) -> list[ResyncOffer]:
    affected = (
        Assessment.objects.exclude(status=AssessmentStatus.FINAL)
        .filter(models.Q(zones__in=zone_ids) | models.Q(conduits__in=conduit_ids))
        .distinct()
        .order_by("title")
    )
    offers = []
    for assessment in affected:
        plan = resync_plan(assessment)
        if not plan.empty:
            offers.append(ResyncOffer(assessment, len(plan.add), len(plan.retire), len(plan.restore)))
    return offers


@transaction.atomic
def risk_apply(
    *,
    assessment: RiskAssessment,
    by: User,
    targets: Iterable[uuid.UUID] | None = None,
    overrides: Mapping[uuid.UUID, Override] | None = None,
    expected_version: int | None = None,
) -> ApplyResult:
    """Write the proposed SL-T (or a justified override) to the chosen zones and conduits (default: all of the
    site), each through the zones' services with its history naming this assessment and revision. All or
    nothing. Only an approved assessment is applied: the SL-T is the asset owner's decision (ZCR 7)."""
    locked = lock(assessment)
    check_version(locked, expected_version)
    if not locked.is_approved:
        raise ValidationError(
            {"status": "Only an approved risk assessment is applied; the asset owner or an admin approves it first."}
        )
    overrides = dict(overrides or {})
    proposal = site_proposal(locked)
    by_id = {t.id: t for t in proposal.targets()}
    chosen = list(dict.fromkeys(targets)) if targets is not None else list(by_id)
    errors: dict[str, str] = {}
    if unknown := [str(i) for i in chosen if i not in by_id]:
        errors["targets"] = f"Not a zone or conduit of this site: {', '.join(unknown)}."
    if outside := [str(i) for i in overrides if i not in chosen]:
        errors["overrides"] = f"Overrides for targets not being applied: {', '.join(outside)}."
    elif blank := [str(i) for i, o in overrides.items() if not o.justification.strip()]:
        errors["overrides"] = f"An override needs a justification: {', '.join(blank)}."
    if errors:
        raise ValidationError(errors)
    result = ApplyResult()
    for target_id in chosen:
        target = by_id[target_id]
        override = overrides.get(target_id)
        value = override.sl_target if override else target.proposed
        if value == target.current:
            result.unchanged.append(target)
            continue
        _write(target, value, _history_reason(locked, override is not None))
        result.changed.append(
            AppliedTarget.objects.create(
                risk_assessment=locked,
                revision=locked.revision,
                zone=target.obj if isinstance(target.obj, Zone) else None,
                conduit=target.obj if isinstance(target.obj, Conduit) else None,
                before=target.current,
                proposed=target.proposed,
                after=value,
                justification=override.justification.strip() if override else "",
                applied_by=by,
            )
        )
    zone_ids = [a.zone_id for a in result.changed if a.zone_id]
    conduit_ids = [a.conduit_id for a in result.changed if a.conduit_id]
    result.resync = _resync_offers(zone_ids, conduit_ids) if result.changed else []
    return result
