"""Reads of component assessments: the scope of one (which 4-2 items are its results), its results in
catalogue order, and its summary (SL-C per FR, counts by status).

SL-C is compliance.sl's `achieved`, the same arithmetic as SL-A, over every item of the product's component
type (all levels): the results with their status, and the items above the assessment's target, which are not
results, as not satisfied (they were not assessed). So an FR's SL-C stops at its target when the type has
items above it (`capped_by_target`), and never claims more than was assessed (decision 0035).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet

from compliance import sl
from compliance.choices import FR_CODES, ResultStatus
from components.models import ComponentAssessment, ComponentResult
from components.requirements import ComponentItem, component_catalogue_items, required_component_items

if TYPE_CHECKING:
    from compliance.models import Catalogue

FULL = sl.SLVector.uniform(sl.MAX_LEVEL)


def component_scope(catalogue: Catalogue, component_type: str, target: sl.SLVector) -> list[ComponentItem]:
    """The items a component assessment of `component_type` up to `target` has as results, in catalogue
    order: components.requirements's selection (pointer headings are never items)."""
    return required_component_items(component_catalogue_items(catalogue.pk), component_type, target)


def results_for(assessment: ComponentAssessment) -> QuerySet[ComponentResult]:
    """The assessment's results in catalogue order, with what a row of the workspace or the API shows."""
    return (
        ComponentResult.objects.filter(assessment=assessment)
        .select_related("requirement", "assignee", "updated_by")
        .prefetch_related("evidence")
        .order_by("requirement__position", "pk")
    )


def workspace_results(assessment: ComponentAssessment) -> QuerySet[ComponentResult]:
    """`results_for` with each result's number of comments (the workspace's panel buttons)."""
    return results_for(assessment).annotate(comment_count=Count("comments"))


@dataclass(frozen=True)
class FrSummary:
    """Where one FR of a component assessment stands."""

    fr: str
    target: int
    capability: int
    capped_by_target: bool  # every result of the FR is satisfied: only the target stops SL-C going higher
    total: int
    satisfied: int
    not_assessed: int

    @property
    def gap(self) -> int:
        """How far SL-C is below the target (0 at or above it): the heat row's colour."""
        return max(self.target - self.capability, 0)

    def as_api(self) -> dict[str, Any]:
        return {
            "fr": self.fr,
            "sl_target": self.target,
            "sl_capability": self.capability,
            "capped_by_target": self.capped_by_target,
            "results": self.total,
            "satisfied": self.satisfied,
            "not_assessed": self.not_assessed,
        }


@dataclass(frozen=True)
class ComponentSummary:
    """SL-C per FR derived from a component assessment's results, with its counts."""

    sl_target: sl.SLVector
    sl_capability: sl.SLVector
    counts: dict[str, int]
    per_fr: tuple[FrSummary, ...]
    progress: sl.Progress

    @property
    def not_assessed(self) -> int:
        return self.counts[ResultStatus.NOT_ASSESSED]

    @property
    def count_rows(self) -> list[tuple[str, str, int]]:
        """(status, its label, how many) in the statuses' order, for pages."""
        return [(value, str(label), self.counts[value]) for value, label in ResultStatus.choices]

    @property
    def capped(self) -> list[str]:
        """The FRs whose SL-C only the target holds back."""
        return [row.fr for row in self.per_fr if row.capped_by_target]

    def as_api(self) -> dict[str, Any]:
        return {
            "sl_capability": self.sl_capability.to_dict(),
            "sl_target": self.sl_target.to_dict(),
            "counts": dict(self.counts),
            "per_fr": [row.as_api() for row in self.per_fr],
            "progress": {
                "assessed": self.progress.assessed,
                "total": self.progress.total,
                "percent": self.progress.percent,
            },
            "note": "Items above the target are not assessed and count as not satisfied: an FR's SL-C does not "
            "go above its target unless the component type has no items above it (capped_by_target).",
        }


def summarize(
    type_items: list[ComponentItem], statuses: dict[Any, str], target: sl.SLVector
) -> tuple[sl.SLVector, tuple[FrSummary, ...]]:
    """SL-C and the per-FR rows from every item of the component type (`type_items`, all levels) and the
    results' statuses by requirement id; an item without a result counts as not satisfied."""
    capability = sl.achieved(
        sl.ItemState(item.fr, item.level, sl.is_satisfied(statuses.get(item.id, sl.NOT_ASSESSED)))
        for item in type_items
        if item.fr is not None and item.level is not None
    )
    fr_of = {item.id: item.fr for item in type_items}
    totals: Counter[str] = Counter()
    satisfied: Counter[str] = Counter()
    unassessed: Counter[str] = Counter()
    for requirement_id, status in statuses.items():
        fr = fr_of.get(requirement_id)
        if fr is None:
            continue
        totals[fr] += 1
        satisfied[fr] += sl.is_satisfied(status)
        unassessed[fr] += status == sl.NOT_ASSESSED
    rows = tuple(
        FrSummary(
            fr=fr,
            target=target[fr],
            capability=capability[fr],
            capped_by_target=capability[fr] == target[fr] < sl.MAX_LEVEL,
            total=totals[fr],
            satisfied=satisfied[fr],
            not_assessed=unassessed[fr],
        )
        for fr in FR_CODES
    )
    return capability, rows


def component_summary(assessment: ComponentAssessment) -> ComponentSummary:
    """The summary of a component assessment: two queries whatever its size (the statuses, and the pinned
    catalogue's rows once per process)."""
    type_items = component_scope(assessment.catalogue, assessment.product.component_type, FULL)
    statuses = dict(ComponentResult.objects.filter(assessment=assessment).values_list("requirement_id", "status"))
    capability, rows = summarize(type_items, statuses, assessment.sl_target)
    counts = dict.fromkeys(ResultStatus.values, 0)
    counts.update(Counter(statuses.values()))
    return ComponentSummary(
        sl_target=assessment.sl_target,
        sl_capability=capability,
        counts=counts,
        per_fr=rows,
        progress=sl.progress(statuses.values()),
    )
