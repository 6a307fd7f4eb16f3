"""Writes to findings and actions. Each is one transaction, raises ValidationError on bad input and
StaleObjectError (HTTP 412, or a form showing the newer values) on a stale version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, User
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, Result
from assessments.selectors import summary
from compliance import sl
from compliance.choices import Kind
from compliance.models import Requirement
from core.services import refuse_unknown_fields
from core.versioning import check_version, lock
from remediation import rules
from remediation.choices import (
    ACTION_TRANSITIONS,
    ACTIVE_ACTION_STATUSES,
    COMMITTED_ACTION_STATUSES,
    GENERATED_SOURCES,
    MANUAL_SOURCES,
    UNRESOLVED_FINDING_STATUSES,
    ActionStatus,
    FindingSource,
    FindingStatus,
)
from remediation.models import Action, Finding
from zones.models import Asset, Conduit, Site, Zone

FINDING_FIELDS = (
    "zone", "conduit", "requirement", "title", "description", "source", "reference", "severity",
    "severity_rationale", "status", "identified", "resolved_at",
)  # fmt: skip
ACTION_FIELDS = (
    "title", "description", "owner", "phase", "effort_days", "cost_estimate", "planned_start", "due_date",
    "needs_maintenance_window", "maintenance_window", "test_procedure", "rollback_plan", "compensating", "status",
)  # fmt: skip
GENERATE_FROM = (AssessmentStatus.IN_REVIEW, AssessmentStatus.FINAL)
BULK_BATCH = 1000  # rows per INSERT when findings are generated in bulk


def _check_owner(site: Site, owner: User | None) -> None:
    if owner is not None and not Membership.objects.filter(organization_id=site.organization_id, user=owner).exists():
        raise ValidationError({"owner": "The owner must be a member of the site's organization."})


def _check_same_site(site: Site, **groups: Iterable[Any]) -> None:
    errors = {}
    for name, objects in groups.items():
        for obj in objects:
            obj_site = obj.zone.site_id if isinstance(obj, Asset) else obj.site_id
            if obj_site != site.pk:
                errors[name] = f"Every item in {name} must belong to the site {site.name}."
    if errors:
        raise ValidationError(errors)


def _resolution_date(finding: Finding, today: date) -> date:
    return max(today, finding.identified) if finding.identified else today


# --- findings ----------------------------------------------------------------------------------------
@transaction.atomic
def finding_create(*, site: Site, by: User, fields: dict[str, Any]) -> Finding:
    """Enter a finding by hand: from a third-party audit, an incident, a vulnerability scan or an
    internal review (assessment findings are generated, see `findings_generate`)."""
    refuse_unknown_fields(fields, FINDING_FIELDS)
    if fields.get("source") not in MANUAL_SOURCES:
        allowed = ", ".join(MANUAL_SOURCES)
        raise ValidationError({"source": f"Findings entered by hand come from one of: {allowed}. "
                                         "Assessment findings are generated from the assessment."})  # fmt: skip
    finding = Finding(site=site, created_by=by, **fields)
    if finding.status == FindingStatus.RESOLVED and finding.resolved_at is None:
        finding.resolved_at = _resolution_date(finding, timezone.localdate())
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def finding_update(
    *, finding: Finding, by: User, fields: dict[str, Any], expected_version: int | None = None
) -> Finding:
    """Edit a finding. Resolving it without a date dates it today; reopening it clears the date.
    A new severity re-prioritises the actions that address it."""
    finding = lock(finding)
    check_version(finding, expected_version)
    refuse_unknown_fields(fields, FINDING_FIELDS)
    changes_source = "source" in fields and fields["source"] != finding.source
    if changes_source and {fields["source"], finding.source} & set(GENERATED_SOURCES):
        raise ValidationError({"source": "A generated finding keeps its source, and a finding entered by hand "
                                         "cannot take the source of a generated one."})  # fmt: skip
    old_severity = finding.severity
    for name, value in fields.items():
        setattr(finding, name, value)
    if finding.status == FindingStatus.RESOLVED and finding.resolved_at is None:
        finding.resolved_at = _resolution_date(finding, timezone.localdate())
    if finding.status != FindingStatus.RESOLVED and "resolved_at" not in fields:
        finding.resolved_at = None
    finding.full_clean()
    finding.save()
    if finding.severity != old_severity:
        for action in finding.actions.all():
            _reprioritise(action)
    return finding


@dataclass
class GenerateReport:
    """What generating findings from an assessment did."""

    created: list[Finding] = field(default_factory=list)
    linked: list[Finding] = field(default_factory=list)  # existing findings that gained results
    unchanged: int = 0
    resolved: list[Finding] = field(default_factory=list)  # earlier findings the assessment now shows satisfied
    not_assessed: int = 0  # required results nobody assessed: they limit SL-A but are not findings

    def as_api(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "linked": len(self.linked),
            "unchanged": self.unchanged,
            "resolved": len(self.resolved),
            "not_assessed": self.not_assessed,
        }


def _sr_of(requirement: Requirement) -> Requirement:
    return requirement.parent if requirement.kind == Kind.RE and requirement.parent is not None else requirement


def _describe(results: list[Result]) -> str:
    lines = []
    for r in sorted(results, key=lambda r: r.requirement.position):
        line = f"{r.requirement.ref}: {ResultStatus(r.status).label.lower()}."
        if r.observations.strip():
            line += f" {r.observations.strip()}"
        lines.append(line)
    return "\n".join(lines)


@transaction.atomic
def findings_generate(
    *, assessment: Assessment, by: User, allow_unreviewed: bool = False, today: date | None = None
) -> GenerateReport:
    """Turn every in-scope, required result of the assessment that was assessed and is not
    satisfied (not met, partially met) into a finding on its zone or conduit: one finding per SR
    and target, linked to the SR's and its REs' results. Severity follows rules.severity_for.

    Idempotent: a finding that exists for the same SR and target (from this assessment, or still
    unresolved from an earlier one) gains the new results instead of being duplicated. Earlier
    findings that this assessment now shows satisfied are resolved. Only assessments in review
    or final qualify; `allow_unreviewed` is for the demo seed and tests of work in progress."""
    assessment = Assessment.objects.select_related("site").get(pk=assessment.pk)
    if assessment.status not in GENERATE_FROM and not allow_unreviewed:
        raise ValidationError({"assessment": "Findings are generated from an assessment in review or final, "
                                             f"not from one {assessment.get_status_display().lower()}."})  # fmt: skip
    today = today or timezone.localdate()
    site = assessment.site
    standing = {t.id: t.standing for t in summary(assessment).targets}
    zones = {z.pk: z for z in assessment.zones.all()}
    conduits = {c.pk: c for c in assessment.conduits.prefetch_related("zones")}
    rows = list(
        Result.objects.filter(assessment=assessment, in_scope=True)
        .exclude(status__in=sl.SATISFYING_STATUSES)
        .select_related("requirement", "requirement__parent")
        .order_by("requirement__position")
    )
    report = GenerateReport()
    to_create: list[tuple[Finding, list[Result]]] = []
    groups: dict[tuple[Any, Any], list[Result]] = defaultdict(list)
    for result in rows:
        target = zones.get(result.zone_id) or conduits.get(result.conduit_id)  # type: ignore[arg-type]
        fr, level = str(result.requirement.fr_id), assessment.level_of(result.requirement)  # as pinned (0032)
        if target is None or not sl.is_required(fr, level, target.sl_target):
            continue  # out of the assessment's scope, or no longer required by the current SL-T
        if result.status == sl.NOT_ASSESSED:
            report.not_assessed += 1
            continue
        groups[(target.pk, _sr_of(result.requirement).pk)].append(result)

    existing = Finding.objects.filter(site=site, source=FindingSource.ASSESSMENT, requirement__isnull=False).filter(
        Q(assessment=assessment) | Q(status__in=UNRESOLVED_FINDING_STATUSES)
    )
    by_key: dict[tuple[Any, Any], Finding] = {}
    for finding in existing.order_by("created"):  # this assessment's own finding wins over an older one
        key = (finding.zone_id or finding.conduit_id, finding.requirement_id)
        if key not in by_key or finding.assessment_id == assessment.pk:
            by_key[key] = finding
    linked_ids = set(
        Finding.results.through.objects.filter(finding__in=existing).values_list("finding_id", "result_id")
    )

    for (target_id, sr_id), results in groups.items():
        target = zones.get(target_id) or conduits[target_id]
        known = by_key.get((target_id, sr_id))
        if known is not None:
            new = [r for r in results if (known.pk, r.pk) not in linked_ids]
            if new:
                known.results.add(*new)
                if known.status == FindingStatus.RESOLVED:  # a new gap in an SR marked fixed: open again
                    known.status, known.resolved_at = FindingStatus.OPEN, None
                    known.save()
                report.linked.append(known)
            else:
                report.unchanged += 1
            continue
        sr = _sr_of(results[0].requirement)
        fr = str(sr.fr_id)
        gap = standing[target_id].gap[fr]
        if isinstance(target, Zone):
            criticality, where = target.criticality, "zone"
        else:
            criticality, where = rules.conduit_criticality(z.criticality for z in target.zones.all()), "conduit"
        severity = rules.severity_for(gap, criticality)
        rationale = (
            f"{fr} gap {gap} (SL-T {standing[target_id].target[fr]}, SL-A {standing[target_id].achieved[fr]}) "
            f"on a {criticality.replace('_', ' ')}-criticality {where} → {severity.label.lower()}"
        )
        finding = Finding(
            site=site,
            zone=target if isinstance(target, Zone) else None,
            conduit=target if isinstance(target, Conduit) else None,
            assessment=assessment,
            requirement=sr,
            title=f"{sr.ref} {sr.title} · {target.name}",
            description=_describe(results),
            source=FindingSource.ASSESSMENT,
            severity=severity,
            severity_rationale=rationale[:300],
            identified=assessment.actual_end or today,
            created_by=by,
        )
        # What full_clean checks, but the foreign keys: they are the rows just read (one query each, times
        # thousands of findings on a large site), and the unique constraint: `by_key` already rules it out.
        finding.clean_fields(exclude=["site", "zone", "conduit", "assessment", "requirement", "created_by"])
        finding.clean()
        to_create.append((finding, results))
    report.created = _create_findings(to_create, by)

    report.resolved = _resolve_by_reassessment(assessment, groups.keys(), zones, conduits, today)
    return report


def _create_findings(new: list[tuple[Finding, list[Result]]], by: User) -> list[Finding]:
    """Insert generated findings, their links to results and the history of both in a few bulk statements
    (a 200-zone site makes ~10,000 findings: one save and one `results.set` each took five minutes). The
    history matches what save() and results.set() record together: one "created" record per finding, by
    `by`, with the results it is linked to."""
    if not new:
        return []
    findings = Finding.objects.bulk_create([finding for finding, _ in new], batch_size=BULK_BATCH)
    records = Finding.history.bulk_history_create(findings, batch_size=BULK_BATCH, default_user=by)
    through = Finding.results.through
    links = through.objects.bulk_create(
        [through(finding_id=finding.pk, result_id=result.pk) for finding, results in new for result in results],
        batch_size=BULK_BATCH,
    )
    record_of = {record.id: record for record in records}  # the historical row's `id` is the finding's
    link_history = Finding.history.model._meta.get_field("historicalfinding_results").related_model
    link_history.objects.bulk_create(
        [
            link_history(
                id=link.pk, finding_id=link.finding_id, result_id=link.result_id, history=record_of[link.finding_id]
            )
            for link in links
        ],
        batch_size=BULK_BATCH,
    )
    return findings


def _resolve_by_reassessment(
    assessment: Assessment,
    still_open: Iterable[tuple[Any, Any]],
    zones: dict[Any, Zone],
    conduits: dict[Any, Conduit],
    today: date,
) -> list[Finding]:
    """Unresolved assessment findings on targets of this assessment whose SR (and REs) it now
    shows all satisfied: the fix is confirmed by the assessment, so the finding is resolved."""
    open_keys = set(still_open)
    candidates = Finding.objects.filter(
        site=assessment.site_id,
        source=FindingSource.ASSESSMENT,
        status__in=UNRESOLVED_FINDING_STATUSES,
        requirement__isnull=False,
    ).filter(Q(zone__in=list(zones)) | Q(conduit__in=list(conduits)))
    resolved = []
    for finding in candidates:
        key = (finding.zone_id or finding.conduit_id, finding.requirement_id)
        if key in open_keys:
            continue
        statuses = list(
            Result.objects.filter(assessment=assessment, in_scope=True)
            .filter(Q(zone_id=finding.zone_id) if finding.zone_id else Q(conduit_id=finding.conduit_id))
            .filter(Q(requirement_id=finding.requirement_id) | Q(requirement__parent_id=finding.requirement_id))
            .values_list("status", flat=True)
        )
        if statuses and all(sl.is_satisfied(s) for s in statuses):
            finding.status = FindingStatus.RESOLVED
            finding.resolved_at = _resolution_date(finding, today)
            finding.save()
            resolved.append(finding)
    return resolved


# --- actions -----------------------------------------------------------------------------------------
def _reprioritise(action: Action) -> None:
    priority = rules.priority_for(action.findings.values_list("severity", flat=True), action.effort_days)
    if (action.priority, action.priority_score, action.risk_reduction) != (
        priority.band,
        priority.score,
        priority.risk_reduction,
    ):
        Action.objects.filter(pk=action.pk).update(
            priority=priority.band, priority_score=priority.score, risk_reduction=priority.risk_reduction
        )
        action.priority, action.priority_score, action.risk_reduction = (
            priority.band,
            priority.score,
            priority.risk_reduction,
        )


def _sync_findings(findings: Iterable[Finding]) -> None:
    """Open findings an active action works on move to "in remediation", and back to "open" when
    none does any more. Resolved and accepted findings are people's decisions: left alone."""
    for finding in findings:
        if finding.status not in UNRESOLVED_FINDING_STATUSES:
            continue
        active = finding.actions.filter(status__in=ACTIVE_ACTION_STATUSES).exists()
        wanted = FindingStatus.IN_REMEDIATION if active else FindingStatus.OPEN
        if finding.status != wanted:
            finding.status = wanted
            finding.save()


def _apply_relations(
    action: Action,
    findings: Iterable[Finding] | None,
    zones: Iterable[Zone] | None,
    conduits: Iterable[Conduit] | None,
    assets: Iterable[Asset] | None,
) -> set[Finding]:
    """Set the action's findings, zones, conduits and assets; return every finding touched."""
    touched = set(action.findings.all())
    finding_list = list(findings) if findings is not None else None
    zone_list = list(zones) if zones is not None else None
    conduit_list = list(conduits) if conduits is not None else None
    asset_list = list(assets) if assets is not None else None
    _check_same_site(
        action.site,
        findings=finding_list or [],
        zones=zone_list or [],
        conduits=conduit_list or [],
        assets=asset_list or [],
    )
    if finding_list is not None:
        action.findings.set(finding_list)
        touched |= set(finding_list)
        if zone_list is None and conduit_list is None and not action.zones.exists() and not action.conduits.exists():
            # Work on findings concerns their zones and conduits unless someone says otherwise.
            action.zones.set({f.zone for f in finding_list if f.zone is not None})
            action.conduits.set({f.conduit for f in finding_list if f.conduit is not None})
    if zone_list is not None:
        action.zones.set(zone_list)
    if conduit_list is not None:
        action.conduits.set(conduit_list)
    if asset_list is not None:
        action.assets.set(asset_list)
    return touched


def _stamp_status(action: Action, old_status: str | None, today: date) -> None:
    if action.status == ActionStatus.DONE and old_status != ActionStatus.DONE:
        action.completed_on = action.completed_on or today
    if action.status not in (ActionStatus.DONE, ActionStatus.VERIFIED):
        action.completed_on = None
    if action.status != ActionStatus.VERIFIED:
        action.verified_on, action.verified_by, action.verification_note = None, None, ""


@transaction.atomic
def action_create(
    *,
    site: Site,
    by: User,
    fields: dict[str, Any],
    findings: Iterable[Finding] = (),
    zones: Iterable[Zone] | None = None,
    conduits: Iterable[Conduit] | None = None,
    assets: Iterable[Asset] = (),
) -> Action:
    """Put an action on the roadmap (proposed unless a status is given; never verified: that is the
    verify flow's). Without zones or conduits it concerns those of its findings."""
    refuse_unknown_fields(fields, ACTION_FIELDS)
    if fields.get("status") == ActionStatus.VERIFIED:
        raise ValidationError({"status": "An action is verified through the verify flow, after it is done."})
    _check_owner(site, fields.get("owner"))
    action = Action(site=site, created_by=by, **fields)
    _stamp_status(action, None, timezone.localdate())
    action.full_clean()
    action.save()
    touched = _apply_relations(action, findings, zones, conduits, assets)
    _reprioritise(action)
    _sync_findings(touched)
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    by: User,
    fields: dict[str, Any],
    findings: Iterable[Finding] | None = None,
    zones: Iterable[Zone] | None = None,
    conduits: Iterable[Conduit] | None = None,
    assets: Iterable[Asset] | None = None,
    expected_version: int | None = None,
) -> Action:
    """Edit an action. A status given here must be an allowed move (see `action_transition`)."""
    action = Action.objects.select_for_update().select_related("site").get(pk=action.pk)
    check_version(action, expected_version)
    refuse_unknown_fields(fields, ACTION_FIELDS)
    old_status = action.status
    new_status = fields.get("status", old_status)
    if new_status != old_status:
        _check_move(action, new_status)
    if "owner" in fields:
        _check_owner(action.site, fields["owner"])
    for name, value in fields.items():
        setattr(action, name, value)
    _stamp_status(action, old_status, timezone.localdate())
    action.full_clean()
    action.save()
    if old_status == ActionStatus.VERIFIED and action.status != ActionStatus.VERIFIED:
        # The fix did not hold: what its verification resolved is open again.
        for finding in action.findings.filter(status=FindingStatus.RESOLVED):
            finding.status, finding.resolved_at = FindingStatus.IN_REMEDIATION, None
            finding.save()
    touched = _apply_relations(action, findings, zones, conduits, assets)
    _reprioritise(action)
    _sync_findings(touched)
    return action


def _check_move(action: Action, to: str) -> None:
    if to not in ActionStatus.values:
        raise ValidationError({"status": f"Unknown status {to!r}; one of {', '.join(ActionStatus.values)}."})
    if to == ActionStatus.VERIFIED:
        raise ValidationError({"status": "An action is verified through the verify flow, after it is done."})
    if to not in ACTION_TRANSITIONS[action.status]:
        allowed = ", ".join(ACTION_TRANSITIONS[action.status]) or "none"
        raise ValidationError(
            {"status": f"An action {action.get_status_display().lower()} cannot move to {to} (allowed: {allowed})."}
        )


@transaction.atomic
def action_transition(*, action: Action, to: str, by: User, expected_version: int | None = None) -> Action:
    """Move an action's status one step (e.g. planned → in progress → done)."""
    return action_update(action=action, by=by, fields={"status": to}, expected_version=expected_version)


# --- verification ------------------------------------------------------------------------------------
@dataclass
class VerifyOutcome:
    """What verifying an action did to its findings."""

    action: Action
    resolved: list[Finding] = field(default_factory=list)
    still_open: list[Finding] = field(default_factory=list)  # results still unsatisfied, or other work pending
    pending_confirmation: list[Finding] = field(default_factory=list)  # resolved; a final assessment still says not


def unsatisfied_results(action: Action) -> list[Result]:
    """The results the action addressed that their (open) assessment still shows unsatisfied."""
    return [
        r
        for r in Result.objects.filter(findings__actions=action, in_scope=True)
        .exclude(assessment__status=AssessmentStatus.FINAL)
        .select_related("requirement", "zone", "conduit")
        .distinct()
        .order_by("requirement__position")
        if not r.satisfied
    ]


@transaction.atomic
def action_verify(
    *,
    action: Action,
    by: User,
    note: str = "",
    accept_open_results: bool = False,
    expected_version: int | None = None,
    today: date | None = None,
) -> VerifyOutcome:
    """Record that a done action was checked and works. The results it addressed should have been
    updated first (the verify page does it); verifying while an open assessment still shows one of
    them unsatisfied needs `accept_open_results`, so the roadmap and the assessment never disagree
    silently. Findings are resolved when their results are all satisfied, or, for findings without
    results or whose assessment is final (read-only), when every committed action on them is verified."""
    action = Action.objects.select_for_update().select_related("site").get(pk=action.pk)
    check_version(action, expected_version)
    if action.status != ActionStatus.DONE:
        raise ValidationError(
            {"status": f"Only a done action can be verified; this one is {action.get_status_display().lower()}."}
        )
    open_results = unsatisfied_results(action)
    if open_results and not accept_open_results:
        refs = ", ".join(f"{r.requirement.ref} ({r.target})" for r in open_results[:6])
        more = f" and {len(open_results) - 6} more" if len(open_results) > 6 else ""
        message = (
            f"The assessment still shows {len(open_results)} addressed result(s) unsatisfied: {refs}{more}. "
            "Update them, or confirm that you verify the action anyway."
        )
        raise ValidationError({"results": message})
    today = today or timezone.localdate()
    action.status = ActionStatus.VERIFIED
    action.verified_on = max(today, action.completed_on or today)
    action.verified_by = by
    action.verification_note = note.strip()
    action.full_clean()
    action.save()
    outcome = VerifyOutcome(action=action)
    for finding in action.findings.select_related("assessment").prefetch_related("results"):
        if finding.status not in UNRESOLVED_FINDING_STATUSES:
            continue
        results = [r for r in finding.results.all() if r.in_scope]
        final = finding.assessment is not None and finding.assessment.is_final
        others_pending = (
            finding.actions.filter(status__in=COMMITTED_ACTION_STATUSES).exclude(status=ActionStatus.VERIFIED).exists()
        )
        # Results of an open assessment decide; otherwise the committed work on the finding does.
        done = all(r.satisfied for r in results) if results and not final else not others_pending
        if done:
            finding.status = FindingStatus.RESOLVED
            finding.resolved_at = _resolution_date(finding, today)
            finding.save()
            outcome.resolved.append(finding)
            if final and results and not all(r.satisfied for r in results):
                outcome.pending_confirmation.append(finding)
        else:
            outcome.still_open.append(finding)
    return outcome
