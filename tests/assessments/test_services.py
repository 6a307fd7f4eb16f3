"""Assessment services: creation and scope, re-sync, findings, the status life cycle and sign-off,
comments, evidence, and what is published live after commit."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import live, services
from assessments.choices import AssessmentStatus
from assessments.models import Assessment, Comment, Evidence, Result
from assessments.selectors import results_as_of, resync_plan, signed_off_state
from compliance.choices import Part
from compliance.sl import SLVector
from core.versioning import StaleObjectError
from tests.assessments.helpers import (
    Plant,
    current_catalogue,
    expected_requirements,
    make_assessment,
    make_plant,
    make_zone,
    record,
    result_for,
    results_of,
    set_target,
    uniform,
)
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def plant(personas: Personas) -> Plant:
    make_plant(personas.other_site, [uniform(3)], None)  # noise in the other organization
    return make_plant(personas.site, ["{2,2,1,1,3,1,2}", uniform(1)], conduit_slt="{1,2,0,0,3,0,1}")


@pytest.fixture
def assessment(personas: Personas, plant: Plant) -> Assessment:
    return make_assessment(personas.site, personas.consultant)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def error_keys(excinfo: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(excinfo.value.message_dict) if hasattr(excinfo.value, "error_dict") else set()


def to_final(assessment: Assessment, by: Any) -> Assessment:
    for status in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW, AssessmentStatus.FINAL):
        assessment = services.assessment_transition(assessment=assessment, to=status, by=by, reason="test")
    return assessment


def resync_and_reread(assessment: Assessment, result: Result, by: Any) -> tuple[bool, str, str]:
    """Re-sync the assessment, then re-read whether the result is in scope and what it records."""
    services.assessment_resync(assessment=assessment, by=by)
    result.refresh_from_db()
    return result.in_scope, result.status, result.observations


# --- assessment_create -------------------------------------------------------------------------------
def test_create_defaults_scope_to_the_whole_site(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    assert set(assessment.zones.all()) == set(plant.zones)
    assert set(assessment.conduits.all()) == set(plant.conduits)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.created_by == personas.consultant
    assert assessment.version == 1


def test_create_pins_the_current_3_3_catalogue(assessment: Assessment) -> None:
    assert assessment.catalogue == current_catalogue()
    assert assessment.catalogue.part == Part.SYSTEM
    assert assessment.catalogue.is_current is True


def test_create_makes_exactly_the_required_results(plant: Plant, assessment: Assessment) -> None:
    total = 0
    for target in plant.targets:
        expected = expected_requirements(target.sl_target)
        assert expected  # every target here has something to cover
        got = list(results_of(assessment, target).values_list("requirement_id", flat=True))
        assert len(got) == len(set(got))
        assert set(got) == expected
        total += len(expected)
    assert assessment.results.count() == total
    assert set(assessment.results.values_list("status", "in_scope", "version")) == {("not_assessed", True, 1)}


@pytest.mark.parametrize(("level", "count"), [(0, 0), (1, 37), (2, 60), (3, 91), (4, 100)])
def test_create_counts_per_uniform_target(personas: Personas, level: int, count: int) -> None:
    plant = make_plant(personas.site, [uniform(level)])
    assessment = make_assessment(personas.site, personas.consultant)
    assert results_of(assessment, plant.zones[0]).count() == count


def test_create_with_an_explicit_scope(personas: Personas, plant: Plant) -> None:
    assessment = make_assessment(personas.site, personas.consultant, zones=[plant.zones[1]], conduits=[])
    assert list(assessment.zones.all()) == [plant.zones[1]]
    assert list(assessment.conduits.all()) == []
    assert assessment.results.count() == 37
    assert set(assessment.results.values_list("zone_id", flat=True)) == {plant.zones[1].pk}


def test_create_refuses_zones_and_conduits_of_another_site(personas: Personas, plant: Plant) -> None:
    foreign = make_plant(personas.other_site, [uniform(1), uniform(1)], conduit_slt=uniform(1), prefix="Foreign")
    with pytest.raises(ValidationError) as excinfo:
        make_assessment(personas.site, personas.consultant, zones=[plant.zones[0], foreign.zones[0]])
    assert error_keys(excinfo) == {"zones"}
    with pytest.raises(ValidationError) as excinfo:
        make_assessment(personas.site, personas.consultant, conduits=foreign.conduits)
    assert error_keys(excinfo) == {"conduits"}
    assert Assessment.objects.count() == 0


def test_create_refuses_people_from_outside_the_organization(personas: Personas, plant: Plant) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_create(site=personas.site, title="T", by=personas.consultant, team=[personas.outsider])
    assert error_keys(excinfo) == {"team"}
    with pytest.raises(ValidationError) as excinfo:
        make_assessment(personas.site, personas.consultant, lead=personas.outsider)
    assert error_keys(excinfo) == {"lead"}
    assert Assessment.objects.count() == 0
    ok = services.assessment_create(
        site=personas.site, title="T", by=personas.admin, lead=personas.consultant, team=[personas.owner]
    )
    assert ok.lead == personas.consultant
    assert list(ok.team.all()) == [personas.owner]


def test_create_refuses_end_before_start(personas: Personas, plant: Plant) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_assessment(
            personas.site, personas.consultant, planned_start=date(2025, 3, 10), planned_end=date(2025, 3, 1)
        )
    assert error_keys(excinfo) == {"planned_end"}
    assert Assessment.objects.count() == 0


def test_create_refuses_unknown_fields(personas: Personas, plant: Plant) -> None:
    with pytest.raises(ValidationError, match="Unknown fields: status"):
        make_assessment(personas.site, personas.consultant, status="final")


# --- re-sync -------------------------------------------------------------------------------------------
def test_raising_a_target_adds_the_new_items(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    zone = plant.zones[1]  # uniform 1
    before = results_of(assessment, zone).count()
    set_target(zone, "{2,1,1,1,1,1,1}")
    expected_new = expected_requirements(zone.sl_target) - expected_requirements(SLVector.uniform(1))
    assert len(expected_new) == 6  # FR1 items selected at SL2
    plan = resync_plan(assessment)
    assert {(kind, target, req) for kind, target, req in plan.add} == {("zone", zone.pk, r) for r in expected_new}
    assert plan.retire == [] and plan.restore == []
    assert services.assessment_resync(assessment=assessment, by=personas.consultant).add == plan.add
    assert set(results_of(assessment, zone).values_list("requirement_id", flat=True)) == expected_requirements(
        zone.sl_target
    )
    assert results_of(assessment, zone).count() == before + 6
    assert Assessment.objects.get(pk=assessment.pk).version == 2
    assert resync_plan(assessment).empty


def test_lowering_a_target_keeps_data_and_raising_restores_it(
    personas: Personas, plant: Plant, assessment: Assessment
) -> None:
    zone = plant.zones[0]  # {2,2,1,1,3,1,2}
    result = result_for(assessment, zone, "SR 1.1 RE 1")  # FR1, SL2
    finding = ("partially_met", "Shared accounts on the HMIs")
    record(result, finding[0], personas.owner, observations=finding[1])
    count = results_of(assessment, zone).count()

    set_target(zone, "{1,2,1,1,3,1,2}")
    plan = resync_plan(assessment)
    fr1_level2 = results_of(assessment, zone).filter(requirement__fr_id="FR1", requirement__lowest_sl=2)
    assert sorted(plan.retire) == sorted(fr1_level2.values_list("id", flat=True))
    assert len(plan.retire) == 6 and plan.add == []
    assert resync_and_reread(assessment, result, personas.consultant) == (False, *finding)
    assert results_of(assessment, zone).count() == count  # nothing deleted
    assert results_of(assessment, zone).filter(in_scope=False).count() == 6

    set_target(zone, "{2,2,1,1,3,1,2}")
    plan = resync_plan(assessment)
    assert sorted(plan.restore) == sorted(fr1_level2.values_list("id", flat=True))
    assert plan.add == [] and plan.retire == []
    assert resync_and_reread(assessment, result, personas.consultant) == (True, *finding)
    assert results_of(assessment, zone).filter(in_scope=False).count() == 0
    assert results_of(assessment, zone).count() == count


def test_resync_without_changes_changes_nothing(personas: Personas, assessment: Assessment) -> None:
    plan = services.assessment_resync(assessment=assessment, by=personas.consultant)
    assert plan.empty
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_removing_a_zone_from_scope_marks_its_results_out_of_scope(
    personas: Personas, plant: Plant, assessment: Assessment
) -> None:
    kept, removed = plant.zones
    record(result_for(assessment, removed, "SR 1.1"), "met", personas.owner)
    updated = services.assessment_update(
        assessment=assessment, by=personas.consultant, fields={}, zones=[kept], expected_version=1
    )
    assert list(updated.zones.all()) == [kept]
    assert updated.version == 2
    assert results_of(assessment, removed).count() == 37
    assert results_of(assessment, removed).filter(in_scope=True).count() == 0
    assert result_for(assessment, removed, "SR 1.1").status == "met"
    assert results_of(assessment, kept).filter(in_scope=False).count() == 0
    # and back in scope: the finding is still there
    services.assessment_update(assessment=assessment, by=personas.consultant, fields={}, zones=plant.zones)
    assert results_of(assessment, removed).filter(in_scope=True).count() == 37
    assert result_for(assessment, removed, "SR 1.1").status == "met"


def test_update_refuses_foreign_zones_outsiders_and_stale_versions(
    personas: Personas, plant: Plant, assessment: Assessment
) -> None:
    foreign = make_zone(personas.other_site, "Foreign")
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_update(assessment=assessment, by=personas.consultant, fields={}, zones=[foreign])
    assert error_keys(excinfo) == {"zones"}
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_update(
            assessment=assessment, by=personas.consultant, fields={}, team=[personas.owner, personas.outsider]
        )
    assert error_keys(excinfo) == {"team"}
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_update(assessment=assessment, by=personas.consultant, fields={"lead": personas.outsider})
    assert error_keys(excinfo) == {"lead"}
    with pytest.raises(StaleObjectError):
        services.assessment_update(
            assessment=assessment, by=personas.consultant, fields={"title": "X"}, expected_version=7
        )
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert (fresh.title, fresh.version, fresh.lead) == ("Gap assessment 2025", 1, None)
    assert set(fresh.zones.all()) == set(plant.zones)


# --- result_update -------------------------------------------------------------------------------------
def test_compensated_needs_a_countermeasure(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(result=result, by=personas.owner, fields={"status": "compensated"})
    assert error_keys(excinfo) == {"countermeasure"}
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(
            result=result, by=personas.owner, fields={"status": "compensated", "countermeasure": " "}
        )
    assert error_keys(excinfo) == {"countermeasure"}
    result.refresh_from_db()
    assert (result.status, result.version) == ("not_assessed", 1)
    done = services.result_update(
        result=result, by=personas.owner, fields={"status": "compensated", "countermeasure": "Jump host"}
    )
    assert (done.status, done.countermeasure) == ("compensated", "Jump host")


def test_not_applicable_needs_a_justification(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(result=result, by=personas.owner, fields={"status": "not_applicable"})
    assert error_keys(excinfo) == {"justification"}
    done = services.result_update(
        result=result, by=personas.owner, fields={"status": "not_applicable", "justification": "No remote access"}
    )
    assert done.status == "not_applicable"


def test_result_update_versions_author_and_history(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    history = result.history.count()
    assert history == 1  # created with history
    first = services.result_update(
        result=result, by=personas.owner, fields={"status": "met", "observations": "AD accounts"}, expected_version=1
    )
    assert (first.version, first.updated_by, first.status) == (2, personas.owner, "met")
    second = services.result_update(
        result=result, by=personas.consultant, fields={"status": "not_met"}, expected_version=2
    )
    assert (second.version, second.updated_by) == (3, personas.consultant)
    assert result.history.count() == history + 2
    assert [h.status for h in result.history.order_by("history_date")] == ["not_assessed", "met", "not_met"]
    stored = Result.objects.get(pk=result.pk)
    assert (stored.status, stored.observations, stored.version) == ("not_met", "AD accounts", 3)


def test_result_update_refuses_a_stale_version(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    services.result_update(result=result, by=personas.owner, fields={"status": "met"}, expected_version=1)
    with pytest.raises(StaleObjectError):
        services.result_update(result=result, by=personas.consultant, fields={"status": "not_met"}, expected_version=1)
    stored = Result.objects.get(pk=result.pk)
    assert (stored.status, stored.version, stored.updated_by) == ("met", 2, personas.owner)


def test_result_update_refuses_unknown_fields_and_statuses(
    personas: Personas, plant: Plant, assessment: Assessment
) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    with pytest.raises(ValidationError, match="Unknown fields: in_scope"):
        services.result_update(result=result, by=personas.owner, fields={"in_scope": False})
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(result=result, by=personas.owner, fields={"status": "done"})
    assert error_keys(excinfo) == {"status"}


def test_result_update_assignee_must_be_a_member(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(result=result, by=personas.consultant, fields={"assignee": personas.outsider})
    assert error_keys(excinfo) == {"assignee"}
    done = services.result_update(result=result, by=personas.consultant, fields={"assignee": personas.owner})
    assert Result.objects.get(pk=done.pk).assignee == personas.owner


def test_result_update_links_only_own_evidence(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    other = make_assessment(personas.site, personas.consultant, title="Other")
    foreign = services.evidence_add(assessment=other, by=personas.consultant, reference="DMS-2")
    own = services.evidence_add(assessment=assessment, by=personas.consultant, reference="DMS-1")
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(result=result, by=personas.owner, fields={"status": "met"}, evidence=[own, foreign])
    assert error_keys(excinfo) == {"evidence"}
    assert Result.objects.get(pk=result.pk).status == "not_assessed"
    services.result_update(result=result, by=personas.owner, fields={"status": "met"}, evidence=[own])
    assert list(Result.objects.get(pk=result.pk).evidence.all()) == [own]


# --- status life cycle and sign-off ----------------------------------------------------------------------
def test_the_allowed_path_to_final(personas: Personas, assessment: Assessment) -> None:
    moved = services.assessment_transition(assessment=assessment, to="in_progress", by=personas.owner)
    assert (moved.status, moved.actual_start, moved.version) == ("in_progress", timezone.localdate(), 2)
    moved = services.assessment_transition(assessment=moved, to="in_review", by=personas.owner, expected_version=2)
    assert moved.status == "in_review"
    moved = services.assessment_transition(assessment=moved, to="final", by=personas.consultant, reason="test")
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.status == "final" and stored.is_final
    assert stored.signed_off_by == personas.consultant
    assert stored.signed_off_at is not None
    assert abs((timezone.now() - stored.signed_off_at).total_seconds()) < 60
    assert stored.actual_end == timezone.localdate()


def test_going_back_is_allowed_before_final(personas: Personas, assessment: Assessment) -> None:
    moved = services.assessment_transition(assessment=assessment, to="in_progress", by=personas.owner)
    moved = services.assessment_transition(assessment=moved, to="draft", by=personas.owner)
    assert moved.status == "draft"
    moved = services.assessment_transition(assessment=moved, to="in_progress", by=personas.owner)
    moved = services.assessment_transition(assessment=moved, to="in_review", by=personas.owner)
    moved = services.assessment_transition(assessment=moved, to="in_progress", by=personas.owner)
    assert moved.status == "in_progress"


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], "in_review"),
        ([], "final"),
        (["in_progress"], "final"),
        (["in_progress", "in_review"], "draft"),
        ([], "cancelled"),
    ],
)
def test_illegal_jumps_are_refused(personas: Personas, assessment: Assessment, path: list[str], to: str) -> None:
    for step in path:
        assessment = services.assessment_transition(assessment=assessment, to=step, by=personas.consultant)
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_transition(assessment=assessment, to=to, by=personas.admin)
    assert error_keys(excinfo) == {"status"}
    assert Assessment.objects.get(pk=assessment.pk).status == (path[-1] if path else "draft")


def test_a_final_assessment_cannot_move(personas: Personas, assessment: Assessment) -> None:
    final = to_final(assessment, personas.consultant)
    for to in ("draft", "in_progress"):  # in_review is a reopening: tests/assessments/test_signoff.py
        with pytest.raises(ValidationError) as excinfo:
            services.assessment_transition(assessment=final, to=to, by=personas.admin)
        assert error_keys(excinfo) == {"status"}
        assert "signed off" in str(excinfo.value)
    assert Assessment.objects.get(pk=assessment.pk).status == "final"


def test_transition_refuses_a_stale_version(personas: Personas, assessment: Assessment) -> None:
    services.assessment_transition(assessment=assessment, to="in_progress", by=personas.owner)
    with pytest.raises(StaleObjectError):
        services.assessment_transition(assessment=assessment, to="draft", by=personas.owner, expected_version=1)


@pytest.mark.parametrize(("name", "allowed"), [("owner", False), ("auditor", False), ("outsider", False),
                                               ("consultant", True), ("admin", True)])  # fmt: skip
def test_who_may_sign_off(personas: Personas, assessment: Assessment, name: str, allowed: bool) -> None:
    assessment = services.assessment_transition(assessment=assessment, to="in_progress", by=personas.owner)
    assessment = services.assessment_transition(assessment=assessment, to="in_review", by=personas.owner)
    user = personas.by_name(name)
    if allowed:
        moved = services.assessment_transition(assessment=assessment, to="final", by=user, reason="test")
        assert moved.signed_off_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.assessment_transition(assessment=assessment, to="final", by=user, reason="test")
        stored = Assessment.objects.get(pk=assessment.pk)
        assert (stored.status, stored.signed_off_at, stored.signed_off_by) == ("in_review", None, None)


def test_after_sign_off_nothing_changes(personas: Personas, plant: Plant, assessment: Assessment, media: Path) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    evidence = services.evidence_add(assessment=assessment, by=personas.consultant, reference="DMS-1")
    stale = Assessment.objects.get(pk=assessment.pk)  # a copy read before the sign-off
    to_final(assessment, personas.consultant)
    set_target(plant.zones[1], uniform(2))  # something for a re-sync to do

    writes = {
        "result_update": lambda: services.result_update(result=result, by=personas.owner, fields={"status": "met"}),
        "comment_add": lambda: services.comment_add(result=result, author=personas.owner, body="Late remark"),
        "evidence_add (reference)": lambda: services.evidence_add(
            assessment=stale, by=personas.owner, reference="DMS-9"
        ),
        "evidence_add (file)": lambda: services.evidence_add(
            assessment=stale, by=personas.owner, file=SimpleUploadedFile("late.pdf", PDF, "application/pdf")
        ),
        "evidence_link": lambda: services.evidence_link(evidence=evidence, results=[result], by=personas.owner),
        "assessment_update": lambda: services.assessment_update(
            assessment=stale, by=personas.consultant, fields={"title": "Changed"}
        ),
        "assessment_resync": lambda: services.assessment_resync(assessment=stale, by=personas.consultant),
    }
    not_refused = []
    for name, write in writes.items():
        try:
            write()
        except ValidationError as exc:
            assert "read-only" in str(exc), name
        else:
            not_refused.append(name)
    assert not_refused == []

    final = Assessment.objects.get(pk=assessment.pk)
    assert (final.title, final.status) == ("Gap assessment 2025", "final")
    assert Result.objects.get(pk=result.pk).status == "not_assessed"
    assert Comment.objects.count() == 0
    assert list(Evidence.objects.values_list("reference", flat=True)) == ["DMS-1"]
    assert list(evidence.results.all()) == []
    assert results_of(assessment, plant.zones[1]).count() == 37
    assert list(media.rglob("*.pdf")) == []


def test_results_as_of_rebuilds_an_earlier_moment(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    created = timezone.now()
    time.sleep(0.01)
    services.result_update(result=result, by=personas.owner, fields={"status": "partially_met", "observations": "A"})
    time.sleep(0.01)
    moment = timezone.now()
    time.sleep(0.01)
    services.result_update(result=result, by=personas.owner, fields={"status": "met", "observations": "B"})

    then = {r.pk: r for r in results_as_of(assessment, moment)}
    assert len(then) == assessment.results.count()
    assert (then[result.pk].status, then[result.pk].observations) == ("partially_met", "A")
    assert {r.status for pk, r in then.items() if pk != result.pk} == {"not_assessed"}
    at_creation = {r.pk: r for r in results_as_of(assessment, created)}
    assert at_creation[result.pk].status == "not_assessed"
    assert results_as_of(assessment, assessment.created - (moment - created) * 100) == []
    assert Result.objects.get(pk=result.pk).status == "met"


def test_signed_off_state_is_the_state_at_sign_off(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    assert signed_off_state(assessment) == []
    record(result_for(assessment, plant.zones[0], "SR 1.1"), "met", personas.owner)
    record(result_for(assessment, plant.zones[0], "SR 1.2"), "not_met", personas.owner)
    final = to_final(assessment, personas.consultant)
    state = {r.requirement.ref: r.status for r in signed_off_state(final) if r.zone_id == plant.zones[0].pk}
    assert state["SR 1.1"] == "met"
    assert state["SR 1.2"] == "not_met"
    assert state["SR 1.3"] == "not_assessed"
    assert len(signed_off_state(final)) == final.results.count()


# --- comments ---------------------------------------------------------------------------------------------
def test_comment_add(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    for body in ("", "   \n "):
        with pytest.raises(ValidationError) as excinfo:
            services.comment_add(result=result, author=personas.owner, body=body)
        assert error_keys(excinfo) == {"body"}
    assert Comment.objects.count() == 0
    comment = services.comment_add(result=result, author=personas.owner, body="  Is MFA on the jump host?\n")
    assert (comment.body, comment.author, comment.result) == ("Is MFA on the jump host?", personas.owner, result)
    assert list(result.comments.all()) == [comment]


# --- evidence ----------------------------------------------------------------------------------------------
def test_evidence_file_is_hashed_and_stored(
    personas: Personas, plant: Plant, assessment: Assessment, media: Path
) -> None:
    result = result_for(assessment, plant.zones[0], "SR 1.1")
    upload = SimpleUploadedFile("Firewall rules.pdf", PDF, content_type="application/x-whatever")
    evidence = services.evidence_add(
        assessment=assessment, by=personas.owner, file=upload, description="Rule base export", results=[result]
    )
    stored = Evidence.objects.get(pk=evidence.pk)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.size == len(PDF)
    assert stored.content_type == "application/pdf"  # from the allow-list, not from the browser
    assert stored.filename == "Firewall rules.pdf"
    assert stored.added_by == personas.owner
    assert stored.is_file and stored.reference == ""
    name = stored.file.name
    assert name is not None and name.startswith(f"evidence/{assessment.pk}/{evidence.pk}/")
    on_disk = media / name
    assert on_disk.is_file()
    assert on_disk.read_bytes() == PDF
    assert list(stored.results.all()) == [result]


def test_evidence_reference_only(personas: Personas, plant: Plant, assessment: Assessment) -> None:
    evidence = services.evidence_add(
        assessment=assessment, by=personas.owner, reference="  DMS-4711 rev C ", expires=date(2026, 1, 31)
    )
    stored = Evidence.objects.get(pk=evidence.pk)
    assert (stored.reference, stored.is_file, stored.sha256, stored.size) == ("DMS-4711 rev C", False, "", None)
    assert stored.expires == date(2026, 1, 31)


def test_evidence_needs_exactly_one_of_file_and_reference(
    personas: Personas, plant: Plant, assessment: Assessment, media: Path
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_add(assessment=assessment, by=personas.owner, reference="  ")
    assert error_keys(excinfo) == {"file"}
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_add(
            assessment=assessment,
            by=personas.owner,
            file=SimpleUploadedFile("a.pdf", PDF),
            reference="DMS-1",
        )
    assert error_keys(excinfo) == {"reference"}
    assert Evidence.objects.count() == 0
    assert list(media.rglob("*.pdf")) == []


def test_evidence_refuses_results_of_another_assessment(
    personas: Personas, plant: Plant, assessment: Assessment
) -> None:
    other = make_assessment(personas.site, personas.consultant, title="Other")
    foreign = result_for(other, plant.zones[0], "SR 1.1")
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_add(assessment=assessment, by=personas.owner, reference="DMS-1", results=[foreign])
    assert error_keys(excinfo) == {"results"}
    own = services.evidence_add(assessment=assessment, by=personas.owner, reference="DMS-1")
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_link(evidence=own, results=[foreign], by=personas.owner)
    assert error_keys(excinfo) == {"results"}
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert list(own.results.all()) == []


def test_evidence_refuses_a_bad_file(personas: Personas, plant: Plant, assessment: Assessment, media: Path) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_add(
            assessment=assessment, by=personas.owner, file=SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" * 10)
        )
    assert error_keys(excinfo) == {"file"}
    assert Evidence.objects.count() == 0
    assert list(media.rglob("*")) == []


# --- live publishing -----------------------------------------------------------------------------------------
@dataclass
class Live:
    """What a live-publishing test needs: a result to write to, the messages sent so far, and
    pytest-django's on-commit capture (the messages go out only when the transaction commits)."""

    result: Result
    sent: list[tuple[str, dict[str, Any]]]
    on_commit: Any


@pytest.fixture
def live_sr(
    monkeypatch: pytest.MonkeyPatch, plant: Plant, assessment: Assessment, django_capture_on_commit_callbacks: Any
) -> Live:
    messages: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(live, "send_now", lambda assessment_id, message: messages.append((str(assessment_id), message)))
    return Live(result_for(assessment, plant.zones[0], "SR 1.1"), messages, django_capture_on_commit_callbacks)


def test_result_update_publishes_one_message_after_commit(
    personas: Personas, assessment: Assessment, live_sr: Live
) -> None:
    result, sent = live_sr.result, live_sr.sent
    with live_sr.on_commit(execute=True) as callbacks:
        services.result_update(result=result, by=personas.owner, fields={"status": "met"})
    assert len(callbacks) == 1
    assert len(sent) == 1
    assessment_id, message = sent[0]
    assert assessment_id == str(assessment.pk)
    assert message["type"] == "result.updated"
    assert message["result"]["id"] == str(result.pk)
    assert message["result"]["status"] == "met"
    assert message["result"]["version"] == 2
    assert message["by"] == {"id": str(personas.owner.pk), "name": "persona-owner"}


def test_nothing_is_published_before_commit(personas: Personas, live_sr: Live) -> None:
    with live_sr.on_commit(execute=False) as callbacks:
        services.result_update(result=live_sr.result, by=personas.owner, fields={"status": "met"})
    assert live_sr.sent == []  # the test transaction has not committed
    assert len(callbacks) == 1


def test_a_failing_write_publishes_nothing(personas: Personas, live_sr: Live) -> None:
    result = live_sr.result
    with live_sr.on_commit(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            services.result_update(result=result, by=personas.owner, fields={"status": "compensated"})
        with pytest.raises(StaleObjectError):
            services.result_update(result=result, by=personas.owner, fields={"status": "met"}, expected_version=9)
        with pytest.raises(ValidationError):
            services.comment_add(result=result, author=personas.owner, body=" ")
    assert callbacks == []
    assert live_sr.sent == []


def test_comment_and_transition_publish(personas: Personas, assessment: Assessment, live_sr: Live) -> None:
    sent = live_sr.sent
    with live_sr.on_commit(execute=True):
        comment = services.comment_add(result=live_sr.result, author=personas.owner, body="Hello")
        services.assessment_transition(assessment=assessment, to="in_progress", by=personas.consultant)
    assert [m["type"] for _, m in sent] == ["comment.added", "assessment.updated"]
    assert sent[0][1]["comment"]["id"] == str(comment.pk)
    assert sent[0][1]["comment"]["author"]["name"] == "persona-owner"
    assert sent[1][1]["status"] == "in_progress"
    assert sent[1][1]["version"] == 2
