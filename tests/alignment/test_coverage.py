"""alignment.coverage: the six coverage values from plain rows, no database."""

from __future__ import annotations

import uuid

import pytest

from alignment.coverage import ItemRow, MappingRow, ResultRow, coverage_of, framework_coverage


def result(ref: str, status: str, target: str = "Zone 1") -> ResultRow:
    return ResultRow(uuid.uuid4(), ref, status, uuid.uuid5(uuid.NAMESPACE_DNS, target), target, "zone")


def item(ref: str, *refs: str) -> ItemRow:
    mappings = (MappingRow("equivalent", refs),) if refs else ()
    return ItemRow(ref=ref, title=f"Item {ref}", no_counterpart="" if refs else "Governance", mappings=mappings)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "out_of_scope"),
        (["met", "compensated", "not_applicable"], "covered"),
        (["not_assessed", "not_assessed"], "not_assessed"),
        (["not_met", "partially_met"], "not_covered"),
        (["not_met", "not_assessed"], "not_covered"),  # none satisfied, one assessed
        (["met", "not_met"], "partial"),
        (["met", "not_assessed"], "partial"),  # some satisfied, the rest not assessed yet
        (["partially_met"], "not_covered"),  # partly met is not satisfied (compliance.sl)
    ],
)
def test_coverage_of_mapped_results(statuses: list[str], expected: str) -> None:
    assert coverage_of([result("SR 1.1", s, f"Zone {n}") for n, s in enumerate(statuses)]) == expected


def test_an_item_without_mappings_is_outside_62443s_reach_not_a_gap() -> None:
    report = framework_coverage([item("GV-1")], [result("SR 1.1", "not_met")])
    assert report.items[0].coverage == "no_counterpart"
    assert report.items[0].results == ()


def test_results_are_matched_by_id_across_every_mapping_and_counted_per_status() -> None:
    two = ItemRow(
        ref="X-1",
        title="Two mappings",
        mappings=(MappingRow("subset_of", ("SR 1.1",)), MappingRow("intersects_with", ("SR 1.1", "SR 2.1"))),
    )
    rows = [result("SR 1.1", "met", "A"), result("SR 1.1", "met", "B"), result("SR 2.1", "not_met", "A")]
    rows.append(result("SR 3.1", "not_met", "A"))  # not mapped: ignored
    report = framework_coverage([two], rows)
    entry = report.items[0]
    assert two.refs == ("SR 1.1", "SR 2.1")  # each id once, in mapping order
    assert two.relationships == ("subset_of", "intersects_with")
    assert entry.coverage == "partial"
    assert [r.ref for r in entry.results] == ["SR 1.1", "SR 1.1", "SR 2.1"]
    assert entry.status_counts == {"met": 2, "not_met": 1}


def test_counts_name_every_coverage_even_when_zero() -> None:
    report = framework_coverage([item("A", "SR 1.1"), item("B")], [result("SR 1.1", "met")])
    assert report.counts == {
        "covered": 1, "partial": 0, "not_covered": 0, "not_assessed": 0, "out_of_scope": 0, "no_counterpart": 1,
    }  # fmt: skip
