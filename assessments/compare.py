"""Comparing two assessments of one site: how each zone's and conduit's SL-A moved, which results changed
status, and which findings were opened and closed between them (decision 0027).

The pair is always read older → newer (by creation date), whichever one the caller starts from, so
"opened", "closed" and the sign of a difference mean the same thing from both sides. SL-A comes from
`assessments.selectors.summary` (compliance.sl underneath): this module matches and subtracts, it never
computes a level. Results and findings are matched by target and requirement id as people know it
("SR 1.1"), not by the requirement row: two assessments may pin different catalogue releases.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from assessments.choices import ResultStatus, TargetKind
from assessments.models import Assessment, Result
from assessments.selectors import TargetSummary, catalogue_items, summary
from compliance import sl
from compliance.choices import FR_CODES
from compliance.models import Requirement
from remediation.choices import UNRESOLVED_FINDING_STATUSES
from remediation.models import FINDING_ORDER, Finding

# How many changed results the gap PDF's chapter lists (the page and the API list them all).
TOP_CHANGES = 15


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The assessment this one follows: the one it was explicitly carried forward from when the model has
    that link (`previous`), else the latest assessment of the same site created before it."""
    explicit = getattr(assessment, "previous_id", None)
    if explicit is not None:
        return Assessment.objects.filter(pk=explicit).select_related("site").first()
    return (
        Assessment.objects.filter(site_id=assessment.site_id, created__lt=assessment.created)
        .select_related("site")
        .order_by("-created", "-pk")
        .first()
    )


def comparable(assessment: Assessment, candidates: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The assessments of `candidates` (already through the permission door) that `assessment` can be
    compared with: the other assessments of its site, newest first."""
    return candidates.filter(site_id=assessment.site_id).exclude(pk=assessment.pk).order_by("-created", "pk")


# --- the comparison ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FRDelta:
    """One FR of one zone or conduit: SL-A in the older and the newer assessment, and newer minus older."""

    fr: str
    target: int
    older: int | None
    newer: int | None

    @property
    def delta(self) -> int | None:
        return None if self.older is None or self.newer is None else self.newer - self.older


@dataclass
class TargetDelta:
    """A zone or conduit in either assessment: "both", "added" (only in the newer) or "removed"."""

    id: uuid.UUID
    name: str
    kind: str
    change: str
    sl_target: sl.SLVector
    older: sl.SLVector | None
    newer: sl.SLVector | None

    @property
    def frs(self) -> list[FRDelta]:
        return [
            FRDelta(
                fr,
                self.sl_target[fr],
                None if self.older is None else self.older[fr],
                None if self.newer is None else self.newer[fr],
            )
            for fr in FR_CODES
        ]

    @property
    def difference(self) -> dict[str, int] | None:
        if self.older is None or self.newer is None:
            return None
        return {fr: self.newer[fr] - self.older[fr] for fr in FR_CODES}

    @property
    def moved(self) -> int:
        """The sum of the FR differences (0 for a target in one assessment only): for sorting and tone."""
        return sum((self.difference or {}).values())

    def as_api(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "change": self.change,
            "sl_target": self.sl_target.to_dict(),
            "sl_achieved_older": None if self.older is None else self.older.to_dict(),
            "sl_achieved_newer": None if self.newer is None else self.newer.to_dict(),
            "difference": self.difference,
        }


@dataclass(frozen=True)
class StatusChange:
    """One requirement of one zone or conduit whose status differs between the two assessments."""

    requirement: str
    title: str
    position: int
    target_id: uuid.UUID
    target_name: str
    kind: str
    before: str
    after: str
    result_id: uuid.UUID  # the newer assessment's result

    @property
    def before_label(self) -> str:
        return str(ResultStatus(self.before).label)

    @property
    def after_label(self) -> str:
        return str(ResultStatus(self.after).label)

    @property
    def direction(self) -> str:
        """Whether the result is now satisfied ("improved"), no longer satisfied ("worsened"), or neither."""
        was, now = sl.is_satisfied(self.before), sl.is_satisfied(self.after)
        return "improved" if now and not was else "worsened" if was and not now else "changed"

    def as_api(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "target": {"id": str(self.target_id), "name": self.target_name, "kind": self.kind},
            "from": self.before,
            "to": self.after,
            "direction": self.direction,
            "result": str(self.result_id),
        }


def _finding_api(finding: Finding) -> dict[str, Any]:
    target = finding.zone or finding.conduit
    return {
        "id": str(finding.pk),
        "title": finding.title,
        "requirement": finding.requirement.ref if finding.requirement is not None else None,
        "target": None if target is None else {"id": str(target.pk), "name": target.name},
        "severity": finding.severity,
        "status": finding.status,
    }


@dataclass
class Comparison:
    """Two assessments of one site side by side, older first."""

    older: Assessment
    newer: Assessment
    zones: list[TargetDelta]
    conduits: list[TargetDelta]
    changes: list[StatusChange]
    opened: list[Finding] = field(default_factory=list)
    closed: list[Finding] = field(default_factory=list)

    @property
    def targets(self) -> list[TargetDelta]:
        return self.zones + self.conduits

    @property
    def improved(self) -> int:
        return sum(1 for c in self.changes if c.direction == "improved")

    @property
    def worsened(self) -> int:
        return sum(1 for c in self.changes if c.direction == "worsened")

    @property
    def top_changes(self) -> list[StatusChange]:
        """The changes a short summary shows first: those that moved across satisfied, then catalogue order."""
        rank = {"worsened": 0, "improved": 1, "changed": 2}
        return sorted(self.changes, key=lambda c: (rank[c.direction], c.position, c.target_name))[:TOP_CHANGES]

    def as_api(self, *, base: Assessment) -> dict[str, Any]:
        other = self.older if base.pk == self.newer.pk else self.newer
        return {
            "assessment": str(base.pk),
            "with": str(other.pk),
            "older": _assessment_api(self.older),
            "newer": _assessment_api(self.newer),
            "zones": [t.as_api() for t in self.zones],
            "conduits": [t.as_api() for t in self.conduits],
            "results_changed": [c.as_api() for c in self.changes],
            "findings": {
                "opened": [_finding_api(f) for f in self.opened],
                "closed": [_finding_api(f) for f in self.closed],
            },
            "counts": {
                "results_changed": len(self.changes),
                "improved": self.improved,
                "worsened": self.worsened,
                "findings_opened": len(self.opened),
                "findings_closed": len(self.closed),
            },
        }


def _assessment_api(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": str(assessment.pk),
        "title": assessment.title,
        "status": assessment.status,
        "created": assessment.created.isoformat(),
    }


def _target_deltas(older: list[TargetSummary], newer: list[TargetSummary], kind: str) -> list[TargetDelta]:
    """Match by zone or conduit id: the newer assessment's order first, then those it no longer has."""
    before = {t.id: t for t in older}
    after = {t.id: t for t in newer}
    out = []
    for t in newer:
        old = before.get(t.id)
        change = "both" if old is not None else "added"
        out.append(
            TargetDelta(
                t.id,
                t.name,
                kind,
                change,
                t.standing.target,
                None if old is None else old.standing.achieved,
                t.standing.achieved,
            )
        )
    out += [
        TargetDelta(t.id, t.name, kind, "removed", t.standing.target, t.standing.achieved, None)
        for t in older
        if t.id not in after
    ]
    return out


@lru_cache(maxsize=8)
def _titles(catalogue_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The short titles of a release's items. Releases never change once loaded: cached per process,
    like `catalogue_items`."""
    return dict(Requirement.objects.filter(catalogue_id=catalogue_id).values_list("id", "title"))


def _status_changes(older: Assessment, newer: Assessment, targets: list[TargetDelta]) -> list[StatusChange]:
    """The in-scope results of the zones and conduits in both assessments whose status differs: one query
    for the two, no joins (the requirement ids and titles come from the cached catalogue)."""
    both = {t.id: (n, t) for n, t in enumerate(targets) if t.change == "both"}
    items = {i.id: (n, i.ref) for n, i in enumerate(catalogue_items(newer.catalogue_id))}
    ref_of = {i.id: i.ref for i in catalogue_items(older.catalogue_id)}
    titles = _titles(newer.catalogue_id)
    rows = Result.objects.filter(assessment_id__in=[older.pk, newer.pk], in_scope=True).values_list(
        "assessment_id", "id", "zone_id", "conduit_id", "requirement_id", "status"
    )
    before: dict[tuple[uuid.UUID, str], str] = {}
    after: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str]] = []
    for assessment_id, result_id, zone_id, conduit_id, requirement_id, status in rows:
        target_id = zone_id or conduit_id
        if target_id not in both:
            continue
        if assessment_id == older.pk:
            if requirement_id in ref_of:
                before[(target_id, ref_of[requirement_id])] = status
        elif requirement_id in items:
            after.append((result_id, target_id, requirement_id, status))
    changes = []
    for result_id, target_id, requirement_id, status in after:
        position, ref = items[requirement_id]
        was = before.get((target_id, ref))
        if was is None or was == status:
            continue
        target = both[target_id][1]
        changes.append(
            StatusChange(
                ref,
                titles.get(requirement_id, ""),
                position,
                target_id,
                target.name,
                target.kind,
                was,
                status,
                result_id,
            )
        )
    changes.sort(key=lambda c: (both[c.target_id][0], c.position))
    return changes


def _findings(older: Assessment, newer: Assessment) -> tuple[list[Finding], list[Finding]]:
    """(opened, closed). A finding belongs to an assessment when it was raised from it or is linked to one
    of its results (generating findings again links a still-open earlier finding instead of repeating it).
    Opened: the newer's findings whose requirement and target the older had none for. Closed: the older's
    findings resolved or accepted as a risk since, and those whose requirement the newer assessment now finds
    satisfied on the same target. A finding the newer assessment has not raised again is not closed by that
    alone: its result may be not assessed yet, or still not met (a carried-forward assessment before findings
    are generated). Three queries: the keys of all, the newer's statuses, then the rows of those listed."""
    pair = [older.pk, newer.pk]
    rows = (
        Finding.objects.filter(Q(assessment_id__in=pair) | Q(results__assessment_id__in=pair))
        .order_by()
        .values_list(
            "pk", "assessment_id", "results__assessment_id", "zone_id", "conduit_id", "requirement__ref", "status"
        )
        .distinct()
    )
    of: dict[uuid.UUID, set[uuid.UUID]] = {}
    key: dict[uuid.UUID, tuple[uuid.UUID | None, str | None]] = {}
    status: dict[uuid.UUID, str] = {}
    for pk, raised_from, linked_to, zone_id, conduit_id, ref, state in rows:
        of.setdefault(pk, set()).update(a for a in (raised_from, linked_to) if a in pair)
        key[pk], status[pk] = (zone_id or conduit_id, ref), state
    in_older = [pk for pk, where in of.items() if older.pk in where]
    in_newer = [pk for pk, where in of.items() if newer.pk in where]
    older_keys = {key[pk] for pk in in_older}
    newer_keys = {key[pk] for pk in in_newer}
    opened = {pk for pk in in_newer if key[pk] not in older_keys}
    now_satisfied = {
        (zone_id or conduit_id, ref)
        for zone_id, conduit_id, ref, state in Result.objects.filter(assessment=newer, in_scope=True)
        .order_by()
        .values_list("zone_id", "conduit_id", "requirement__ref", "status")
        if sl.is_satisfied(state)
    }
    closed = {
        pk
        for pk in in_older
        if status[pk] not in UNRESOLVED_FINDING_STATUSES or (key[pk] not in newer_keys and key[pk] in now_satisfied)
    }
    listed = Finding.objects.filter(pk__in=opened | closed).select_related("zone", "conduit", "requirement")
    found = list(listed.order_by(*FINDING_ORDER))
    return [f for f in found if f.pk in opened], [f for f in found if f.pk in closed]


def compare(first: Assessment, second: Assessment) -> Comparison:
    """`first` and `second` side by side, older first. Raises ValidationError when they are the same
    assessment or of two sites. A fixed number of queries whatever the number of results."""
    if first.pk == second.pk:
        raise ValidationError({"with": "Choose another assessment than this one to compare with."})
    if first.site_id != second.site_id:
        raise ValidationError({"with": "Only assessments of the same site can be compared."})
    older, newer = sorted((first, second), key=lambda a: (a.created, str(a.pk)))
    before, after = summary(older), summary(newer)
    zones = _target_deltas(before.zones, after.zones, str(TargetKind.ZONE))
    conduits = _target_deltas(before.conduits, after.conduits, str(TargetKind.CONDUIT))
    opened, closed = _findings(older, newer)
    return Comparison(
        older=older,
        newer=newer,
        zones=zones,
        conduits=conduits,
        changes=_status_changes(older, newer, zones + conduits),
        opened=opened,
        closed=closed,
    )


def since_previous(assessment: Assessment) -> Comparison | None:
    """The comparison with the assessment this one follows (see `previous_assessment`), if there is one."""
    previous = previous_assessment(assessment)
    return None if previous is None else compare(previous, assessment)
