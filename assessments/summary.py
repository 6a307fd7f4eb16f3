"""The summary of an assessment (SL-A, gap and progress per zone and conduit) and its re-sync plan, counted
in the database in a fixed number of queries whatever the number of zones (decision 0040); the SL arithmetic
itself is compliance.sl's."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import add, itemgetter
from typing import Any

from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from assessments.choices import ResultStatus, TargetKind
from assessments.models import Assessment, Result
from assessments.scope import CatalogueItem, assessment_items, catalogue_items, required_items, scope_targets
from compliance import sl
from compliance.choices import FR_CODES
from zones.models import Conduit, Zone

STATUSES: tuple[str, ...] = tuple(ResultStatus.values)  # read once: the enum's property walks its members


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


def _pinned_level(assessment: Assessment, items: tuple[CatalogueItem, ...]) -> Any:
    """The level an assessment selects each result's item at, as an SQL expression: the catalogue's, or the
    override it pinned (decision 0032), so that the database can group results by FR and level."""
    overridden: dict[int, list[uuid.UUID]] = defaultdict(list)
    for item in items:
        if item.overridden_from is not None:
            overridden[item.level].append(item.id)
    if not overridden:
        return F("requirement__lowest_sl")
    whens = [When(requirement_id__in=ids, then=Value(level)) for level, ids in overridden.items()]
    return Case(*whens, default=F("requirement__lowest_sl"), output_field=IntegerField())


def _levels(items: tuple[CatalogueItem, ...]) -> dict[tuple[str, int], int]:
    """How many items of the release each (FR, level) group holds."""
    return dict(Counter((item.fr, item.level) for item in items))


def _fetch(queryset: QuerySet[Any]) -> tuple[list[str], list[tuple[uuid.UUID, tuple[Any, ...]]]]:
    """The column names and (target id, row) of a `.values("zone_id", "conduit_id", ...).annotate(...)` query,
    read with a plain cursor: Django's per-value converters cost more than the query itself on the thousands
    of grouped rows of a large site. SQLite hands UUIDs back as text, hence the parse."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    i_zone, i_conduit = names.index("zone_id"), names.index("conduit_id")
    out = []
    for row in rows:
        target = row[i_zone] or row[i_conduit]
        out.append((target if isinstance(target, uuid.UUID) else uuid.UUID(str(target)), tuple(row)))
    return names, out


def _grouped(
    assessment: Assessment, items: tuple[CatalogueItem, ...], columns: dict[str, Any]
) -> tuple[list[str], list[tuple[uuid.UUID, tuple[Any, ...]]]]:
    """`columns` counted by PostgreSQL per target and FR (a few thousand rows for a 200-zone site instead of
    its 45,000 results, which took a second to fetch and loop over), with each result's pinned level as
    `level` for the columns to filter on. A result is the only one of its target and item, and results are
    only made for items of the pinned release: the counts below rely on both."""
    rows = (
        Result.objects.filter(assessment=assessment)
        .annotate(level=_pinned_level(assessment, items), fr=F("requirement__fr_id"))
        .order_by()
        .values("zone_id", "conduit_id", "fr")
        .annotate(**columns)
    )
    return _fetch(rows)


_SUMMED = ("out_of_scope", "carried", "carried_assessed", *(f"s{n}" for n in range(len(STATUSES))))


def _summary_columns(levels: list[int]) -> dict[str, Any]:
    """What the summary counts: by status, carried forward and out of scope (summed over the FRs), and per FR
    the results in scope, those assessed, and the satisfied ones per level (in scope or not: SL-A counts all)."""
    scoped, assessed = Q(in_scope=True), ~Q(status=sl.NOT_ASSESSED)
    satisfied = Q(status__in=sorted(sl.SATISFYING_STATUSES))
    return {
        "out_of_scope": Count("pk", filter=Q(in_scope=False)),
        "carried": Count("pk", filter=scoped & Q(carried_forward=True)),
        "carried_assessed": Count("pk", filter=scoped & Q(carried_forward=True) & assessed),
        "total": Count("pk", filter=scoped),
        "assessed": Count("pk", filter=scoped & assessed),
        **{f"s{n}": Count("pk", filter=scoped & Q(status=status)) for n, status in enumerate(STATUSES)},
        **{f"l{level}": Count("pk", filter=satisfied & Q(level=level)) for level in levels},
    }


def _summary_counts(
    names: list[str], values: list[tuple[uuid.UUID, tuple[Any, ...]]], levels: list[int]
) -> dict[uuid.UUID, dict[Any, Any]]:
    """Per target, its summary counts from the grouped rows: the summed ones by name, (total, assessed) by FR
    and the satisfied results by (FR, level)."""
    pick_summed = itemgetter(*(names.index(key) for key in _SUMMED))
    i_total, i_assessed, i_fr = names.index("total"), names.index("assessed"), names.index("fr")
    i_levels = [(level, names.index(f"l{level}")) for level in levels]
    by_target: dict[uuid.UUID, dict[Any, Any]] = {}
    sums: dict[uuid.UUID, list[int]] = {}
    for target_id, row in values:
        target = by_target.get(target_id)
        if target is None:
            target, sums[target_id] = by_target.setdefault(target_id, {}), [0] * len(_SUMMED)
        sums[target_id] = list(map(add, sums[target_id], pick_summed(row)))
        fr = str(row[i_fr])
        target[fr] = (row[i_total], row[i_assessed])
        for level, i in i_levels:
            target[(fr, level)] = row[i]
    for target_id, target in by_target.items():
        target.update(zip(_SUMMED, sums[target_id], strict=True))
    return by_target


def _target_summary(
    target: Zone | Conduit, kind: str, row: Mapping[Any, Any], groups: dict[tuple[str, int], int]
) -> TargetSummary:
    """One target's summary from its counts. SL-A goes through compliance.sl as before, with one item state per
    (FR, level) group, unsatisfied when fewer of its results are satisfied than it has items: `sl.achieved` only
    looks at the lowest unsatisfied level of each FR, so the answer is the same as with one state per item."""
    states = [sl.ItemState(fr, level, row.get((fr, level), 0) >= size) for (fr, level), size in groups.items()]
    standing = sl.standing(target.sl_target, states)
    counts = {status: row.get(f"s{n}", 0) for n, status in enumerate(STATUSES)}
    gap = standing.gap  # a new vector at each access
    cells = []
    for fr, t, a, g in zip(FR_CODES, standing.target, standing.achieved, gap, strict=True):
        total, done = row.get(fr, (0, 0))
        cells.append(FRCell(fr=fr, target=t, achieved=a, gap=g, assessed=done, total=total))
    # Progress counts carried-forward findings apart until someone confirms them (decision 0026).
    progress = sl.progress_of(counts)
    taken = row.get("carried_assessed", 0)
    return TargetSummary(
        id=target.pk,
        name=target.name,
        kind=kind,
        standing=standing,
        counts=counts,
        progress=sl.Progress(assessed=progress.assessed - taken, total=progress.total),
        cells=cells,
        out_of_scope=row.get("out_of_scope", 0),
        carried_forward=row.get("carried", 0),
    )


def _summary_of(
    by_target: dict[uuid.UUID, dict[Any, Any]],
    groups: dict[tuple[str, int], int],
    zones: list[Zone],
    conduits: list[Conduit],
) -> Summary:
    return Summary(
        zones=[_target_summary(z, TargetKind.ZONE, by_target.get(z.pk, {}), groups) for z in zones],
        conduits=[_target_summary(c, TargetKind.CONDUIT, by_target.get(c.pk, {}), groups) for c in conduits],
    )


def summary(assessment: Assessment) -> Summary:
    """SL-T, SL-A, gap, counts and progress for every zone and conduit in scope: three queries (counts per
    target and FR, zones, conduits) whatever the number of results, and Python work that grows with the
    targets only, not with their results (decision 0040); the catalogue is cached."""
    items = assessment_items(assessment)
    groups = _levels(items)
    levels = sorted({level for _, level in groups})
    names, values = _grouped(assessment, items, _summary_columns(levels))
    return _summary_of(_summary_counts(names, values, levels), groups, *scope_targets(assessment))


def summary_and_resync(assessment: Assessment) -> tuple[Summary, ResyncCounts]:
    """`summary` and `resync_counts` from one grouped query (the overview shows both): three queries."""
    items = assessment_items(assessment)
    groups = _levels(items)
    levels = sorted({level for _, level in groups})
    names, values = _grouped(assessment, items, {**_summary_columns(levels), **_resync_columns(levels)})
    zones, conduits = scope_targets(assessment)
    counts = _resync_of(_resync_found(names, values, levels), groups, zones, conduits)
    return _summary_of(_summary_counts(names, values, levels), groups, zones, conduits), counts


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


@dataclass(frozen=True)
class ResyncCounts:
    """How many results a re-sync would add, retire and restore (what the overview and the API say)."""

    added: int
    retired: int
    restored: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.retired or self.restored)


def _resync_columns(levels: list[int]) -> dict[str, Any]:
    """Per level, the results in scope and out of it (the re-sync's counts)."""
    columns: dict[str, Any] = {}
    for level in levels:
        columns[f"in{level}"] = Count("pk", filter=Q(in_scope=True, level=level))
        columns[f"out{level}"] = Count("pk", filter=Q(in_scope=False, level=level))
    return columns


def _resync_found(
    names: list[str], values: list[tuple[uuid.UUID, tuple[Any, ...]]], levels: list[int]
) -> dict[uuid.UUID, dict[tuple[str, int], tuple[int, int]]]:
    i_fr = names.index("fr")
    i_levels = [(level, names.index(f"in{level}"), names.index(f"out{level}")) for level in levels]
    by_target: dict[uuid.UUID, dict[tuple[str, int], tuple[int, int]]] = defaultdict(dict)
    for target_id, row in values:
        found = by_target[target_id]
        for level, i_in, i_out in i_levels:
            found[(str(row[i_fr]), level)] = (row[i_in], row[i_out])
    return by_target


def _resync_of(
    by_target: dict[uuid.UUID, dict[tuple[str, int], tuple[int, int]]],
    groups: dict[tuple[str, int], int],
    zones: list[Zone],
    conduits: list[Conduit],
) -> ResyncCounts:
    added = retired = restored = 0
    required_of: dict[sl.SLVector, frozenset[tuple[str, int]]] = {}  # targets share a handful of SL-Ts
    targets: list[Zone | Conduit] = [*zones, *conduits]
    for target in targets:
        required = required_of.get(target.sl_target)
        if required is None:
            required = frozenset(key for key in groups if sl.is_required(*key, target.sl_target))
            required_of[target.sl_target] = required
        added += sum(groups[key] for key in required)
        for key, (scoped, out) in by_target.pop(target.pk, {}).items():
            if key in required:
                added -= scoped + out
                restored += out
            else:
                retired += scoped
    retired += sum(scoped for found in by_target.values() for scoped, _ in found.values())  # out of the scope
    return ResyncCounts(added=added, retired=retired, restored=restored)


def resync_counts(assessment: Assessment) -> ResyncCounts:
    """The sizes of `resync_plan`, counted by the database per target and FR instead of comparing 45,000
    (target, item) pairs in Python on every overview of a large site (decision 0040). Whether an item is
    required depends only on its FR, its pinned level and the target's SL-T, so an (FR, level) group is
    required as a whole."""
    items = assessment_items(assessment)
    groups = _levels(items)
    levels = sorted({level for _, level in groups})
    names, values = _grouped(assessment, items, _resync_columns(levels))
    return _resync_of(_resync_found(names, values, levels), groups, *scope_targets(assessment))
