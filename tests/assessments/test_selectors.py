"""Assessment selectors: the summary (SL-T, SL-A, gap, counts, progress, heat-map cells), what
out-of-scope results count for, and constant query counts whatever the size of the plant."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from assessments.selectors import (
    catalogue_items,
    counting_assessments,
    counting_key,
    required_items,
    results_for,
    summary,
)
from compliance.choices import FR_CODES
from compliance.models import Requirement
from compliance.sl import SLVector
from tests.assessments.helpers import (
    Plant,
    current_catalogue,
    make_assessment,
    make_plant,
    mark,
    record,
    result_for,
    results_of,
    set_target,
    uniform,
)
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

NOTHING = dict.fromkeys(ResultStatus.values, 0)


@pytest.fixture
def plant(personas: Personas) -> Plant:
    # Zone 1 at SL-T 2 everywhere, Zone 2 at 1 everywhere, a conduit between them.
    return make_plant(personas.site, [uniform(2), uniform(1)], conduit_slt="{1,1,0,0,2,0,0}")


@pytest.fixture
def assessment(personas: Personas, plant: Plant) -> Assessment:
    return make_assessment(personas.site, personas.consultant)


def warm_catalogue() -> None:
    catalogue_items(current_catalogue().pk)


def test_untouched_summary(plant: Plant, assessment: Assessment) -> None:
    result = summary(assessment)
    assert [t.name for t in result.zones] == ["Zone 1", "Zone 2"]
    assert [t.name for t in result.conduits] == ["Conduit 1-2"]
    zone1, zone2 = result.zones
    assert zone1.kind == "zone" and result.conduits[0].kind == "conduit"
    assert zone1.standing.target == SLVector.uniform(2)
    assert zone1.standing.achieved == SLVector.uniform(0)
    assert zone1.standing.gap == SLVector.uniform(2)
    assert zone1.counts == {**NOTHING, "not_assessed": 60}
    assert (zone1.progress.assessed, zone1.progress.total, zone1.progress.percent) == (0, 60, 0)
    assert zone2.counts == {**NOTHING, "not_assessed": 37}
    assert zone1.out_of_scope == 0
    conduit = result.conduits[0]
    assert conduit.standing.gap == SLVector.parse("{1,1,0,0,2,0,0}")
    assert conduit.standing.at_target is False
    assert result.progress.total == 60 + 37 + conduit.progress.total
    assert result.at_target == 0


def test_summary_after_findings(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    zone1 = plant.zones[0]
    owner = personas.owner
    mark(assessment, zone1, "met", owner, fr="FR1", max_level=2)  # 16 items: FR1 reaches 2
    mark(assessment, zone1, "met", owner, fr="FR2", max_level=1)  # FR2 reaches 1 ...
    record(result_for(assessment, zone1, "SR 2.1 RE 1"), "partially_met", owner)  # ... and no more (an SL2 RE)
    record(result_for(assessment, zone1, "SR 3.1"), "compensated", owner)
    record(result_for(assessment, zone1, "SR 3.2"), "not_applicable", owner)
    record(result_for(assessment, zone1, "SR 3.3"), "not_met", owner)
    fr2_sl1 = results_of(assessment, zone1).filter(requirement__fr_id="FR2", requirement__lowest_sl=1).count()
    fr1 = results_of(assessment, zone1).filter(requirement__fr_id="FR1").count()
    assert fr1 == 16  # 10 at SL1, 6 at SL2

    result = summary(assessment)
    z1 = result.zones[0]
    assert z1.standing.target == SLVector.uniform(2)
    assert z1.standing.achieved == SLVector.of(2, 1, 0, 0, 0, 0, 0)
    assert z1.standing.gap == SLVector.of(0, 1, 2, 2, 2, 2, 2)
    assert z1.standing.at_target is False
    assessed = fr1 + fr2_sl1 + 4
    assert z1.counts == {
        **NOTHING,
        "met": fr1 + fr2_sl1,
        "partially_met": 1,
        "compensated": 1,
        "not_applicable": 1,
        "not_met": 1,
        "not_assessed": 60 - assessed,
    }
    assert (z1.progress.assessed, z1.progress.total) == (assessed, 60)
    cells = {c.fr: c for c in z1.cells}
    assert list(cells) == ["FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7"]
    assert (cells["FR1"].target, cells["FR1"].achieved, cells["FR1"].gap) == (2, 2, 0)
    assert (cells["FR1"].assessed, cells["FR1"].total) == (16, 16)
    assert (cells["FR2"].achieved, cells["FR2"].gap, cells["FR2"].assessed) == (1, 1, fr2_sl1 + 1)
    assert (cells["FR3"].assessed, cells["FR3"].achieved) == (3, 0)
    assert sum(c.total for c in z1.cells) == 60
    # Zone 2 is untouched; the API form carries the same numbers.
    assert result.zones[1].counts == {**NOTHING, "not_assessed": 37}
    api = z1.as_api()
    assert api["sl_achieved"] == {"FR1": 2, "FR2": 1, "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0}
    assert api["gap"]["FR1"] == 0 and api["gap"]["FR3"] == 2
    assert api["progress"] == {"assessed": assessed, "total": 60}
    assert api["at_target"] is False


def test_a_zone_at_target(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    zone2 = plant.zones[1]
    mark(assessment, zone2, "met", personas.owner)
    result = summary(assessment)
    z2 = result.zones[1]
    assert z2.standing.achieved == SLVector.uniform(1)  # level-2 items are not assessed
    assert z2.standing.gap == SLVector.uniform(0)
    assert z2.standing.at_target is True
    assert (z2.progress.assessed, z2.progress.total, z2.progress.complete) == (37, 37, True)
    assert result.at_target == 1


def test_out_of_scope_results_count_for_sl_a_not_for_progress(
    personas: Personas, plant: Plant, assessment: Assessment
) -> None:
    """The rule chosen: recorded findings count for SL-A even when the target no longer requires
    them; counts and progress cover only what is in scope."""
    zone1 = plant.zones[0]
    mark(assessment, zone1, "met", personas.owner, fr="FR1")  # all 16 FR1 items up to SL2
    set_target(zone1, "{1,2,2,2,2,2,2}")
    services.assessment_resync(assessment=assessment, by=personas.consultant)
    assert results_of(assessment, zone1).filter(in_scope=False).count() == 6

    z1 = summary(assessment).zones[0]
    assert z1.standing.target["FR1"] == 1
    assert z1.standing.achieved["FR1"] == 2  # the out-of-scope SL2 findings still count
    assert z1.standing.gap["FR1"] == 0
    assert z1.out_of_scope == 6
    assert z1.counts["met"] == 10
    assert sum(z1.counts.values()) == 54
    assert (z1.progress.assessed, z1.progress.total) == (10, 54)
    fr1 = next(c for c in z1.cells if c.fr == "FR1")
    assert (fr1.target, fr1.achieved, fr1.gap, fr1.assessed, fr1.total) == (1, 2, 0, 10, 10)


def test_out_of_scope_unsatisfied_results_also_count(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    zone1 = plant.zones[0]
    mark(assessment, zone1, "met", personas.owner, fr="FR1", max_level=1)
    record(result_for(assessment, zone1, "SR 1.1 RE 1"), "not_met", personas.owner)
    set_target(zone1, "{1,2,2,2,2,2,2}")
    services.assessment_resync(assessment=assessment, by=personas.consultant)
    z1 = summary(assessment).zones[0]
    assert z1.standing.achieved["FR1"] == 1
    assert z1.standing.at_target is False  # other FRs
    assert z1.standing.gap["FR1"] == 0
    assert z1.counts["not_met"] == 0  # out of scope: not counted


def test_zone_out_of_scope_leaves_the_summary(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    services.assessment_update(assessment=assessment, by=personas.consultant, fields={}, zones=plant.zones[:1])
    result = summary(assessment)
    assert [t.name for t in result.zones] == ["Zone 1"]
    assert result.progress.total == 60 + result.conduits[0].progress.total


def test_required_items_matches_the_results(plant: Plant, assessment: Assessment) -> None:
    zone1 = plant.zones[0]
    required = required_items(assessment.catalogue_id, zone1.sl_target)
    assert len(required) == 60
    assert {i.id for i in required} == set(results_of(assessment, zone1).values_list("requirement_id", flat=True))
    refs = [i.ref for i in required]
    assert refs[:3] == ["SR 1.1", "SR 1.1 RE 1", "SR 1.2"]


@pytest.mark.parametrize("seed", range(8))
def test_summary_sl_a_agrees_with_a_recount(
    personas: Personas, plant: Plant, assessment: Assessment, seed: int
) -> None:
    """Random findings on every target; SL-A recounted from the Requirement rows, the primer's way."""
    rng = random.Random(seed)
    weights = {"met": 40, "compensated": 2, "not_applicable": 2, "partially_met": 1, "not_met": 1, "not_assessed": 1}
    for result_id in assessment.results.values_list("id", flat=True):
        status = rng.choices(list(weights), weights=list(weights.values()))[0]
        Result.objects.filter(pk=result_id).update(status=status)
    levels = dict(Requirement.objects.filter(catalogue=assessment.catalogue).values_list("id", "lowest_sl"))
    frs = dict(Requirement.objects.filter(catalogue=assessment.catalogue).values_list("id", "fr_id"))
    result = summary(assessment)
    for target, row in zip(plant.targets, result.targets, strict=True):
        assert row.id == target.pk
        found = {r.requirement_id: r.status for r in results_of(assessment, target)}
        expected = []
        for fr in FR_CODES:
            n = 0
            while n < 4 and all(
                found.get(req) in {"met", "compensated", "not_applicable"}
                for req, level in levels.items()
                if frs[req] == fr and level is not None and level <= n + 1
            ):
                n += 1
            expected.append(n)
        assert row.standing.achieved == SLVector.of(*expected), target.name
        assert row.standing.achieved.meets(target.sl_target) is row.standing.at_target
        assert sum(row.counts.values()) == len(found)
        assert row.progress.assessed == sum(1 for s in found.values() if s != "not_assessed")


def one_zone_and_six(
    personas: Personas, small: str, big: str, conduit: str
) -> tuple[Plant, Assessment, Plant, Assessment]:
    """A plant of one zone at SL-T `small` and one of six zones at `big` (with a conduit), each with its
    own assessment: query counts must be the same for both."""
    one_zone = make_plant(personas.site, [small], prefix="Small")
    one = make_assessment(personas.site, personas.consultant, zones=one_zone.zones, conduits=[])
    six_zones = make_plant(personas.site, [big] * 6, conduit_slt=conduit, prefix="Big")
    six = make_assessment(personas.site, personas.consultant, zones=six_zones.zones, conduits=six_zones.conduits)
    return one_zone, one, six_zones, six


def summary_queries(assessment: Assessment) -> int:
    warm_catalogue()
    with CaptureQueriesContext(connection) as ctx:
        summary(assessment)
    return len(ctx.captured_queries)


def test_summary_query_count_does_not_grow(personas: Personas) -> None:
    _, one, big, six = one_zone_and_six(personas, small=uniform(2), big=uniform(4), conduit=uniform(3))
    mark(six, big.zones[0], "met", personas.owner, fr="FR1")
    assert six.results.count() == 6 * 100 + 91
    baseline = summary_queries(one)
    assert baseline == 3  # results, zones, conduits
    assert summary_queries(six) == baseline


def results_queries(assessment: Assessment) -> int:
    with CaptureQueriesContext(connection) as ctx:
        rows = list(results_for(assessment))
        seen: list[Any] = [
            (r.requirement.ref, r.assignee, r.updated_by, r.zone or r.conduit, [e.pk for e in r.evidence.all()])
            for r in rows
        ]
    assert len(seen) == assessment.results.count()
    return len(ctx.captured_queries)


def test_results_for_query_count_does_not_grow(personas: Personas) -> None:
    small, one, big, six = one_zone_and_six(personas, small=uniform(1), big=uniform(2), conduit=uniform(2))
    for assessment, zone in ((one, small.zones[0]), (six, big.zones[0])):
        evidence = services.evidence_add(assessment=assessment, by=personas.owner, reference="DMS-1")
        for ref in ("SR 1.1", "SR 1.3"):
            services.result_update(
                result=result_for(assessment, zone, ref),
                by=personas.owner,
                fields={"status": "met", "assignee": personas.consultant},
                evidence=[evidence],
            )
    assert results_queries(one) == results_queries(six) == 2


def test_results_for_is_in_catalogue_order(plant: Plant, assessment: Assessment) -> None:
    rows = list(results_for(assessment))
    positions = [r.requirement.position for r in rows]
    assert positions == sorted(positions)
    assert rows[0].requirement.ref == "SR 1.1"
    assert {r.assessment_id for r in rows} == {assessment.pk}


# --- which assessment counts for a zone ---------------------------------------------------------------
def _with(assessment: Assessment, status: str, days_ago: int, signed_days_ago: int | None = None) -> Assessment:
    """Set up an assessment's status and dates directly: the rule reads them, not how they came to be."""
    now = timezone.now()
    signed = now - timedelta(days=signed_days_ago) if signed_days_ago is not None else None
    Assessment.objects.filter(pk=assessment.pk).update(
        status=status, created=now - timedelta(days=days_ago), signed_off_at=signed
    )
    assessment.refresh_from_db()
    return assessment


def test_counting_prefers_final_then_in_review_then_in_progress_never_a_draft(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1), uniform(1)], conduit_slt=uniform(1), prefix="Count")
    zone1, zone2 = plant.zones
    final = _with(make_assessment(personas.site, personas.consultant, title="Old"), "final", 300, 200)
    review = _with(make_assessment(personas.site, personas.consultant, title="Review"), "in_review", 30)
    progress = _with(make_assessment(personas.site, personas.consultant, zones=[zone2], conduits=[]), "in_progress", 1)
    _with(make_assessment(personas.site, personas.consultant, title="Draft", zones=[zone2], conduits=[]), "draft", 0)
    counting = counting_assessments(personas.site)
    # The signed-off standing is not wiped out by a newer assessment still under way.
    assert counting[zone1.pk] == counting[zone2.pk] == counting[plant.conduits[0].pk] == final
    Assessment.objects.filter(pk=final.pk).update(status="draft")
    counting = counting_assessments(personas.site)
    assert counting[zone1.pk] == counting[zone2.pk] == review
    Result.objects.filter(assessment=review, zone=zone2).update(in_scope=False)  # zone 2 left its scope
    assert counting_assessments(personas.site)[zone2.pk] == progress
    assert counting_assessments(personas.other_site) == {}


def test_of_two_final_assessments_the_latest_signed_off_counts(personas: Personas) -> None:
    (zone,) = make_plant(personas.site, [uniform(1)], prefix="Signed").zones
    older = _with(make_assessment(personas.site, personas.consultant, zones=[zone], conduits=[]), "final", 10, 5)
    newer = _with(make_assessment(personas.site, personas.consultant, zones=[zone], conduits=[]), "final", 20, 2)
    assert counting_assessments(personas.site)[zone.pk] == newer != older
    assert counting_key("final", None, newer.created) == (3, newer.created)
    assert counting_key("draft", None, newer.created) is None


def test_counting_assessments_reads_in_two_queries(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1)] * 4, prefix="Many")
    for n in range(3):
        _with(make_assessment(personas.site, personas.consultant, zones=plant.zones, conduits=[]), "in_review", n)
    with CaptureQueriesContext(connection) as ctx:
        counting = counting_assessments(personas.site)
    assert len(ctx.captured_queries) == 2 and len(counting) == 4
