"""Reads over findings and actions that pages, the API and (later) reports share: the filtered
lists, suggested actions, the roadmap by phase and the projection of each zone's SL-A."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.access import Action as Can
from accounts.access import AnyUser
from assessments.models import Assessment, Result
from assessments.selectors import assessment_items, counting_assessments
from compliance import sl
from compliance.models import Requirement
from core.validators import clamp_date
from remediation import rules
from remediation.choices import (
    COMMITTED_ACTION_STATUSES,
    FINISHED_ACTION_STATUSES,
    UNRESOLVED_FINDING_STATUSES,
    ActionStatus,
    Phase,
    Severity,
)
from remediation.models import FINDING_ORDER, Action, Finding
from zones.models import Conduit, Site, Zone


# --- lists -------------------------------------------------------------------------------------------
def findings_for(user: AnyUser) -> QuerySet[Finding]:
    """The findings a person may see, with what a list row shows (constant queries)."""
    return (
        Finding.objects.restrict(user, Can.VIEW)
        .select_related("site", "zone", "conduit", "requirement", "assessment")
        .annotate(action_count=Count("actions", distinct=True), result_count=Count("results", distinct=True))
        .order_by(*FINDING_ORDER)
    )


def actions_for(user: AnyUser) -> QuerySet[Action]:
    """The actions a person may see, quick wins first (constant queries)."""
    return (
        Action.objects.restrict(user, Can.VIEW)
        .select_related("site", "owner")
        .prefetch_related("zones", "conduits")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("priority", "-priority_score", "due_date", "title", "pk")
    )


def filter_actions(
    queryset: QuerySet[Action],
    *,
    site: Any = None,
    zone: Any = None,
    owner: Any = None,
    status: str | None = None,
    phase: str | None = None,
) -> QuerySet[Action]:
    """The roadmap's and lists' filters. A zone matches actions on it, on its conduits, or on its findings."""
    if site:
        queryset = queryset.filter(site=site)
    if zone:
        queryset = queryset.filter(
            Q(zones=zone) | Q(conduits__zones=zone) | Q(findings__zone=zone) | Q(assets__zone=zone)
        ).distinct()
    if owner:
        queryset = queryset.filter(owner=owner)
    if status:
        queryset = queryset.filter(status=status)
    if phase:
        queryset = queryset.filter(phase=phase)
    return queryset


def site_choices(user: AnyUser) -> QuerySet[Site]:
    return Site.objects.restrict(user, Can.VIEW).select_related("organization").order_by("organization__name", "name")


def default_site(user: AnyUser) -> Site | None:
    """The site a roadmap opens on: the first the person may see that has remediation work."""
    sites = site_choices(user)
    return sites.filter(Q(findings__isnull=False) | Q(remediation_actions__isnull=False)).first() or sites.first()


# --- suggestions ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Guidance:
    """Typical remediation of one requirement, in our own words (compliance/catalogue/*-guidance.yaml)."""

    ref: str
    title: str
    text: str


def guidance_of(requirements: Iterable[Requirement | None]) -> list[Guidance]:
    """The guidance of these requirements in catalogue order, once per id; those without any are left out."""
    out: dict[str, Guidance] = {}
    for requirement in sorted((r for r in requirements if r is not None), key=lambda r: r.position):
        if requirement.guidance and requirement.ref not in out:
            out[requirement.ref] = Guidance(requirement.ref, requirement.title, requirement.guidance)
    return list(out.values())


def action_guidance(action: Action) -> list[Guidance]:
    """The guidance behind an action: of each finding's requirement and of the items its results are
    about (the SR and the REs in the gap). One query, whatever the number of findings."""
    findings = Finding.objects.filter(actions=action)
    requirements = (
        Requirement.objects.filter(
            Q(pk__in=findings.values("requirement"))
            | Q(pk__in=Result.objects.filter(findings__in=findings).values("requirement"))
        )
        .exclude(guidance="")
        .only("ref", "title", "guidance", "position")
    )
    return guidance_of(requirements)


@dataclass
class Suggestion:
    """An action the platform proposes for a set of open findings, ready to accept, edit or drop."""

    title: str
    description: str
    findings: list[Finding]
    zones: list[Zone]
    conduits: list[Conduit]
    phase: Phase
    effort_days: Decimal
    planned_start: date
    due_date: date
    requirement: Requirement | None
    priority: rules.Priority
    guidance: list[Guidance] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable for the same set of findings: the pages post it back to accept or drop."""
        ids = ",".join(sorted(str(f.pk) for f in self.findings))
        return hashlib.sha256(ids.encode()).hexdigest()[:16]

    @property
    def severities(self) -> list[str]:
        return [f.severity for f in self.findings]

    @property
    def worst_severity(self) -> str:
        return min(self.severities, key=lambda s: rules.SEVERITY_ORDER.index(Severity(s)))

    def fields(self) -> dict[str, Any]:
        """The action's fields, as action_create takes them."""
        return {
            "title": self.title,
            "description": self.description,
            "phase": self.phase,
            "effort_days": self.effort_days,
            "planned_start": self.planned_start,
            "due_date": self.due_date,
        }


def unaddressed_findings(site: Site, findings: Iterable[Finding] | None = None) -> list[Finding]:
    """Open findings no action addresses yet (a dropped suggestion is a rejected action: addressed)."""
    queryset = Finding.objects.filter(site=site, status__in=UNRESOLVED_FINDING_STATUSES, actions__isnull=True)
    if findings is not None:
        queryset = queryset.filter(pk__in=[f.pk for f in findings])
    return list(
        queryset.select_related("zone", "conduit", "requirement")
        # With its assessment: the level a result's item was selected at is the one its assessment pinned.
        .prefetch_related(Prefetch("results", queryset=Result.objects.select_related("requirement", "assessment")))
        .distinct()
    )


def unaddressed_count(site: Site) -> int:
    return Finding.objects.filter(site=site, status__in=UNRESOLVED_FINDING_STATUSES, actions__isnull=True).count()


def _targets_text(names: Sequence[str]) -> str:
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:2])} and {len(names) - 2} more"


def suggestions(site: Site, today: date, findings: Iterable[Finding] | None = None) -> list[Suggestion]:
    """One action per SR across the zones and conduits that share the gap; one per finding that
    names no SR (audit, incident, scan and review findings). Each has a phase, effort and dates by
    rules.suggested_phase and rules.suggested_effort; quick wins first."""
    groups: dict[Any, list[Finding]] = defaultdict(list)
    for finding in unaddressed_findings(site, findings):
        groups[finding.requirement_id or finding.pk].append(finding)
    out = []
    for members in groups.values():
        members.sort(key=lambda f: (rules.SEVERITY_ORDER.index(Severity(f.severity)), f.title))
        requirement = members[0].requirement
        zones = sorted({f.zone for f in members if f.zone is not None}, key=lambda z: (z.purdue_level or 0, z.name))
        conduits: list[Conduit] = sorted({f.conduit for f in members if f.conduit is not None}, key=lambda c: c.name)
        names = [z.name for z in zones] + [c.name for c in conduits]
        levels = [r.assessment.level_of(r.requirement) or 1 for f in members for r in f.results.all()] or [1]
        effort = rules.suggested_effort(levels, max(len(names), 1))
        severities = [f.severity for f in members]
        phase = rules.suggested_phase(severities, effort)
        start, due = rules.phase_window(phase, today)
        guidance = guidance_of([requirement, *(r.requirement for f in members for r in f.results.all())])
        if requirement is not None and members[0].source == "assessment":
            title = f"{requirement.ref} {requirement.title}: {_targets_text(names)}"
            refs = sorted({r.requirement.ref for f in members for r in f.results.all()})
            description = (
                f"Close the {requirement.ref} gap ({', '.join(refs)}) in {_targets_text(names)}. "
                "Suggested from the assessment findings; adjust scope, owner and dates."
            )
        else:
            title = f"Remediate: {members[0].title}"
            # A finding that names a requirement but says nothing more starts from the typical remedy.
            description = members[0].description or " ".join(g.text for g in guidance)
        out.append(
            Suggestion(
                title=title[:300],
                description=description,
                findings=members,
                zones=zones,
                conduits=conduits,
                phase=phase,
                effort_days=effort,
                planned_start=start,
                due_date=due,
                requirement=requirement,
                priority=rules.priority_for(severities, effort),
                guidance=guidance,
            )
        )
    phase_order = list(Phase.values)
    out.sort(key=lambda s: (s.priority.band, phase_order.index(s.phase), -s.priority.score, s.title))
    return out


# --- roadmap -------------------------------------------------------------------------------------------
def quarter_of(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


@dataclass
class ActionTally:
    """How far a group of roadmap actions (a phase, one person's) has come: how many there are, how many
    are finished or overdue, and the effort they take."""

    total: int = 0
    finished: int = 0
    overdue: int = 0
    effort_days: Decimal = Decimal(0)

    def count(self, action: Action, today: date) -> None:
        """Add `action` to the tally."""
        self.total += 1
        self.finished += action.status in FINISHED_ACTION_STATUSES
        self.overdue += action.is_overdue(today)
        self.effort_days += action.effort_days or 0


@dataclass(kw_only=True)
class PhaseProgress(ActionTally):
    """How far one phase of the roadmap has come, and what it costs."""

    phase: Phase
    cost: Decimal = Decimal(0)

    @property
    def percent(self) -> int:
        return sl.Progress(assessed=self.finished, total=self.total).percent if self.total else 0


@dataclass
class Roadmap:
    """The actions of a roadmap view (rejected ones left out), by phase, with what is late."""

    actions: list[Action]
    today: date
    phases: list[PhaseProgress]
    overdue: list[Action] = field(default_factory=list)
    unscheduled: list[Action] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)

    @property
    def finished(self) -> int:
        return sum(p.finished for p in self.phases)


def roadmap(actions: Iterable[Action], today: date) -> Roadmap:
    action_list = [a for a in actions if a.status != ActionStatus.REJECTED]
    phases = {p: PhaseProgress(phase=p) for p in Phase}
    overdue, unscheduled = [], []
    for action in action_list:
        progress = phases[Phase(action.phase)]
        progress.count(action, today)
        progress.cost += action.cost_estimate or 0
        if action.is_overdue(today):
            overdue.append(action)
        if action.planned_start is None and action.due_date is None:
            unscheduled.append(action)
    overdue.sort(key=lambda a: (a.due_date or today, a.title))
    return Roadmap(
        actions=action_list, today=today, phases=list(phases.values()), overdue=overdue, unscheduled=unscheduled
    )


# --- projection ---------------------------------------------------------------------------------------
def fix_date(action: Action, today: date) -> date | None:
    """When an action's fix counts as landed: its completion if finished, else its due date (today
    for overdue work: it cannot land in the past); None without a due date."""
    if action.status in FINISHED_ACTION_STATUSES:
        return action.verified_on or action.completed_on or today
    if action.due_date is None:
        return None
    return max(action.due_date, today)


@dataclass
class FRShortfall:
    """Why one FR stays below target with the planned actions."""

    fr: str
    without_action: int  # assessed gaps no committed action covers
    not_assessed: int  # required items nobody assessed yet


def shortfall_text(shortfalls: Sequence[FRShortfall]) -> str:
    """e.g. "FR2, FR6 uncovered; 12 requirements not assessed yet (FR1, FR3)"."""
    uncovered = [s.fr for s in shortfalls if s.without_action]
    unknown = [s for s in shortfalls if s.not_assessed]
    parts = []
    if uncovered:
        parts.append(f"{', '.join(uncovered)} uncovered")
    if unknown:
        total = sum(s.not_assessed for s in unknown)
        frs = ", ".join(s.fr for s in unknown)
        parts.append(f"{total} requirement{'s' if total != 1 else ''} not assessed yet ({frs})")
    return "; ".join(parts)


@dataclass
class TargetProjection:
    """One zone or conduit: SL-T, SL-A now, SL-A with the planned actions, and when it meets its SL-T."""

    target: Zone | Conduit
    kind: str
    assessment: Assessment  # the one that counts for this target (assessments.selectors.counting_assessments)
    projection: sl.Projection
    actions: list[Action]
    shortfalls: list[FRShortfall]
    overdue: int

    @property
    def reaches_quarter(self) -> str:
        when = self.projection.reaches_target_on
        return quarter_of(when) if when else ""

    @property
    def verdict(self) -> str:
        """In words: "Reaches its SL-T in Q3 2027 if these 4 actions land", or why not."""
        p = self.projection
        if p.at_target_now:
            return "At its SL-T now"
        if p.reaches_target_on is not None:
            n = len(self.actions)
            what = "this action lands" if n == 1 else f"these {n} actions land"
            return f"Reaches its SL-T in {self.reaches_quarter} if {what}"
        return f"Not with the planned actions: {self.shortfall}"

    @property
    def shortfall(self) -> str:
        return shortfall_text(self.shortfalls)


@dataclass
class SiteProjection:
    """The projection of every zone and conduit some assessment counts for; `assessment` is the one that
    counts for most of them (what the pages name as the starting point), None when none does."""

    assessment: Assessment | None
    today: date
    rows: list[TargetProjection]

    @property
    def zones(self) -> list[TargetProjection]:
        return [r for r in self.rows if r.kind == "zone"]

    @property
    def conduits(self) -> list[TargetProjection]:
        return [r for r in self.rows if r.kind == "conduit"]

    @property
    def zones_at_target_now(self) -> int:
        return sum(1 for r in self.zones if r.projection.at_target_now)

    @property
    def zones_reaching(self) -> int:
        """Zones at target once every committed action has landed (those at target now included)."""
        return sum(1 for r in self.zones if r.projection.reaches_target)


def site_projection(site: Site, today: date, assessment: Assessment | None = None) -> SiteProjection:
    """For each zone and conduit, from the assessment that counts for it (`counting_assessments`, or
    `assessment` for its own targets when given): the SL-A it reaches if the committed actions
    (planned, in progress, done, verified) land by their due dates, and when it meets its SL-T.

    A result is fixed when the last committed action on a finding that contains it lands (a
    finding worked on by several actions needs them all). Fixed number of queries."""
    counting = counting_assessments(site)
    if assessment is not None:
        counting = {target: assessment for target, found in counting.items() if found.pk == assessment.pk}
    if not counting:
        return SiteProjection(assessment=None, today=today, rows=[])
    counting_ids = {a.pk for a in counting.values()}
    committed = list(
        Action.objects.filter(site=site, status__in=COMMITTED_ACTION_STATUSES).prefetch_related(
            Prefetch("findings", queryset=Finding.objects.prefetch_related("results"))
        )
    )
    actions_on: dict[uuid.UUID, set[Action]] = defaultdict(set)
    dates_on: dict[uuid.UUID, list[date | None]] = defaultdict(list)
    for action in committed:
        when = fix_date(action, today)
        for finding in action.findings.all():
            for result in finding.results.all():
                if result.assessment_id in counting_ids:
                    dates_on[result.pk].append(when)
                    actions_on[result.pk].add(action)
    # result id -> fix date of the latest committed action on it
    fixes: dict[uuid.UUID, date | None] = {}
    for result_id, dates in dates_on.items():
        known = [d for d in dates if d is not None]
        fixes[result_id] = max(known) if known else None

    rows_by_target: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID, str, bool]]] = defaultdict(list)
    rows = Result.objects.filter(assessment_id__in=counting_ids).values_list(
        "id", "assessment_id", "zone_id", "conduit_id", "requirement_id", "status", "in_scope"
    )
    for rid, assessment_id, zone_id, conduit_id, req_id, status, in_scope in rows:
        target_id = zone_id or conduit_id
        found = counting.get(target_id)
        if found is not None and found.pk == assessment_id:  # another assessment's rows for it do not count
            rows_by_target[target_id].append((rid, req_id, status, in_scope))

    zones = list(Zone.objects.filter(pk__in=list(counting)).order_by("purdue_level", "name"))
    conduits = list(Conduit.objects.filter(pk__in=list(counting)).order_by("name"))
    out = []
    for kind, targets in (("zone", zones), ("conduit", conduits)):
        for target in targets:
            rows_of = rows_by_target[target.pk]
            out.append(_target_projection(target, kind, counting[target.pk], rows_of, fixes, actions_on, today))
    return SiteProjection(assessment=_most_counted(counting), today=today, rows=out)


def _most_counted(counting: dict[uuid.UUID, Assessment]) -> Assessment:
    """The assessment that counts for the most targets (the newest of equals)."""
    tally = Counter(a.pk for a in counting.values())
    by_id = {a.pk: a for a in counting.values()}
    return max(by_id.values(), key=lambda a: (tally[a.pk], a.created))


def _target_projection(
    target: Zone | Conduit,
    kind: str,
    assessment: Assessment,
    rows: list[tuple[uuid.UUID, uuid.UUID, str, bool]],
    fixes: dict[uuid.UUID, date | None],
    actions_on: dict[uuid.UUID, set[Action]],
    today: date,
) -> TargetProjection:
    items = assessment_items(assessment)
    by_requirement = {req_id: (rid, status) for rid, req_id, status, _ in rows}
    planned = []
    covering: set[Action] = set()
    without_action: dict[str, int] = defaultdict(int)
    not_assessed: dict[str, int] = defaultdict(int)
    for item in items:
        rid, status = by_requirement.get(item.id, (None, sl.NOT_ASSESSED))
        satisfied = sl.is_satisfied(status)
        due = fixes.get(rid) if rid is not None and not satisfied else None
        planned.append(sl.PlannedItem(item.fr, item.level, satisfied, due))
        if satisfied or not sl.is_required(item.fr, item.level, target.sl_target):
            continue
        if rid is not None and rid in actions_on:
            covering |= actions_on[rid]
        if due is None:
            if status == sl.NOT_ASSESSED:
                not_assessed[item.fr] += 1
            else:
                without_action[item.fr] += 1
    projection = sl.projection(target.sl_target, planned)
    shortfalls = [
        FRShortfall(fr=fr, without_action=without_action[fr], not_assessed=not_assessed[fr])
        for fr in projection.uncovered
    ]
    ordered = sorted(covering, key=lambda a: (a.due_date or today, a.title))
    return TargetProjection(
        target=target,
        kind=kind,
        assessment=assessment,
        projection=projection,
        actions=ordered,
        shortfalls=shortfalls,
        overdue=sum(1 for a in ordered if a.is_overdue(today)),
    )


# --- verification -------------------------------------------------------------------------------------
@dataclass
class VerifyItem:
    """One result an action addressed, with the finding(s) it came through."""

    result: Result
    findings: list[Finding]

    @property
    def editable(self) -> bool:
        return not self.result.assessment.is_final


def verify_items(action: Action) -> list[VerifyItem]:
    """The results the action addressed through its findings, in catalogue order."""
    findings = list(action.findings.prefetch_related("results").order_by("title"))
    through: dict[uuid.UUID, list[Finding]] = defaultdict(list)
    for finding in findings:
        for result in finding.results.all():
            through[result.pk].append(finding)
    results = (
        Result.objects.filter(pk__in=list(through))
        .select_related("requirement", "zone", "conduit", "assessment")
        .prefetch_related("evidence")
        .order_by("requirement__position", "zone__name", "conduit__name")
    )
    return [VerifyItem(result=r, findings=through[r.pk]) for r in results]


def horizon(actions: Iterable[Action], today: date) -> tuple[date, date]:
    """The span a timeline must show: today and every dated action, widened to whole quarters. Dates stored
    outside the accepted range (core.validators) count as its bounds, so the arithmetic cannot overflow."""
    days = [today]
    for a in actions:
        days.extend(clamp_date(d) for d in (a.planned_start, a.due_date, a.completed_on) if d is not None)
    first, last = min(days), max(days)
    start = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    end_q = 3 * ((last.month - 1) // 3) + 3
    end = (date(last.year + (end_q == 12), end_q % 12 + 1, 1)) - timedelta(days=1)
    return start, end


# --- the home page -----------------------------------------------------------------------------------
def actions_due(user: AnyUser, today: date, days: int = 30, limit: int = 10) -> list[Action]:
    """Open actions the person may see that are overdue or due within `days`: their own first, then by
    due date (the most overdue first). One query."""
    from django.db.models import Case, IntegerField, Value, When

    from remediation.choices import OPEN_ACTION_STATUSES

    pk = getattr(user, "pk", None)
    return list(
        Action.objects.restrict(user, Can.VIEW)
        .filter(status__in=OPEN_ACTION_STATUSES, due_date__lte=today + timedelta(days=days))
        .select_related("site", "owner")
        .annotate(theirs=Case(When(owner_id=pk, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("theirs", "due_date", "title", "pk")[:limit]
    )


@dataclass(frozen=True)
class MaintenanceWindow:
    """A named maintenance window of a site and the open actions waiting for it."""

    site: Site
    name: str
    first_date: date | None
    actions: int


def maintenance_windows(user: AnyUser, limit: int = 5) -> list[MaintenanceWindow]:
    """The maintenance windows open actions wait for, the soonest first (by the earliest planned start or
    due date of their actions; undated windows last). One query."""
    from django.db.models import Min
    from django.db.models.functions import Coalesce

    from remediation.choices import OPEN_ACTION_STATUSES

    rows = (
        Action.objects.restrict(user, Can.VIEW)
        .filter(status__in=OPEN_ACTION_STATUSES, needs_maintenance_window=True)
        .values("site_id", "maintenance_window")
        .annotate(first=Min(Coalesce("planned_start", "due_date")), actions=Count("pk"))
        .order_by()
    )
    grouped = sorted(rows, key=lambda r: (r["first"] is None, r["first"] or date.max, r["maintenance_window"]))
    chosen = grouped[:limit]
    sites = Site.objects.in_bulk({r["site_id"] for r in chosen})
    return [MaintenanceWindow(sites[r["site_id"]], r["maintenance_window"], r["first"], r["actions"]) for r in chosen]
