"""Bulk edit of results (decision 0028): POST /api/v1/assessments/{id}/results/bulk/ is all or nothing, a
stale version is 412 naming the stale results, each change is in the history (credited to the caller) and
on the live channel as `results.updated`."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import bulk, live, services
from assessments.choices import AssessmentStatus
from assessments.models import Assessment, Result
from tests.assessments.api_helpers import World, build_world, documented_paths
from tests.conftest import Personas, api_as, shared_by_the_module

pytestmark = pytest.mark.django_db

WHY = "No wireless networks on this site."


def url(assessment: Assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/results/bulk/"


# Built once for the module (two assessments); see shared_by_the_module.
_shared_world, _fresh_world, personas, world = shared_by_the_module(build_world)


def picked(assessment: Assessment, n: int = 10) -> list[Result]:
    return list(Result.objects.filter(assessment=assessment).order_by("requirement__position", "pk")[:n])


def body(results: list[Result], **fields: Any) -> dict[str, Any]:
    return {"results": [{"id": str(r.pk), "version": r.version} for r in results], "set": fields}


def post(user: Any, assessment: Assessment, data: dict[str, Any]) -> Any:
    return api_as(user).post(url(assessment), data, format="json")


def states(results: list[Result]) -> list[tuple[str, str, int]]:
    fresh = {r.pk: r for r in Result.objects.filter(pk__in=[r.pk for r in results])}
    return [(fresh[r.pk].status, fresh[r.pk].justification, fresh[r.pk].version) for r in results]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    messages: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(live, "send_now", lambda assessment_id, message: messages.append((str(assessment_id), message)))
    return messages


# --- what it does ------------------------------------------------------------------------------------
def test_sets_not_applicable_on_every_selected_result_with_history_and_one_live_message(
    personas: Personas, world: World, sent: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    results = picked(world.assessment)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(personas.owner, world.assessment, body(results, status="not_applicable", justification=WHY))
    assert response.status_code == 200, response.json()
    answered = response.json()["results"]
    assert [r["id"] for r in answered] == [str(r.pk) for r in results]
    assert {(r["status"], r["justification"], r["version"]) for r in answered} == {("not_applicable", WHY, 2)}
    assert states(results) == [("not_applicable", WHY, 2)] * 10
    # The history: one row per result, credited to the caller, and the History shows the change.
    rows = Result.history.filter(id__in=[r.pk for r in results], history_type="~")
    assert sorted((str(h.history_user_id), h.status) for h in rows) == [(str(personas.owner.pk), "not_applicable")] * 10
    history = api_as(personas.auditor).get(f"/api/v1/results/{results[0].pk}/history/").json()
    assert history[0]["who"] == "persona-owner"
    assert {c["field"] for c in history[0]["changes"]} == {"status", "justification"}
    # Live: one batch message with every result as the API shows it, after commit.
    assert [m["type"] for _, m in sent] == ["results.updated"]
    assessment_id, message = sent[0]
    assert assessment_id == str(world.assessment.pk)
    assert message["by"] == {"id": str(personas.owner.pk), "name": "persona-owner"}
    assert sorted(r["id"] for r in message["results"]) == sorted(str(r.pk) for r in results)
    assert message["results"][0] == api_as(personas.owner).get(f"/api/v1/results/{message['results'][0]['id']}/").json()


def test_assignee_and_status_without_touching_other_fields(personas: Personas, world: World) -> None:
    first, second = picked(world.assessment, 2)
    services.result_update(result=first, by=personas.consultant, fields={"observations": "Seen on site"})
    first.refresh_from_db()
    response = post(personas.consultant, world.assessment, body([first, second], assignee=str(personas.owner.pk)))
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    assert (first.assignee_id, first.observations, first.version) == (personas.owner.pk, "Seen on site", 3)


def test_live_messages_are_chunked(
    personas: Personas, world: World, sent: list[Any], monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    monkeypatch.setattr(bulk, "LIVE_CHUNK", 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(personas.owner, world.assessment, body(picked(world.assessment), status="met")).status_code == 200
    assert [len(m["results"]) for _, m in sent] == [4, 4, 2]


def test_query_count_does_not_grow_with_the_selection(personas: Personas, world: World) -> None:
    def queries(n: int) -> int:
        results = picked(world.assessment, n)
        with CaptureQueriesContext(connection) as ctx:
            assert post(personas.owner, world.assessment, body(results, status="met")).status_code == 200
        return len(ctx.captured_queries)

    assert queries(3) == queries(12)


# --- all or nothing ------------------------------------------------------------------------------------
def test_a_stale_version_is_412_naming_the_stale_and_nothing_is_written(personas: Personas, world: World) -> None:
    results = picked(world.assessment)
    sent = body(results, status="met")
    for changed in (results[2], results[7]):  # someone else saves two of them meanwhile
        services.result_update(result=changed, by=personas.consultant, fields={"observations": "Later"})
    response = post(personas.owner, world.assessment, sent)
    assert response.status_code == 412
    data = response.json()
    assert sorted((s["id"], s["version"]) for s in data["stale"]) == sorted(
        [(str(results[2].pk), 2), (str(results[7].pk), 2)]
    )
    assert {c["observations"] for c in data["current"]} == {"Later"}
    assert [s for s, _, _ in states(results)] == ["not_assessed"] * 10
    assert not Result.history.filter(id__in=[r.pk for r in results], history_change_reason="bulk edit").exists()


def test_not_applicable_without_a_justification_is_refused_like_the_single_edit(
    personas: Personas, world: World
) -> None:
    results = picked(world.assessment, 7)
    services.result_update(
        result=results[0], by=personas.owner, fields={"status": "met", "justification": "Already written"}
    )
    results[0].refresh_from_db()
    response = post(personas.owner, world.assessment, body(results, status="not_applicable"))
    assert response.status_code == 400
    (message,) = response.json()["justification"]
    assert message.startswith("Justify why the requirement does not apply")
    assert "6 selected results" in message and "and 1 more" in message  # the one with a justification passes
    assert [s for s, _, _ in states(results)][1:] == ["not_assessed"] * 6
    assert states(results)[0][0] == "met"  # not even the valid one was written


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "met", "observations": "x"}, "set"),  # not a bulk field
        ({"status": "nonsense"}, "set"),
        ({}, "set"),
    ],
)
def test_bad_set_is_400(personas: Personas, world: World, data: dict[str, Any], field: str) -> None:
    response = post(personas.owner, world.assessment, body(picked(world.assessment, 2), **data))
    assert response.status_code == 400
    assert field in response.json()


def test_results_of_another_assessment_are_400(personas: Personas, world: World) -> None:
    mine = picked(world.assessment, 2)
    ours = make_second_assessment(personas)
    response = post(personas.owner, world.assessment, body([*mine, picked(ours, 1)[0]], status="met"))
    assert response.status_code == 400
    assert "not results of this assessment" in response.json()["results"][0]
    other_org = post(personas.owner, world.assessment, body([*mine, world.other_result], status="met"))
    assert other_org.status_code == 400
    assert [s for s, _, _ in states(mine)] == ["not_assessed"] * 2


def make_second_assessment(personas: Personas) -> Assessment:
    return services.assessment_create(site=personas.site, title="Second", by=personas.consultant)


def test_over_the_cap_and_duplicates_are_400(personas: Personas, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "BULK_LIMIT", 5)
    over = post(personas.owner, world.assessment, body(picked(world.assessment, 6), status="met"))
    assert over.status_code == 400
    assert "At most 5 results" in over.json()["results"][0]
    one = picked(world.assessment, 1)
    assert post(personas.owner, world.assessment, body(one * 2, status="met")).status_code == 400
    assert post(personas.owner, world.assessment, body([], status="met")).status_code == 400


def test_assignee_from_another_organization_is_400(personas: Personas, world: World) -> None:
    response = post(
        personas.owner, world.assessment, body(picked(world.assessment, 2), assignee=str(personas.outsider.pk))
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["set"]  # not a person the caller can see: "does not exist"


# --- who may -----------------------------------------------------------------------------------------
def test_outsider_gets_404_auditor_403_and_a_final_assessment_400(personas: Personas, world: World) -> None:
    data = body(picked(world.assessment, 2), status="met")
    assert post(personas.outsider, world.assessment, data).status_code == 404
    assert post(personas.auditor, world.assessment, data).status_code == 403
    # Final as after a sign-off (the sign-off itself, with its report, is tested elsewhere).
    Assessment.objects.filter(pk=world.assessment.pk).update(status=AssessmentStatus.FINAL)
    refused = post(personas.owner, world.assessment, data)
    assert refused.status_code == 400
    assert "read-only" in str(refused.json())


def test_documented_in_the_schema(personas: Personas) -> None:
    documented_paths(personas.admin, "/api/v1/assessments/{id}/results/bulk/")
