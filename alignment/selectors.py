"""The reads of regulatory alignment, each in a fixed number of queries whatever the number of results:
a framework's items with their mappings (3 queries the first time, then cached per process), an assessment's
in-scope results of the mapped ids (1 query), and the mappings of a page of catalogue items (1 query)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Prefetch, QuerySet

from alignment.coverage import FrameworkCoverage, ItemRow, MappingRow, ResultRow, framework_coverage
from alignment.models import Framework, FrameworkItem, Mapping, MappingTarget
from assessments.choices import TargetKind
from assessments.models import Assessment, Result


def frameworks() -> QuerySet[Framework]:
    """Every loaded framework with its number of items and of items without a 62443 counterpart."""
    return Framework.objects.annotate(item_count=Count("items", distinct=True)).order_by("short_name")


def item_rows(framework: Framework) -> tuple[ItemRow, ...]:
    """The framework's items in file order, each with its mappings and their 62443-3-3 ids.

    Cached per process by the framework's content hash: a loaded version never changes (the loader refuses
    changed content without a new version, and a new version changes the hash), so no query after the first."""
    return _item_rows(framework.pk, framework.sha256)


@lru_cache(maxsize=16)
def _item_rows(framework_id: uuid.UUID, sha256: str) -> tuple[ItemRow, ...]:
    items = (
        FrameworkItem.objects.filter(framework_id=framework_id)
        .select_related("group")
        .prefetch_related(Prefetch("mappings", queryset=Mapping.objects.prefetch_related("targets")))
    )
    return tuple(
        ItemRow(
            ref=item.ref,
            title=item.title,
            group=item.group.ref if item.group else "",
            group_title=item.group.title if item.group else "",
            no_counterpart=item.no_counterpart,
            mappings=tuple(
                MappingRow(m.relationship, tuple(t.ref for t in m.targets.all()), m.rationale, m.source)
                for m in item.mappings.all()
            ),
        )
        for item in items
    )


def result_rows(assessment: Assessment, refs: Iterable[str]) -> list[ResultRow]:
    """The assessment's in-scope results of the 62443-3-3 ids `refs`, zones before conduits, by name."""
    wanted = set(refs)
    if not wanted:
        return []
    rows = (
        Result.objects.filter(assessment=assessment, in_scope=True, requirement__ref__in=wanted)
        .values_list("pk", "requirement__ref", "status", "zone_id", "zone__name", "conduit_id", "conduit__name")
        .order_by()
    )
    out = [
        ResultRow(pk, ref, status, zone_id, zone_name, TargetKind.ZONE)
        if zone_id is not None
        else ResultRow(pk, ref, status, conduit_id, conduit_name, TargetKind.CONDUIT)
        for pk, ref, status, zone_id, zone_name, conduit_id, conduit_name in rows
    ]
    out.sort(key=lambda r: (r.target_kind != TargetKind.ZONE, r.target_name.casefold(), str(r.target_id)))
    return out


@dataclass
class AssessmentCoverage:
    """One framework's coverage by one assessment: what the API, the page and the exports show."""

    framework: Framework
    coverage: FrameworkCoverage


def coverage_for(assessment: Assessment, framework: Framework) -> AssessmentCoverage:
    """The coverage of `framework` by `assessment` (the caller has read both through the door)."""
    items = item_rows(framework)
    results = result_rows(assessment, (ref for item in items for ref in item.refs))
    return AssessmentCoverage(framework, framework_coverage(items, results))


def coverages_for(assessment: Assessment, keys: Iterable[str]) -> list[AssessmentCoverage]:
    """The coverage of each framework of `keys` that is loaded, in the order given (the PDF's chapter):
    the results are read once for all of them."""
    by_key = {f.key: f for f in Framework.objects.filter(key__in=list(keys))}
    chosen = [by_key[key] for key in dict.fromkeys(keys) if key in by_key]
    items = {f.key: item_rows(f) for f in chosen}
    results = result_rows(assessment, (ref for rows in items.values() for item in rows for ref in item.refs))
    return [AssessmentCoverage(f, framework_coverage(items[f.key], results)) for f in chosen]


@dataclass(frozen=True)
class CatalogueMapping:
    """A framework item a 62443-3-3 item maps to, as the catalogue page lists it."""

    framework: str  # short name
    framework_key: str
    item: str
    item_title: str
    relationship: str
    relationship_label: str


def mappings_by_ref(refs: Iterable[str]) -> dict[str, list[CatalogueMapping]]:
    """For each 62443-3-3 id of `refs`, the framework items that map to it (framework, then file order)."""
    rows = (
        MappingTarget.objects.filter(ref__in=set(refs))
        .select_related("mapping__item__framework")
        .order_by("mapping__item__framework__short_name", "mapping__item__position", "mapping__position")
    )
    out: dict[str, list[CatalogueMapping]] = defaultdict(list)
    for row in rows:
        mapping = row.mapping
        item = mapping.item
        out[row.ref].append(
            CatalogueMapping(
                framework=item.framework.short_name,
                framework_key=item.framework.key,
                item=item.ref,
                item_title=item.title,
                relationship=mapping.relationship,
                relationship_label=mapping.get_relationship_display(),
            )
        )
    return dict(out)
