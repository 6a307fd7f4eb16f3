"""Reads over assessments that take more than one query: the summary (SL-A, gap, progress per zone
and conduit), the re-sync plan, a result's history and the state at sign-off."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet

from assessments import history as shown
from assessments.choices import AssessmentStatus, ResultStatus, TargetKind
from assessments.models import Assessment, Evidence, Result, SignOff
from compliance import sl
from compliance.choices import FR_CODES, Kind
from compliance.models import Requirement
from core.history import HistoryEntry, newest_first
from zones.models import Conduit, Zone


@dataclass(frozen=True)
class CatalogueItem:
    """An assessable 3-3 item (SR or RE) of a pinned catalogue release."""

    id: uuid.UUID
    ref: str
    fr: str
    level: int
    overridden_from: int | None = None  # the catalogue's level, when an organization's override changed it


@lru_cache(maxsize=8)
def catalogue_items(catalogue_id: uuid.UUID) -> tuple[CatalogueItem, ...]:
    """The SRs and REs of one release, in catalogue order. Releases never change once loaded
    (the loader refuses changed content without a new version), so this is cached per process."""
    rows = (
        Requirement.objects.filter(
            catalogue_id=catalogue_id, kind__in=[Kind.SR, Kind.RE], assessable=True, lowest_sl__isnull=False
        )
        .order_by("position")
        .values_list("id", "ref", "fr_id", "lowest_sl")
    )
    return tuple(CatalogueItem(id=i, ref=r, fr=str(f), level=int(lv or 0)) for i, r, f, lv in rows)


@lru_cache(maxsize=32)
def _overridden(catalogue_id: uuid.UUID, overrides: tuple[tuple[str, int], ...]) -> tuple[CatalogueItem, ...]:
    levels = dict(overrides)
    return tuple(
        replace(item, level=levels[item.ref], overridden_from=item.level)
        if levels.get(item.ref, item.level) != item.level
        else item
        for item in catalogue_items(catalogue_id)
    )


def pinned_items(catalogue_id: uuid.UUID, overrides: Mapping[str, int] | None = None) -> tuple[CatalogueItem, ...]:
    """The items of one release at the levels an assessment pinned ({id: lowest SL}, decision 0032): the cached
    release with a dict lookup per item, itself cached per set of overrides, so no query and little work."""
    if not overrides:
        return catalogue_items(catalogue_id)
    return _overridden(catalogue_id, tuple(sorted((ref, int(level)) for ref, level in overrides.items())))


def assessment_items(assessment: Assessment) -> tuple[CatalogueItem, ...]:
    """The items of the assessment's release at the levels it pinned: what every computation for it must use."""
    return pinned_items(assessment.catalogue_id, assessment.level_overrides)


def required_items(
    catalogue_id: uuid.UUID, target: sl.SLVector, overrides: Mapping[str, int] | None = None
) -> list[CatalogueItem]:
    """The items a zone or conduit at SL-T `target` must cover, at the pinned levels."""
    return [item for item in pinned_items(catalogue_id, overrides) if sl.is_required(item.fr, item.level, target)]


def scope_targets(assessment: Assessment) -> tuple[list[Zone], list[Conduit]]:
    return list(assessment.zones.order_by("purdue_level", "name")), list(assessment.conduits.order_by("name"))


# --- summary -------------------------------------------------------------------------------------
@dataclass
class FRCell:
    """One FR of one zone or conduit in the heat-map."""

    fr: str
    target: int
    achieved: int
    gap: int
    assessed: int
    total: int


@dataclass
class TargetSummary:
    """Where one zone or conduit stands: SL-T, SL-A, gap, counts by status and progress."""

    id: uuid.UUID
    name: str
    kind: str
    standing: sl.Standing
    counts: dict[str, int]
    progress: sl.Progress
    cells: list[FRCell] = field(default_factory=list)
    out_of_scope: int = 0
    carried_forward: int = 0  # in scope, carried from an earlier assessment, to confirm (decision 0026)

    def as_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "sl_target": self.standing.target.to_dict(),
            "sl_achieved": self.standing.achieved.to_dict(),
            "gap": self.standing.gap.to_dict(),
            "at_target": self.standing.at_target,
            "counts": self.counts,
            "progress": {"assessed": self.progress.assessed, "total": self.progress.total},
            "carried_forward": self.carried_forward,
        }


@dataclass
class Summary:
    zones: list[TargetSummary]
    conduits: list[TargetSummary]

    @property
    def targets(self) -> list[TargetSummary]:
        return self.zones + self.conduits

    @property
    def progress(self) -> sl.Progress:
        return sl.Progress(
            assessed=sum(t.progress.assessed for t in self.targets), total=sum(t.progress.total for t in self.targets)
        )

    @property
    def carried_forward(self) -> int:
        return sum(t.carried_forward for t in self.targets)

    @property
    def at_target(self) -> int:
        return sum(1 for t in self.targets if t.standing.at_target)

    def as_api(self) -> dict[str, Any]:
        return {"zones": [z.as_api() for z in self.zones], "conduits": [c.as_api() for c in self.conduits]}


def _target_summary(
    target: Zone | Conduit, kind: str, items: tuple[CatalogueItem, ...], rows: list[tuple[uuid.UUID, str, bool]]
) -> TargetSummary:
    status_of = {req_id: status for req_id, status, _ in rows}
    in_scope = [(req_id, status) for req_id, status, scoped in rows if scoped]
    states = [sl.ItemState(i.fr, i.level, sl.is_satisfied(status_of.get(i.id, sl.NOT_ASSESSED))) for i in items]
    standing = sl.standing(target.sl_target, states)
    counts = dict.fromkeys(ResultStatus.values, 0)
    counts.update(Counter(status for _, status in in_scope))
    fr_of = {i.id: i.fr for i in items}
    per_fr: dict[str, list[str]] = defaultdict(list)
    for req_id, status in in_scope:
        per_fr[fr_of.get(req_id, "")].append(status)
    cells = []
    for fr in FR_CODES:
        fr_progress = sl.progress(per_fr[fr])
        cells.append(
            FRCell(
                fr=fr,
                target=standing.target[fr],
                achieved=standing.achieved[fr],
                gap=standing.gap[fr],
                assessed=fr_progress.assessed,
                total=fr_progress.total,
            )
        )
    return TargetSummary(
        id=target.pk,
        name=target.name,
        kind=kind,
        standing=standing,
        counts=counts,
        progress=sl.progress(status for _, status in in_scope),
        cells=cells,
        out_of_scope=len(rows) - len(in_scope),
    )


def summary(assessment: Assessment) -> Summary:
    """SL-T, SL-A, gap, counts and progress for every zone and conduit in scope: three queries
    (results, zones, conduits) whatever the number of results; the catalogue is cached."""
    items = assessment_items(assessment)
    by_target: dict[uuid.UUID, list[tuple[uuid.UUID, str, bool]]] = defaultdict(list)
    carried: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = Result.objects.filter(assessment=assessment).values_list(
        "zone_id", "conduit_id", "requirement_id", "status", "in_scope", "carried_forward"
    )
    for zone_id, conduit_id, req_id, status, in_scope, carried_forward in rows:
        by_target[zone_id or conduit_id].append((req_id, status, in_scope))
        if carried_forward and in_scope:
            carried[zone_id or conduit_id].append(status)
    zones, conduits = scope_targets(assessment)
    result = Summary(
        zones=[_target_summary(z, TargetKind.ZONE, items, by_target[z.pk]) for z in zones],
        conduits=[_target_summary(c, TargetKind.CONDUIT, items, by_target[c.pk]) for c in conduits],
    )
    for target in result.targets:
        # Progress counts carried-forward findings apart until someone confirms them (decision 0026).
        statuses = carried[target.id]
        target.carried_forward = len(statuses)
        taken = sl.progress(statuses).assessed
        target.progress = sl.Progress(assessed=target.progress.assessed - taken, total=target.progress.total)
    return result


# --- re-sync ----------------------------------------------------------------------------------------
@dataclass
class ResyncPlan:
    """What bringing the results in line with the current scope and SL-Ts would do."""

    add: list[tuple[str, uuid.UUID, uuid.UUID]]  # (kind, target id, requirement id)
    retire: list[uuid.UUID]  # result ids no longer required: kept, marked out of scope
    restore: list[uuid.UUID]  # out-of-scope result ids required again

    @property
    def empty(self) -> bool:
        return not (self.add or self.retire or self.restore)


def resync_plan(assessment: Assessment) -> ResyncPlan:
    """What a re-sync would add, retire and restore; at the levels the assessment pinned when it was created,
    whatever the organization's overrides are now (decision 0032)."""
    zones, conduits = scope_targets(assessment)
    required: set[tuple[uuid.UUID, uuid.UUID]] = set()
    kinds: dict[uuid.UUID, str] = {}
    for kind, targets in ((TargetKind.ZONE, zones), (TargetKind.CONDUIT, conduits)):
        for target in targets:
            kinds[target.pk] = kind
            required.update(
                (target.pk, item.id)
                for item in required_items(assessment.catalogue_id, target.sl_target, assessment.level_overrides)
            )
    existing: dict[tuple[uuid.UUID, uuid.UUID], tuple[uuid.UUID, bool]] = {}
    for result_id, zone_id, conduit_id, req_id, in_scope in Result.objects.filter(assessment=assessment).values_list(
        "id", "zone_id", "conduit_id", "requirement_id", "in_scope"
    ):
        existing[(zone_id or conduit_id, req_id)] = (result_id, in_scope)
    order = {item.id: n for n, item in enumerate(catalogue_items(assessment.catalogue_id))}
    add = sorted(
        ((kinds[t], t, r) for t, r in required - existing.keys()), key=lambda a: (a[0], str(a[1]), order[a[2]])
    )
    retire = [rid for key, (rid, scoped) in existing.items() if scoped and key not in required]
    restore = [rid for key, (rid, scoped) in existing.items() if not scoped and key in required]
    return ResyncPlan(add=add, retire=retire, restore=restore)


# --- lists ----------------------------------------------------------------------------------------
def assessments_with_progress(user: Any) -> QuerySet[Assessment]:
    """The assessments a person may see, newest first, each with `total` and `assessed` in-scope results."""
    from django.db.models import Count, Q

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
    from django.db.models import Exists, F, OuterRef

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
    from django.db.models import Count, Q

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
