"""How far an assessment covers a framework: a pure function over plain rows (no database), so that the API,
the page, the exports and the PDF answer the same and the rules are tested on their own (decision 0031).

An item's coverage, from the assessment's in-scope results of the 62443-3-3 items it maps to:
- `no_counterpart`: the item maps to nothing in 62443-3-3 (outside its reach: not a gap);
- `out_of_scope`: it maps, but no mapped item is required of any zone or conduit in scope;
- `not_assessed`: every mapped in-scope result is still not assessed;
- `covered`: every mapped in-scope result is satisfied (met, compensated or not applicable: compliance.sl);
- `not_covered`: none is satisfied and at least one has been assessed;
- `partial`: otherwise, i.e. some are satisfied and some are not (assessed or not yet).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from alignment.choices import Coverage
from compliance.sl import NOT_ASSESSED, is_satisfied


@dataclass(frozen=True)
class MappingRow:
    """One mapping of a framework item: the relationship and the 62443-3-3 ids it names."""

    relationship: str
    refs: tuple[str, ...]
    rationale: str = ""
    source: str = ""


@dataclass(frozen=True)
class ItemRow:
    """A framework item as coverage needs it."""

    ref: str
    title: str
    group: str = ""
    group_title: str = ""
    no_counterpart: str = ""
    mappings: tuple[MappingRow, ...] = ()

    @property
    def refs(self) -> tuple[str, ...]:
        """Every 62443-3-3 id the item maps to, once each, in the order the mappings give them."""
        return tuple(dict.fromkeys(ref for m in self.mappings for ref in m.refs))

    @property
    def relationships(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.relationship for m in self.mappings))


class ResultRow(NamedTuple):
    """One in-scope result of the assessment: which 62443-3-3 item, of which zone or conduit, its status.
    A named tuple, not a dataclass: thousands are made per request, and tuples are the cheapest to make and
    to collect."""

    id: uuid.UUID
    ref: str
    status: str
    target_id: uuid.UUID
    target_name: str
    target_kind: str  # "zone" or "conduit"


@dataclass(frozen=True)
class ItemCoverage:
    item: ItemRow
    coverage: str
    results: tuple[ResultRow, ...]

    @property
    def status_counts(self) -> dict[str, int]:
        """The mapped results per status (only the statuses that occur)."""
        return dict(Counter(r.status for r in self.results))


@dataclass
class FrameworkCoverage:
    """Every item of one framework with its coverage, and how many items have each coverage."""

    items: list[ItemCoverage] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Items per coverage, every coverage present (zero included), in the order of `Coverage`."""
        found = Counter(i.coverage for i in self.items)
        return {value: found.get(value, 0) for value in Coverage.values}


def coverage_of(results: Sequence[ResultRow]) -> str:
    """The coverage of an item that maps to something, given its mapped in-scope results."""
    if not results:
        return Coverage.OUT_OF_SCOPE
    satisfied = sum(1 for r in results if is_satisfied(r.status))
    if satisfied == len(results):
        return Coverage.COVERED
    if all(r.status == NOT_ASSESSED for r in results):
        return Coverage.NOT_ASSESSED
    if satisfied == 0:
        return Coverage.NOT_COVERED
    return Coverage.PARTIAL


def framework_coverage(items: Iterable[ItemRow], results: Iterable[ResultRow]) -> FrameworkCoverage:
    """Each item's coverage from the assessment's in-scope `results` (any others must be left out by the
    caller). Results keep their given order within an item."""
    by_ref: dict[str, list[ResultRow]] = {}
    for result in results:
        by_ref.setdefault(result.ref, []).append(result)
    report = FrameworkCoverage()
    for item in items:
        if not item.mappings:
            report.items.append(ItemCoverage(item, Coverage.NO_COUNTERPART, ()))
            continue
        mapped = tuple(r for ref in item.refs for r in by_ref.get(ref, ()))
        report.items.append(ItemCoverage(item, coverage_of(mapped), mapped))
    return report
