"""The assessments API: contract fields, the permission matrix, If-Match (428/412), status moves,
result edits and their rules, filters, history, comments, re-sync and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from assessments import services
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, Comment, Result
from compliance.models import Catalogue
from compliance.sl import SLVector
from tests.assessments.api_helpers import (
    World,
    a_result,
    add_reference,
    build_world,
    etag,
    make_assessment,
    sign_off,
)
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as, shared_by_the_module
from tests.factories import SiteFactory, UserFactory
from tests.zones.plant import small_plant
from zones import services as zone_services

pytestmark = pytest.mark.django_db

STATUS_LIST = "not_assessed, met, partially_met, not_met, not_applicable, compensated"


# Built once for the module (assessment_create costs about half a second each); see shared_by_the_module.
_shared_world, _fresh_world, personas, world = shared_by_the_module(build_world)


def read_urls(world: World) -> dict[str, str]:
    a, r = world.assessment.pk, world.result.pk
    return {
        "assessment": f"/api/v1/assessments/{a}/",
        "summary": f"/api/v1/assessments/{a}/summary/",
        "resync-plan": f"/api/v1/assessments/{a}/resync/",
        "results": f"/api/v1/assessments/{a}/results/",
        "result": f"/api/v1/results/{r}/",
        "history": f"/api/v1/results/{r}/history/",
        "comments": f"/api/v1/results/{r}/comments/",
    }


# --- contract --------------------------------------------------------------------------------------
def test_assessment_representation(personas: Personas, world: World) -> None:
    response = api_as(personas.auditor).get(f"/api/v1/assessments/{world.assessment.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    catalogue = Catalogue.objects.get(pk=world.assessment.catalogue_id)
    assert body["id"] == str(world.assessment.pk)
    assert body["site"] == str(personas.site.pk)
    assert body["title"] == "2025 gap assessment"
    assert body["catalogue"] == {
        "id": str(catalogue.pk),
        "part": "3-3",
        "edition": catalogue.edition,
        "version": catalogue.version,
    }
    assert set(body["zones"]) == {str(world.plant.dmz.pk), str(world.plant.control.pk)}
    assert body["conduits"] == [str(world.plant.conduit.pk)]
    assert (body["status"], body["version"], body["lead"], body["team"]) == ("draft", 1, None, [])
    assert (body["signed_off_at"], body["signed_off_by"]) == (None, None)
    assert body["created_by"] == {"id": str(personas.consultant.pk), "name": "persona-consultant"}
    assert body["result_count"] == Result.objects.filter(assessment=world.assessment, in_scope=True).count() > 0
    base = f"http://testserver/api/v1/assessments/{world.assessment.pk}/"
    assert body["links"]["self"] == base
    assert body["links"]["summary"] == base + "summary/"
    assert body["links"]["results"] == base + "results/"
    for key in ("planned_start", "planned_end", "actual_start", "actual_end", "created"):
        assert key in body


def test_result_representation(personas: Personas, world: World) -> None:
    response = api_as(personas.owner).get(f"/api/v1/results/{world.result.pk}/")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    body = response.json()
    assert body["requirement"] == "SR 1.1"
    assert body["fr"] == "FR1"
    assert (body["zone"], body["conduit"]) == (str(world.plant.control.pk), None)
    assert (body["status"], body["in_scope"], body["evidence"], body["version"]) == ("not_assessed", True, [], 1)


# --- permission matrix -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize(
    "endpoint", ["assessment", "summary", "resync-plan", "results", "result", "history", "comments"]
)
def test_read_matrix(personas: Personas, world: World, name: str, endpoint: str) -> None:
    response = api_as(personas.by_name(name)).get(read_urls(world)[endpoint])
    assert response.status_code == (404 if name == "outsider" else 200)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_shows_only_own_organization(personas: Personas, world: World, name: str) -> None:
    body = api_as(personas.by_name(name)).get("/api/v1/assessments/").json()
    expected = world.other_assessment if name == "outsider" else world.assessment
    assert [a["id"] for a in body["results"]] == [str(expected.pk)]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_write_matrix(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    refused = 404 if name == "outsider" else 403
    a_url, r_url = f"/api/v1/assessments/{world.assessment.pk}/", f"/api/v1/results/{world.result.pk}/"

    patched = client.patch(a_url, {"title": f"By {name}"}, format="json", HTTP_IF_MATCH=etag(world.assessment))
    assert patched.status_code == (200 if name in WRITERS else refused)

    result = client.patch(r_url, {"status": "met"}, format="json", HTTP_IF_MATCH=etag(world.result))
    assert result.status_code == (200 if name in WRITERS else refused)

    comment = client.post(r_url + "comments/", {"body": f"Note from {name}"}, format="json")
    assert comment.status_code == (201 if name in WRITERS else refused)

    resync = client.post(a_url + "resync/")
    assert resync.status_code == (200 if name in WRITERS else refused)

    created = client.post("/api/v1/assessments/", {"site": str(personas.site.pk), "title": "New"}, format="json")
    # The outsider cannot see site A at all: for them the id does not exist.
    assert created.status_code == (201 if name in WRITERS else 403 if name == "auditor" else 400)

    wrote = name in WRITERS
    assert Assessment.objects.get(pk=world.assessment.pk).title == (f"By {name}" if wrote else "2025 gap assessment")
    assert Result.objects.get(pk=world.result.pk).status == ("met" if wrote else "not_assessed")
    assert Comment.objects.filter(body=f"Note from {name}").exists() == wrote
    assert Assessment.objects.filter(title="New").count() == (1 if wrote else 0)


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if n != "outsider"])
def test_org_b_is_out_of_reach_for_org_a(personas: Personas, world: World, name: str) -> None:
    """The other way round: org A's people get 404 on org B's assessment and results."""
    client = api_as(personas.by_name(name))
    url = f"/api/v1/results/{world.other_result.pk}/"
    assert client.patch(url, {"status": "met"}, format="json", HTTP_IF_MATCH='"1"').status_code == 404
    assert client.get(f"/api/v1/assessments/{world.other_assessment.pk}/summary/").status_code == 404


def test_anonymous_is_refused(world: World) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/assessments/{world.assessment.pk}/").status_code == 401
    assert APIClient().get(f"/api/v1/results/{world.result.pk}/").status_code == 401


# --- PATCH an assessment: If-Match, scope, status ----------------------------------------------------
def test_assessment_patch_needs_if_match(personas: Personas, world: World) -> None:
    url = f"/api/v1/assessments/{world.assessment.pk}/"
    missing = api_as(personas.consultant).patch(url, {"title": "No header"}, format="json")
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    wildcard = api_as(personas.consultant).patch(url, {"title": "Star"}, format="json", HTTP_IF_MATCH="*")
    assert wildcard.status_code == 428
    assert Assessment.objects.get(pk=world.assessment.pk).title == "2025 gap assessment"


def test_assessment_stale_patch_is_412_with_the_current_state(personas: Personas, world: World) -> None:
    url = f"/api/v1/assessments/{world.assessment.pk}/"
    first, second = api_as(personas.consultant), api_as(personas.owner)
    read = first.get(url)["ETag"]
    ok = second.patch(url, {"title": "Owner's title"}, format="json", HTTP_IF_MATCH=read)
    assert ok.status_code == 200 and ok["ETag"] == '"2"' != read
    assert ok.json()["version"] == 2
    stale = first.patch(url, {"title": "Consultant's title"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Owner's title"
    assert stale.json()["current"]["version"] == 2
    assert stale["ETag"] == '"2"'
    assert Assessment.objects.get(pk=world.assessment.pk).title == "Owner's title"
    # An empty PATCH on a stale version is stale too: nothing to write does not mean up to date.
    assert first.patch(url, {}, format="json", HTTP_IF_MATCH=read).status_code == 412


def test_assessment_patch_changes_people_dates_and_scope(personas: Personas, world: World) -> None:
    url = f"/api/v1/assessments/{world.assessment.pk}/"
    response = api_as(personas.consultant).patch(
        url,
        {"lead": str(personas.consultant.pk), "team": [str(personas.owner.pk), str(personas.auditor.pk)],
         "planned_start": "2025-06-01", "zones": [str(world.plant.control.pk)], "conduits": []},
        format="json", HTTP_IF_MATCH='"1"',
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["lead"] == str(personas.consultant.pk)
    assert set(body["team"]) == {str(personas.owner.pk), str(personas.auditor.pk)}
    assert (body["planned_start"], body["zones"], body["conduits"]) == (
        "2025-06-01",
        [str(world.plant.control.pk)],
        [],
    )
    # Results of the zone and conduit taken out of scope are kept, marked out of scope.
    results = Result.objects.filter(assessment=world.assessment)
    assert not results.filter(zone=world.plant.dmz, in_scope=True).exists()
    assert results.filter(zone=world.plant.dmz, in_scope=False).exists()
    assert (
        body["result_count"]
        == results.filter(in_scope=True).count()
        == results.filter(zone=world.plant.control).count()
    )
    assert response["ETag"] == f'"{body["version"]}"'


def test_assessment_cannot_move_site(personas: Personas, world: World) -> None:
    second = SiteFactory.create(organization=personas.org, name="Second")
    response = api_as(personas.consultant).patch(
        f"/api/v1/assessments/{world.assessment.pk}/", {"site": str(second.pk)}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert "stays on its site" in str(response.json()["site"])


def test_status_moves_step_by_step(personas: Personas, world: World) -> None:
    url = f"/api/v1/assessments/{world.assessment.pk}/"
    client = api_as(personas.owner)
    jump = client.patch(url, {"status": "final"}, format="json", HTTP_IF_MATCH=etag(world.assessment))
    assert jump.status_code == 400
    assert "cannot move to final (allowed: in_progress)" in str(jump.json()["status"])
    unknown = client.patch(url, {"status": "done"}, format="json", HTTP_IF_MATCH=etag(world.assessment))
    assert unknown.status_code == 400
    assert '"done" is not a valid assessment status; use one of: draft, in_progress, in_review, final.' in str(
        unknown.json()["status"]
    )
    started = client.patch(url, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag(world.assessment))
    assert started.status_code == 200
    assert started.json()["status"] == "in_progress"
    assert started.json()["actual_start"] is not None


def patch_assessment(user: User, world: World, body: dict[str, object]) -> Any:
    """PATCH the assessment as first read (version 1)."""
    url = f"/api/v1/assessments/{world.assessment.pk}/"
    return api_as(user).patch(url, body, format="json", HTTP_IF_MATCH='"1"')


def test_a_refused_status_move_undoes_the_edits_sent_with_it(personas: Personas, world: World) -> None:
    response = patch_assessment(personas.consultant, world, {"title": "Renamed", "status": "final"})
    assert response.status_code == 400
    fresh = Assessment.objects.get(pk=world.assessment.pk)
    assert (fresh.title, fresh.version, fresh.status) == ("2025 gap assessment", 1, "draft")


def test_title_and_status_in_one_patch(personas: Personas, world: World) -> None:
    response = patch_assessment(personas.consultant, world, {"title": "Started", "status": "in_progress"})
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["status"]) == ("Started", "in_progress")
    assert response["ETag"] == '"3"'  # two writes: the edit, then the move


@pytest.mark.parametrize(("name", "expected"), [("owner", 403), ("consultant", 200), ("admin", 200)])
def test_only_consultants_and_admins_sign_off(personas: Personas, world: World, name: str, expected: int) -> None:
    for step in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW):
        services.assessment_transition(assessment=world.assessment, to=step, by=personas.consultant)
    response = api_as(personas.by_name(name)).patch(
        f"/api/v1/assessments/{world.assessment.pk}/",
        {"status": "final", "reason": "Signed off unfinished for the test"},
        format="json",
        HTTP_IF_MATCH=etag(world.assessment),
    )
    assert response.status_code == expected
    fresh = Assessment.objects.get(pk=world.assessment.pk)
    if expected == 200:
        assert fresh.status == "final"
        assert response.json()["signed_off_by"] == {"id": str(personas.by_name(name).pk), "name": f"persona-{name}"}
        assert response.json()["signed_off_at"] is not None
    else:
        assert "consultant or an admin" in response.json()["detail"]
        assert (fresh.status, fresh.signed_off_at) == ("in_review", None)


def test_a_final_assessment_is_read_only(personas: Personas, world: World) -> None:
    sign_off(world.assessment, personas.consultant)
    client = api_as(personas.consultant)
    a_url, r_url = f"/api/v1/assessments/{world.assessment.pk}/", f"/api/v1/results/{world.result.pk}/"
    edit = client.patch(a_url, {"title": "Late"}, format="json", HTTP_IF_MATCH=etag(world.assessment))
    assert edit.status_code == 400 and "read-only" in str(edit.json())
    # (back to in_review is a reopening, with a reason: tests/assessments/test_signoff.py)
    back = client.patch(a_url, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag(world.assessment))
    assert back.status_code == 400 and "read-only" in str(back.json()["status"])
    result = client.patch(r_url, {"status": "met"}, format="json", HTTP_IF_MATCH=etag(world.result))
    assert result.status_code == 400
    assert "signed off on" in str(result.json()) and "read-only" in str(result.json())
    comment = client.post(r_url + "comments/", {"body": "Too late"}, format="json")
    assert comment.status_code == 400 and "read-only" in str(comment.json())
    assert client.post(a_url + "resync/").status_code == 400
    assert Result.objects.get(pk=world.result.pk).status == "not_assessed"
    assert not Comment.objects.exists()


# --- list filters ----------------------------------------------------------------------------------
def test_assessment_list_filters(personas: Personas, world: World) -> None:
    second_site = SiteFactory.create(organization=personas.org, name="Second")
    small_plant(second_site)
    other = make_assessment(second_site, personas.consultant, title="Second site")
    services.assessment_transition(assessment=other, to="in_progress", by=personas.consultant)
    client = api_as(personas.auditor)

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/v1/assessments/{query}")
        assert response.status_code == 200, response.json()
        return [a["id"] for a in response.json()["results"]]

    assert set(ids("")) == {str(world.assessment.pk), str(other.pk)}
    assert ids(f"?site={second_site.pk}") == [str(other.pk)]
    assert ids("?status=in_progress") == [str(other.pk)]
    assert ids("?status=draft") == [str(world.assessment.pk)]
    bad = client.get("/api/v1/assessments/?status=started")
    assert bad.status_code == 400
    assert "use one of: draft, in_progress, in_review, final" in str(bad.json()["status"])


def test_results_filters(personas: Personas, world: World) -> None:
    a = world.assessment
    url = f"/api/v1/assessments/{a.pk}/results/"
    met = a_result(a, "SR 1.2", zone=world.plant.dmz)
    services.result_update(result=met, by=personas.owner, fields={"status": "met", "assignee": personas.owner})
    gone = a_result(a, "SR 2.1", conduit=world.plant.conduit)
    Result.objects.filter(pk=gone.pk).update(in_scope=False)
    client = api_as(personas.auditor)

    def ids(query: str) -> set[str]:
        response = client.get(url + query + ("&" if query else "?") + "page_size=all")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["count"] == len(body["results"])
        return {r["id"] for r in body["results"]}

    everything = Result.objects.filter(assessment=a)
    in_scope = {str(pk) for pk in everything.filter(in_scope=True).values_list("pk", flat=True)}
    assert ids("") == in_scope
    assert ids("?in_scope=all") == {str(pk) for pk in everything.values_list("pk", flat=True)}
    assert ids("?in_scope=false") == {str(gone.pk)}
    assert ids(f"?zone={world.plant.dmz.pk}") == {
        str(pk) for pk in everything.filter(zone=world.plant.dmz, in_scope=True).values_list("pk", flat=True)
    }
    conduit_ids = ids(f"?conduit={world.plant.conduit.pk}")
    assert (
        str(gone.pk) not in conduit_ids
        and len(conduit_ids) == everything.filter(conduit=world.plant.conduit, in_scope=True).count()
    )
    assert ids("?fr=FR2") == {
        str(pk) for pk in everything.filter(requirement__fr_id="FR2", in_scope=True).values_list("pk", flat=True)
    }
    assert ids("?status=met") == {str(met.pk)}
    assert ids(f"?assignee={personas.owner.pk}") == {str(met.pk)}
    assert ids(f"?status=met&zone={world.plant.control.pk}") == set()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=done", "status", f"done is not a valid result status; use one of: {STATUS_LIST}."),
        ("fr=FR9", "fr", "use one of: FR1, FR2, FR3, FR4, FR5, FR6, FR7"),
        ("zone=not-a-uuid", "zone", "valid UUID"),
        ("in_scope=maybe", "in_scope", "use one of: true, false, all"),
    ],
)
def test_results_filter_errors(personas: Personas, world: World, query: str, field: str, message: str) -> None:
    response = api_as(personas.owner).get(f"/api/v1/assessments/{world.assessment.pk}/results/?{query}")
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_results_are_in_catalogue_order_and_paginated(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    url = f"/api/v1/assessments/{world.assessment.pk}/results/"
    first = client.get(url + "?page_size=10").json()
    second = client.get(url + "?page_size=10&page=2").json()
    total = Result.objects.filter(assessment=world.assessment, in_scope=True).count()
    assert first["count"] == total and len(first["results"]) == 10
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert [r["requirement"] for r in first["results"][:3]] == ["SR 1.1", "SR 1.1", "SR 1.1"]


# --- PATCH a result ----------------------------------------------------------------------------------
def test_result_patch_records_the_finding(personas: Personas, world: World) -> None:
    url = f"/api/v1/results/{world.result.pk}/"
    client = api_as(personas.owner)
    read = client.get(url)["ETag"]
    response = client.patch(
        url,
        {"status": "compensated", "countermeasure": "Jump host with MFA", "observations": "Shared HMI account",
         "assignee": str(personas.consultant.pk)},
        format="json", HTTP_IF_MATCH=read,
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"' != read
    body = response.json()
    assert (body["status"], body["countermeasure"], body["observations"]) == (
        "compensated",
        "Jump host with MFA",
        "Shared HMI account",
    )
    assert (body["assignee"], body["assignee_name"], body["updated_by_name"]) == (
        str(personas.consultant.pk),
        "persona-consultant",
        "persona-owner",
    )
    assert body["version"] == 2
    fresh = Result.objects.get(pk=world.result.pk)
    assert (fresh.status, fresh.assignee, fresh.updated_by) == ("compensated", personas.consultant, personas.owner)
    cleared = client.patch(url, {"assignee": None}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert cleared.status_code == 200 and cleared.json()["assignee"] is None


def test_result_patch_needs_if_match(personas: Personas, world: World) -> None:
    response = api_as(personas.owner).patch(f"/api/v1/results/{world.result.pk}/", {"status": "met"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert Result.objects.get(pk=world.result.pk).status == "not_assessed"


def test_result_stale_patch_is_412_with_the_current_result(personas: Personas, world: World) -> None:
    url = f"/api/v1/results/{world.result.pk}/"
    consultant, owner = api_as(personas.consultant), api_as(personas.owner)
    read = consultant.get(url)["ETag"]
    assert owner.patch(url, {"status": "not_met"}, format="json", HTTP_IF_MATCH=read).status_code == 200
    stale = consultant.patch(url, {"status": "met"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    current = stale.json()["current"]
    assert (current["id"], current["status"], current["version"], current["updated_by_name"]) == (
        str(world.result.pk),
        "not_met",
        2,
        "persona-owner",
    )
    assert stale["ETag"] == '"2"'
    assert Result.objects.get(pk=world.result.pk).status == "not_met"
    garbage = consultant.patch(url, {"status": "met"}, format="json", HTTP_IF_MATCH="yesterday")
    assert garbage.status_code == 412


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"status": "done"}, "status", f'"done" is not a valid result status; use one of: {STATUS_LIST}.'),
        ({"status": "compensated"}, "countermeasure", "Describe the compensating countermeasure"),
        ({"status": "compensated", "countermeasure": "   "}, "countermeasure", "Describe the compensating"),
        ({"status": "not_applicable"}, "justification", "Justify why the requirement does not apply"),
        ({"assignee": "00000000-0000-0000-0000-000000000000"}, "assignee", "does not exist"),
        ({"observation": "typo"}, "non_field_errors", "Unknown fields: observation"),
        ({"evidence": ["not-a-uuid"]}, "evidence", "valid"),
    ],
)
def test_result_patch_refusals(
    personas: Personas, world: World, body: dict[str, object], field: str, message: str
) -> None:
    response = api_as(personas.consultant).patch(
        f"/api/v1/results/{world.result.pk}/", body, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400, response.json()
    assert message in str(response.json()[field])
    fresh = Result.objects.get(pk=world.result.pk)
    assert (fresh.status, fresh.version) == ("not_assessed", 1)


def test_result_assignee_must_belong_to_the_organization(personas: Personas, world: World) -> None:
    stranger = UserFactory.create(username="stranger")  # no membership at all: does not exist for the caller
    client = api_as(personas.consultant)
    url = f"/api/v1/results/{world.result.pk}/"
    for user in (stranger, personas.outsider):
        response = client.patch(url, {"assignee": str(user.pk)}, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 400 and "assignee" in response.json()


def test_result_evidence_links(personas: Personas, world: World) -> None:
    mine = add_reference(world.assessment, personas.consultant)
    second = make_assessment(personas.site, personas.consultant, title="Second")
    elsewhere = add_reference(second, personas.consultant, "DMS-1")
    foreign = add_reference(world.other_assessment, personas.outsider, "B-1")
    client = api_as(personas.owner)
    url = f"/api/v1/results/{world.result.pk}/"
    linked = client.patch(url, {"evidence": [str(mine.pk)]}, format="json", HTTP_IF_MATCH='"1"')
    assert linked.status_code == 200 and linked.json()["evidence"] == [str(mine.pk)]
    wrong = client.patch(url, {"evidence": [str(elsewhere.pk)]}, format="json", HTTP_IF_MATCH='"2"')
    assert wrong.status_code == 400 and "its own assessment" in str(wrong.json()["evidence"])
    hidden = client.patch(url, {"evidence": [str(foreign.pk)]}, format="json", HTTP_IF_MATCH='"2"')
    assert hidden.status_code == 400 and "does not exist" in str(hidden.json()["evidence"])
    assert list(Result.objects.get(pk=world.result.pk).evidence.all()) == [mine]


# --- history and comments ----------------------------------------------------------------------------
def test_result_history_newest_first(personas: Personas, world: World) -> None:
    url = f"/api/v1/results/{world.result.pk}/"
    api_as(personas.owner).patch(
        url, {"status": "not_met", "observations": "No MFA"}, format="json", HTTP_IF_MATCH='"1"'
    )
    api_as(personas.consultant).patch(url, {"status": "met"}, format="json", HTTP_IF_MATCH='"2"')
    response = api_as(personas.auditor).get(url + "history/")
    assert response.status_code == 200
    entries = response.json()
    assert [e["kind"] for e in entries] == ["changed", "changed", "created"]
    assert entries[0]["who"] == "persona-consultant" and entries[0]["who_id"] == str(personas.consultant.pk)
    assert entries[0]["changes"] == [
        {"field": "status", "label": "Status", "from": "not_met", "to": "met", "from_display": "Not met",
         "to_display": "Met"},
    ]  # fmt: skip
    assert entries[1]["who"] == "persona-owner"
    assert [(c["field"], c["from"], c["to"]) for c in entries[1]["changes"]] == [
        ("status", "not_assessed", "not_met"),
        ("observations", "", "No MFA"),
    ]
    assert entries[0]["when"] >= entries[1]["when"] >= entries[2]["when"]


def test_comments_thread(personas: Personas, world: World) -> None:
    url = f"/api/v1/results/{world.result.pk}/comments/"
    first = api_as(personas.consultant).post(url, {"body": "  Is MFA enforced on the HMI?  "}, format="json")
    assert first.status_code == 201, first.json()
    api_as(personas.owner).post(url, {"body": "Only on the jump host."}, format="json")
    body = first.json()
    assert body["author"] == {"id": str(personas.consultant.pk), "name": "persona-consultant"}
    assert (body["body"], body["result"]) == ("Is MFA enforced on the HMI?", str(world.result.pk))
    thread = api_as(personas.auditor).get(url).json()
    assert [(c["author"]["name"], c["body"]) for c in thread] == [
        ("persona-consultant", "Is MFA enforced on the HMI?"),
        ("persona-owner", "Only on the jump host."),
    ]
    blank = api_as(personas.owner).post(url, {"body": "   "}, format="json")
    assert blank.status_code == 400 and "body" in blank.json()
    assert Comment.objects.filter(result=world.result).count() == 2


# --- re-sync -----------------------------------------------------------------------------------------
def test_resync_plan_then_apply(personas: Personas, world: World) -> None:
    url = f"/api/v1/assessments/{world.assessment.pk}/resync/"
    client = api_as(personas.consultant)
    assert client.get(url).json() == {"added": 0, "retired": 0, "restored": 0}
    before = Result.objects.filter(assessment=world.assessment).count()
    zone_services.zone_save(zone=world.plant.control, fields={"sl_target": SLVector.parse("{3,2,2,2,2,2,2}")})
    zone_services.zone_save(zone=world.plant.dmz, fields={"sl_target": SLVector.parse("{1,2,2,2,2,2,2}")})
    plan = client.get(url).json()
    assert plan["added"] > 0 and plan["retired"] > 0 and plan["restored"] == 0
    assert Result.objects.filter(assessment=world.assessment).count() == before  # GET applies nothing
    applied = client.post(url)
    assert applied.status_code == 200 and applied.json() == plan
    assert Result.objects.filter(assessment=world.assessment).count() == before + plan["added"]
    assert Result.objects.filter(assessment=world.assessment, in_scope=False).count() == plan["retired"]
    assert client.get(url).json() == {"added": 0, "retired": 0, "restored": 0}
    zone_services.zone_save(zone=world.plant.dmz, fields={"sl_target": SLVector.parse("{2,2,2,2,2,2,2}")})
    assert client.post(url).json() == {"added": 0, "retired": 0, "restored": plan["retired"]}


# --- summary -----------------------------------------------------------------------------------------
def test_summary_shape_and_values(personas: Personas, world: World) -> None:
    met = a_result(world.assessment, "SR 1.1", zone=world.plant.dmz)
    services.result_update(result=met, by=personas.owner, fields={"status": ResultStatus.MET})
    body = api_as(personas.auditor).get(f"/api/v1/assessments/{world.assessment.pk}/summary/").json()
    assert [z["name"] for z in body["zones"]] == ["Control", "DMZ"]  # by Purdue level
    assert [c["name"] for c in body["conduits"]] == ["DMZ-Control"]
    dmz = body["zones"][1]
    assert dmz["id"] == str(world.plant.dmz.pk)
    assert dmz["sl_target"] == {f"FR{n}": 2 for n in range(1, 8)}
    assert dmz["sl_achieved"] == {f"FR{n}": 0 for n in range(1, 8)}
    assert dmz["gap"] == {f"FR{n}": 2 for n in range(1, 8)}
    total = Result.objects.filter(assessment=world.assessment, zone=world.plant.dmz, in_scope=True).count()
    assert dmz["counts"]["met"] == 1 and dmz["counts"]["not_assessed"] == total - 1
    assert dmz["progress"] == {"assessed": 1, "total": total}


# --- query counts (of the list and of the results and summary: tests/assessments/test_api_create.py) ----
def _patch_queries(client: object, result: Result, body: dict[str, object]) -> int:
    tag = etag(result)
    with CaptureQueriesContext(connection) as ctx:
        response = client.patch(f"/api/v1/results/{result.pk}/", body, format="json", HTTP_IF_MATCH=tag)  # type: ignore[attr-defined]
        assert response.status_code == 200, response.content
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def test_patch_queries_are_few_and_do_not_grow_with_evidence(personas: Personas, world: World) -> None:
    """A save is the hot path of live editing: the door, the locked read, the write, its history and
    the evidence shown back, the live sequence number and its log row (decision 0037). Linked evidence must
    not cost a query each."""
    client = api_as(personas.owner)
    bare = a_result(world.assessment, "SR 1.1", zone=world.plant.dmz)
    linked = a_result(world.assessment, "SR 1.2", zone=world.plant.dmz)
    refs = [add_reference(world.assessment, personas.consultant, f"DMS-{n}") for n in range(3)]
    services.result_update(result=linked, by=personas.consultant, fields={"assignee": personas.owner}, evidence=refs)
    linked.refresh_from_db()
    assert _patch_queries(client, bare, {"status": "met"}) == 7
    assert _patch_queries(client, linked, {"status": "met"}) == 7
    # Changing the links adds their validation, the link rows and the evidence's own history.
    assert _patch_queries(client, linked, {"evidence": [str(refs[0].pk)]}) <= 11
    body = client.get(f"/api/v1/results/{linked.pk}/").json()
    assert body["status"] == "met" and body["evidence"] == [str(refs[0].pk)] and body["version"] == 4
