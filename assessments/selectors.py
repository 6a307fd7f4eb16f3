"""Reads over assessments that take more than one query: lists, a result's history, the state at sign-off, the
work assigned to a person. The summary and re-sync plan are assessments.summary's, the scope assessments.scope's;
both are re-exported here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from assessments import history as shown
from assessments.choices import AssessmentStatus, ResultStatus, TargetKind
from assessments.models import Assessment, Evidence, Result, SignOff
from assessments.scope import (  # noqa: F401  (re-exported: the pages, API and reports import them from here)
    CatalogueItem,
    assessment_items,
    catalogue_items,
    pinned_items,
    required_items,
    scope_targets,
)
from assessments.summary import (  # noqa: F401  (re-exported)
    STATUSES,
    FRCell,
    ResyncCounts,
    ResyncPlan,
    Summary,
    TargetSummary,
    resync_counts,
    resync_plan,
    summary,
    summary_and_resync,
)
from compliance import sl
from core.history import HistoryEntry, newest_first


# --- lists ----------------------------------------------------------------------------------------
def assessments_with_progress(user: Any) -> QuerySet[Assessment]:
    """The assessments a person may see, newest first, each with `total` and `assessed` in-scope results."""
    from django.db.models import Q

    from accounts.access import Action

    return (
        Assessment.objects.restrict(user, Action.VIEW)
        .select_related("site", "site__organization", "lead")
        .annotate(
            total=Count("results", filter=Q(results__in_scope=True)),
            assessed=Count("results", filter=Q(results__in_scope=True) & ~Q(results__status=sl.NOT_ASSESSED)),
        )
        .order_by("-created", "pk")
    )


# --- workspace, history, sign-off -------------------------------------------------------------
def results_for(assessment: Assessment) -> QuerySet[Result]:
    """Results with what a row shows, in catalogue order (constant queries for any number of rows)."""
    return (
        Result.objects.filter(assessment=assessment)
        .select_related("requirement", "assignee", "updated_by", "zone", "conduit")
        .prefetch_related("evidence")
        .order_by("requirement__position", "zone__name", "conduit__name", "pk")
    )


def results_as_of(assessment: Assessment, when: datetime) -> list[Any]:
    """Each result as it stood at `when` (e.g. the sign-off), rebuilt from the history."""
    return list(Result.history.as_of(when).filter(assessment_id=assessment.pk))


def signed_off_state(assessment: Assessment) -> list[Any]:
    if assessment.signed_off_at is None:
        return []
    return results_as_of(assessment, assessment.signed_off_at)


# --- which assessment counts for a zone -----------------------------------------------------------
# The one rule (decisions 0011 and 0012): for each zone or conduit, among the assessments of its site that
# have it in scope, the latest final one; without one, the latest in review; then the latest in progress.
# Drafts have not started. A newer unfinished assessment (mostly "not assessed") must not wipe out what a
# signed-off one established. The KPIs (on history, at a month's end) and the roadmap (now) both use it.
COUNTING_RANK: dict[str, int] = {
    AssessmentStatus.FINAL: 3,
    AssessmentStatus.IN_REVIEW: 2,
    AssessmentStatus.IN_PROGRESS: 1,
}


def counting_key(status: str, signed_off_at: datetime | None, created: datetime) -> tuple[int, datetime] | None:
    """How strongly an assessment in this state speaks for the zones it covers (higher wins); None for
    an assessment that does not count (a draft). Works on model fields and on history rows alike."""
    rank = COUNTING_RANK.get(status)
    return None if rank is None else (rank, signed_off_at or created)


def counting_assessments(site: Any) -> dict[uuid.UUID, Assessment]:
    """For each zone and conduit of `site` that some counting assessment has in scope, the assessment that
    counts for it (keyed by the zone's or conduit's id). Two queries whatever the size of the site."""
    assessments = {
        a.pk: a for a in Assessment.objects.filter(site=site, status__in=list(COUNTING_RANK)).select_related("site")
    }
    covered = (
        Result.objects.filter(assessment_id__in=list(assessments), in_scope=True)
        .order_by()
        .values_list("assessment_id", "zone_id", "conduit_id")
        .distinct()
    )
    chosen: dict[uuid.UUID, Assessment] = {}
    best: dict[uuid.UUID, tuple[int, datetime]] = {}
    for assessment_id, zone_id, conduit_id in covered:
        assessment = assessments[assessment_id]
        key = counting_key(assessment.status, assessment.signed_off_at, assessment.created)
        target = zone_id or conduit_id
        if key is not None and (target not in best or key > best[target]):
            chosen[target], best[target] = assessment, key
    return chosen


# --- sign-off ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnassessedGroup:
    """The required items of one zone or conduit that are not assessed yet (requirement ids, in catalogue
    order), for the sign-off confirmation and the report's compact list."""

    kind: str
    name: str
    target_id: uuid.UUID
    refs: list[str]


def unassessed_results(assessment: Assessment) -> QuerySet[Result]:
    """The required (in-scope) results of `assessment` still not assessed."""
    return Result.objects.filter(assessment=assessment, in_scope=True, status=ResultStatus.NOT_ASSESSED)


def unassessed_by_target(assessment: Assessment) -> list[UnassessedGroup]:
    """The required items not assessed yet, grouped by zone then conduit (by name), in one query."""
    rows = (
        unassessed_results(assessment)
        .order_by("requirement__position")
        .values_list("zone_id", "zone__name", "conduit_id", "conduit__name", "requirement__ref")
    )
    groups: dict[uuid.UUID, UnassessedGroup] = {}
    for zone_id, zone_name, conduit_id, conduit_name, ref in rows:
        target_id = zone_id or conduit_id
        if target_id not in groups:
            kind, name = (TargetKind.ZONE, zone_name) if zone_id else (TargetKind.CONDUIT, conduit_name)
            groups[target_id] = UnassessedGroup(str(kind), str(name), target_id, [])
        groups[target_id].refs.append(ref)
    return sorted(groups.values(), key=lambda g: (g.kind != TargetKind.ZONE, g.name.lower()))


def sign_off_moment(record: SignOff) -> datetime:
    """When a sign-off was recorded, including every save of its transaction (the assessment's went before
    the record's): the time of the record's own first history row."""
    first = record.history.filter(history_type="+").order_by("history_date").first()
    return first.history_date if first is not None else record.signed_off_at


def assessment_history(
    assessment: Assessment, *, as_of: datetime | SignOff | None = None, limit: int = 300
) -> list[HistoryEntry]:
    """The newest `limit` changes of the assessment, its results, its evidence and its sign-offs (core.history
    entries, newest first); with `as_of` (a moment or a sign-off), only those made until then."""
    if isinstance(as_of, SignOff):
        as_of = sign_off_moment(as_of)
    sources: list[tuple[QuerySet[Any], Any]] = [
        (Assessment.history.filter(id=assessment.pk), shown.ASSESSMENT),
        (Result.history.filter(assessment_id=assessment.pk), shown.RESULT),
        (Evidence.history.filter(assessment_id=assessment.pk), shown.EVIDENCE),
        (SignOff.history.filter(assessment_id=assessment.pk), shown.SIGN_OFF),
    ]
    if as_of is not None:
        sources = [(queryset.filter(history_date__lte=as_of), spec) for queryset, spec in sources]
    entries = newest_first(sources, limit)
    # Results named as people know them ("SR 1.1 · Plant DMZ"), not by id: one query for those shown.
    shown_ids = {e.object_id for e in entries if e.object_kind == Result._meta.verbose_name}
    labels = {
        str(pk): f"{ref} · {zone or conduit}"
        for pk, ref, zone, conduit in Result.objects.filter(pk__in=shown_ids).values_list(
            "pk", "requirement__ref", "zone__name", "conduit__name"
        )
    }
    for entry in entries:
        entry.object_label = labels.get(entry.object_id, entry.object_label)
    return entries


# --- the home page ----------------------------------------------------------------------------------
# What each role should do next (assessments.views.home). Each is one or two queries whatever the data.
def home_assessments(user: Any, statuses: tuple[str, ...]) -> QuerySet[Assessment]:
    """The assessments in `statuses` a person may see, with progress (`total`, `assessed`); those they lead
    or are on the team of first (`mine`), then the newest."""
    from django.db.models import Exists, OuterRef

    on_team = Assessment.team.through.objects.filter(assessment_id=OuterRef("pk"), user_id=user.pk)
    # `lead_id = x` is NULL, not false, without a lead: PostgreSQL sorts NULLs first in descending order, so
    # both orderings say where the NULLs go.
    return (
        assessments_with_progress(user)
        .filter(status__in=statuses)
        .annotate(mine=Exists(on_team) | Q(lead_id=user.pk))
        .order_by(F("mine").desc(nulls_last=True), F("signed_off_at").desc(nulls_last=True), "-created", "pk")
    )


@dataclass(frozen=True)
class AssignedWork:
    """The results of one open assessment assigned to a person: how many, and how many still to assess."""

    assessment: Assessment
    total: int
    to_assess: int


def assigned_results(user: Any, limit: int = 10) -> list[AssignedWork]:
    """Per open assessment the person may see, the in-scope results assigned to them (two queries)."""
    from django.db.models import Q

    from accounts.access import Action

    if not getattr(user, "pk", None):
        return []
    visible = Assessment.objects.restrict(user, Action.VIEW).exclude(status=AssessmentStatus.FINAL)
    rows = (
        Result.objects.filter(assignee_id=user.pk, in_scope=True, assessment__in=visible)
        .values("assessment_id")
        .annotate(total=Count("pk"), to_assess=Count("pk", filter=Q(status=sl.NOT_ASSESSED)))
        .order_by("-to_assess", "assessment_id")[:limit]
    )
    counts = {row["assessment_id"]: row for row in rows}
    assessments = Assessment.objects.filter(pk__in=list(counts)).select_related("site")
    work = [AssignedWork(a, counts[a.pk]["total"], counts[a.pk]["to_assess"]) for a in assessments]
    return sorted(work, key=lambda w: (-w.to_assess, w.assessment.title))


def expiring_evidence(user: Any, today: Any, days: int = 30, limit: int = 10) -> QuerySet[Evidence]:
    """Evidence the person may see that expires within `days` from `today`, and evidence of assessments still
    open that has already expired (it no longer supports what it is linked to), oldest expiry first."""
    from datetime import timedelta

    from accounts.access import Action

    soon = Q(expires__gte=today, expires__lte=today + timedelta(days=days))
    lapsed = Q(expires__lt=today) & ~Q(assessment__status=AssessmentStatus.FINAL)
    return (
        Evidence.objects.restrict(user, Action.VIEW)
        .filter(soon | lapsed)
        .select_related("assessment", "assessment__site")
        .order_by("expires", "pk")[:limit]
    )


def assessment_evidence(assessment: Assessment) -> QuerySet[Evidence]:
    """The evidence an assessment holds: what was added to it, and what carry forward linked to its results from
    an earlier assessment (the same rows, decision 0026). A subquery, not a join, so annotations stay right."""
    linked = Evidence.results.through.objects.filter(result__assessment=assessment).values("evidence_id")
    return Evidence.objects.filter(Q(assessment=assessment) | Q(pk__in=linked))
