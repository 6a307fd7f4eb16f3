"""Everything the roadmap PDF shows for one site, read in a fixed number of queries. The roadmap by phase,
the SL-A projection and the KPI dashboard come from remediation.selectors and program.selectors (compliance.sl
underneath): this module numbers, groups and arranges, it never computes a level or a KPI."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.models import Organization
from compliance.choices import FR_CODES
from compliance.sl import SLVector
from program import selectors as program_selectors
from program.choices import Rag
from program.kpis import Period, Scope
from program.selectors import Tile
from remediation import selectors
from remediation.choices import (
    FINISHED_ACTION_STATUSES,
    OPEN_ACTION_STATUSES,
    UNRESOLVED_FINDING_STATUSES,
    ActionStatus,
    Phase,
    Severity,
)
from remediation.models import Action, Finding
from remediation.timeline import bar_dates
from reports.pdf.toc import Outline, TocEntry
from zones.models import Site

UPCOMING_DAYS = 90  # the executive summary's "due in the next three months"
# What the phases and statuses mean, for the appendix (remediation.rules places suggested actions in phases).
PHASE_MEANINGS: dict[str, str] = {
    Phase.QUICK_WIN: "Started at once, due within a month; where the suggested quick wins (priority P1) go.",
    Phase.SHORT_TERM: "Work on critical findings, due within three months.",
    Phase.MID_TERM: "Work on high and medium findings, due within the year; often tied to a maintenance window.",
    Phase.LONG_TERM: "Work on low findings and larger changes (replacements, new systems) for later budget years.",
}
STATUS_MEANINGS: dict[str, str] = {
    ActionStatus.PROPOSED: "Suggested, not committed to yet: not counted in the projection.",
    ActionStatus.PLANNED: "Committed to, with an owner and dates.",
    ActionStatus.IN_PROGRESS: "Work has started.",
    ActionStatus.DONE: "The change is made; it has not been checked yet.",
    ActionStatus.VERIFIED: "Checked on site to work, and the assessment results it addressed updated.",
    ActionStatus.DEFERRED: "Postponed, for example to a later budget: not counted in the projection.",
    ActionStatus.REJECTED: "Dropped: left out of this report.",
}


@dataclass
class ActionRow:
    """One action of the register, numbered A01, A02... in roadmap order (phase, then dates)."""

    number: str
    action: Action
    targets: list[str]
    overdue: bool
    late_days: int

    @property
    def anchor(self) -> str:
        return f"action-{self.action.pk}"

    @property
    def finished(self) -> bool:
        return self.action.status in FINISHED_ACTION_STATUSES


@dataclass
class PhaseSection:
    """One phase of the roadmap: its progress (from remediation.selectors.roadmap) and its actions."""

    entry: TocEntry
    progress: selectors.PhaseProgress
    rows: list[ActionRow]
    first_day: date | None = None
    last_day: date | None = None


@dataclass(kw_only=True)
class OwnerLoad(selectors.ActionTally):
    """What one person (or nobody) carries on the roadmap."""

    owner: str
    next_due: date | None = None

    @property
    def open(self) -> int:
        return self.total - self.finished


@dataclass
class Level:
    """One FR's level in an SL vector, and whether it falls short of the target."""

    fr: str
    value: int
    below: bool


@dataclass
class ProjectionRow:
    """One zone or conduit of the projection, with its levels FR by FR and the actions it counts on."""

    row: selectors.TargetProjection
    current: list[Level]
    projected: list[Level]
    numbers: list[str]
    last_due: date | None


@dataclass
class Milestone:
    """A day on which a zone's or conduit's projected SL-A rises."""

    day: date
    quarter: str
    target: str
    kind: str
    level: SLVector
    meets_target: bool


@dataclass
class RoadmapReport:
    site: Site
    organization: Organization
    today: date
    generated_at: datetime
    road: selectors.Roadmap
    outline: Outline
    chapters: dict[str, TocEntry]
    rows: list[ActionRow]
    phases: list[PhaseSection]
    owners: list[OwnerLoad]
    rejected: int
    projection: selectors.SiteProjection
    projection_rows: list[ProjectionRow]
    milestones: list[Milestone]
    open_findings: int
    open_severe: int
    unaddressed: int
    kpi_period: Period
    kpi_tiles: list[Tile]
    horizon: tuple[date, date]
    rag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def phase_meanings(self) -> list[tuple[str, str]]:
        return [(str(p.label), PHASE_MEANINGS[p]) for p in Phase]

    @property
    def status_meanings(self) -> list[tuple[str, str, str]]:
        return [(str(s), str(s.label), STATUS_MEANINGS[s]) for s in ActionStatus]

    @property
    def overdue(self) -> list[ActionRow]:
        by_pk = {r.action.pk: r for r in self.rows}
        return [by_pk[a.pk] for a in self.road.overdue]

    @property
    def upcoming(self) -> list[ActionRow]:
        """Open work due in the next UPCOMING_DAYS days (what is late is listed apart), soonest first."""
        until = self.today + timedelta(days=UPCOMING_DAYS)
        due = [
            r
            for r in self.rows
            if r.action.status in OPEN_ACTION_STATUSES
            and r.action.due_date
            and self.today <= r.action.due_date <= until
        ]
        return sorted(due, key=lambda r: (r.action.due_date or self.today, r.number))

    @property
    def unscheduled(self) -> list[ActionRow]:
        by_pk = {r.action.pk: r for r in self.rows}
        return [by_pk[a.pk] for a in self.road.unscheduled]

    @property
    def effort_days(self) -> Decimal:
        return sum((p.effort_days for p in self.road.phases), Decimal(0))

    @property
    def cost(self) -> Decimal:
        return sum((p.cost for p in self.road.phases), Decimal(0))

    @property
    def action_span(self) -> tuple[date | None, date | None]:
        """What the actions really span: the earliest planned start and the latest due date (not the chart's
        axis, which is rounded out to quarters)."""
        starts = [a.planned_start for a in self.road.actions if a.planned_start]
        dues = [a.due_date for a in self.road.actions if a.due_date]
        return min(starts, default=None), max(dues, default=None)

    @property
    def phases_in_use(self) -> list[str]:
        """The phases that hold at least one action, as "Quick win (5)"."""
        return [f"{p.phase.label} ({p.total})" for p in self.road.phases if p.total]

    @property
    def owner_names(self) -> list[str]:
        return [o.owner for o in self.owners if o.owner]


def _person(action: Action) -> str:
    owner = action.owner
    return str(owner.get_full_name() or owner.get_username()) if owner else ""


def _actions(site: Site) -> list[Action]:
    """Every action of the site, whoever asked (the requester may see the site, hence its roadmap)."""
    return list(
        Action.objects.filter(site=site)
        .select_related("owner")
        .prefetch_related("zones", "conduits")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("title", "pk")
    )


def _roadmap_order(actions: list[Action]) -> list[Action]:
    """The Gantt chart's order (phase, start, end, title); actions without dates last in their phase."""
    phase_order = list(Phase.values)
    far = date.max

    def key(action: Action) -> tuple[int, date, date, str]:
        span = bar_dates(action)
        start, end = span if span is not None else (far, far)
        return phase_order.index(action.phase), start, end, action.title

    return sorted(actions, key=key)


def _rows(road: selectors.Roadmap) -> list[ActionRow]:
    rows = []
    for n, action in enumerate(_roadmap_order(road.actions), start=1):
        late = action.is_overdue(road.today)
        rows.append(
            ActionRow(
                number=f"A{n:02d}",
                action=action,
                targets=[z.name for z in action.zones.all()] + [c.name for c in action.conduits.all()],
                overdue=late,
                late_days=(road.today - action.due_date).days if late and action.due_date else 0,
            )
        )
    return rows


def _phases(road: selectors.Roadmap, rows: list[ActionRow], outline: Outline) -> list[PhaseSection]:
    sections = []
    for progress in road.phases:
        members = [r for r in rows if r.action.phase == progress.phase]
        spans = [s for r in members if (s := bar_dates(r.action)) is not None]
        sections.append(
            PhaseSection(
                entry=outline.add(f"phase-{progress.phase.value}", str(progress.phase.label), level=2),
                progress=progress,
                rows=members,
                first_day=min((s[0] for s in spans), default=None),
                last_day=max((s[1] for s in spans), default=None),
            )
        )
    return sections


def _owners(rows: list[ActionRow], today: date) -> list[OwnerLoad]:
    """Per owner (by name; "" for nobody): actions, done, overdue, effort, and the next open due date
    still ahead (what is past it is counted as overdue)."""
    loads: dict[str, OwnerLoad] = {}
    for r in rows:
        name = _person(r.action)
        load = loads.setdefault(name, OwnerLoad(owner=name))
        load.count(r.action, today)
        due = r.action.due_date
        if due is None or due < today or r.action.status not in OPEN_ACTION_STATUSES:
            continue
        if load.next_due is None or due < load.next_due:
            load.next_due = due
    return sorted(loads.values(), key=lambda o: (o.owner == "", o.owner.casefold()))


def _levels(vector: SLVector, target: SLVector) -> list[Level]:
    below = set(vector.frs_below(target))
    return [Level(fr, vector[fr], fr in below) for fr in FR_CODES]


def _projection(
    projection: selectors.SiteProjection, numbers: dict[object, str]
) -> tuple[list[ProjectionRow], list[Milestone]]:
    rows, milestones = [], []
    for row in projection.rows:
        p = row.projection
        ordered = sorted((numbers[a.pk] for a in row.actions if a.pk in numbers), key=lambda n: int(n[1:]))
        dues = [a.due_date for a in row.actions if a.due_date is not None]
        rows.append(
            ProjectionRow(
                row=row,
                current=_levels(p.current, p.target),
                projected=_levels(p.projected, p.target),
                numbers=ordered,
                last_due=max(dues, default=None),
            )
        )
        for day, level in p.steps:
            milestones.append(
                Milestone(day, selectors.quarter_of(day), row.target.name, row.kind, level, level.meets(p.target))
            )
    milestones.sort(key=lambda m: (m.day, m.kind != "zone", m.target))
    return rows, milestones


def roadmap_report(site: Site, *, today: date | None = None, now: datetime | None = None) -> RoadmapReport:
    """Read everything the roadmap PDF needs, as of `today` (default: the site's local today)."""
    today = today or timezone.localdate()
    site = Site.objects.select_related("organization").get(pk=site.pk)
    actions = _actions(site)
    road = selectors.roadmap(actions, today)
    projection = selectors.site_projection(site, today)
    kpi_period, tiles = program_selectors.dashboard(Scope.of_site(site), today)

    outline = Outline()
    chapters = {
        "summary": outline.add("summary", "Executive summary"),
        "timeline": outline.add("timeline", "Timeline"),
        "phases": outline.add("phases", "Phases and actions"),
    }
    rows = _rows(road)
    phases = _phases(road, rows, outline)
    chapters["late"] = outline.add("late", "Overdue and unscheduled work")
    chapters["projection"] = outline.add("projection", "Projected security levels")
    chapters["kpis"] = outline.add("kpis", "Security programme KPIs")
    chapters["method"] = outline.appendix("method", "How to read this report")

    projection_rows, milestones = _projection(projection, {r.action.pk: r.number for r in rows})
    unresolved = Finding.objects.filter(site=site, status__in=UNRESOLVED_FINDING_STATUSES)
    severe = (Severity.CRITICAL, Severity.HIGH)
    rags: dict[str, int] = defaultdict(int)
    for tile in tiles:
        rags[tile.current.rag.value] += 1
    return RoadmapReport(
        site=site,
        organization=site.organization,
        today=today,
        generated_at=now or timezone.now(),
        road=road,
        outline=outline,
        chapters=chapters,
        rows=rows,
        phases=phases,
        owners=_owners(rows, today),
        rejected=sum(1 for a in actions if a.status == ActionStatus.REJECTED),
        projection=projection,
        projection_rows=projection_rows,
        milestones=milestones,
        open_findings=unresolved.count(),
        open_severe=unresolved.filter(severity__in=severe).count(),
        unaddressed=selectors.unaddressed_count(site),
        kpi_period=kpi_period,
        kpi_tiles=tiles,
        horizon=selectors.horizon(road.actions, today),
        rag_counts={rag.value: rags[rag.value] for rag in Rag},
    )
