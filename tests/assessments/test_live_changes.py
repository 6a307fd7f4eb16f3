"""Live sequence numbers and catch-up (decision 0037): every message on an assessment's channel is numbered
in commit order without holes, the log answers GET /api/v1/assessments/{id}/changes/?since=N, and the
socket's hello tells the last number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from assessments import bulk, live, live_changes, services
from assessments.bulk import BulkItem
from assessments.models import Assessment, LiveChange, Result
from assessments.tasks import prune_live_changes
from tests.assessments.api_helpers import World, build_world
from tests.conftest import Personas, api_as
from tests.live_helpers import catalogue, cookie_for, join, next_message, run  # noqa: F401  (catalogue: the fixture)
from tests.zones.plant import make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> World:
    """The API tests' world with a third zone in Org A's assessment: over 200 results for a bulk edit."""
    make_zone(personas.site, "Field", "{2,2,2,2,2,2,2}", purdue_level=0)
    return build_world(personas)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    monkeypatch.setattr(live, "send_now", lambda assessment_id, message: messages.append(message))
    return messages


def changes(user: Any, assessment: Assessment, since: Any) -> Any:
    return api_as(user).get(f"/api/v1/assessments/{assessment.pk}/changes/", {"since": since})


def results(assessment: Assessment) -> list[Result]:
    return list(Result.objects.filter(assessment=assessment).order_by("requirement__position", "pk"))


def write_a_few(personas: Personas, world: World, monkeypatch: pytest.MonkeyPatch, capture: Any) -> list[Result]:
    """A save, a comment, a bulk edit of every result in frames of 50, the same result saved again."""
    rows = results(world.assessment)
    monkeypatch.setattr(bulk, "LIVE_CHUNK", 50)
    with capture(execute=True):
        services.result_update(result=rows[0], by=personas.consultant, fields={"status": "met"})
    with capture(execute=True):
        services.comment_add(result=rows[1], author=personas.consultant, body="Where is the drawing?")
    fresh = results(world.assessment)
    with capture(execute=True):
        bulk.results_bulk_update(
            assessment=world.assessment,
            by=personas.consultant,
            items=[BulkItem(id=r.pk, version=r.version) for r in fresh],
            fields={"status": "partially_met"},
        )
    with capture(execute=True):
        services.result_update(result=rows[0], by=personas.consultant, fields={"status": "not_met"})
    return fresh


def test_numbers_are_contiguous_in_order_and_sent_with_the_messages(
    personas: Personas, world: World, sent: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    assert live.last_seq(world.assessment.pk) == 0
    rows = write_a_few(personas, world, monkeypatch, django_capture_on_commit_callbacks)
    assert len(rows) > 200
    frames = -(-len(rows) // 50)  # a bulk edit that sends k frames takes k numbers
    assert [m["seq"] for m in sent] == list(range(1, frames + 4))
    assert [m["type"] for m in sent] == ["result.updated", "comment.added", *["results.updated"] * frames,
                                         "result.updated"]  # fmt: skip
    assert live.last_seq(world.assessment.pk) == frames + 3
    # Numbers are per assessment: the other organization's starts at 1.
    with django_capture_on_commit_callbacks(execute=True):
        services.result_update(result=world.other_result, by=personas.outsider, fields={"status": "met"})
    assert sent[-1]["seq"] == 1


def test_a_rolled_back_write_takes_no_number(
    personas: Personas, world: World, sent: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.result_update(result=world.result, by=personas.consultant, fields={"status": "met"})
        raise RuntimeError("the request failed after the save")
    assert live.last_seq(world.assessment.pk) == 0 and not LiveChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.result_update(result=world.result, by=personas.consultant, fields={"status": "met"})
    assert [m["seq"] for m in sent] == [1]


def test_changes_answer_each_touched_result_once_as_it_is_now_and_the_messages_in_order(
    personas: Personas, world: World, sent: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    rows = write_a_few(personas, world, monkeypatch, django_capture_on_commit_callbacks)
    last = live.last_seq(world.assessment.pk)
    response = changes(personas.auditor, world.assessment, 0)  # a viewer may read
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["since"], body["last"]) == (0, last)
    assert sorted(r["id"] for r in body["results"]) == sorted(str(r.pk) for r in rows)
    first = next(r for r in body["results"] if r["id"] == str(rows[0].pk))
    detail = api_as(personas.auditor).get(f"/api/v1/results/{rows[0].pk}/").json()
    assert first == detail and first["status"] == "not_met"  # the current version, as GET /results/{id}/
    assert body["messages"] == [m for m in sent if m["type"] == "comment.added"]
    assert body["messages"][0]["seq"] == 2
    # Since the bulk edit: only the result saved after it.
    tail = changes(personas.consultant, world.assessment, last - 1).json()
    assert [r["id"] for r in tail["results"]] == [str(rows[0].pk)] and tail["messages"] == []
    # The queries do not grow with what changed: the same for one result as for all of them.
    counts = []
    for since in (0, last - 1):
        with CaptureQueriesContext(connection) as ctx:
            assert changes(personas.consultant, world.assessment, since).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 8, counts
    assert changes(personas.consultant, world.assessment, last).json() == {
        "since": last, "last": last, "results": [], "messages": []
    }  # fmt: skip


def test_a_bad_since_is_400(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    url = f"/api/v1/assessments/{world.assessment.pk}/changes/"
    for since in (None, "", "abc", "1.5", "-1"):
        response = client.get(url) if since is None else client.get(url, {"since": since})
        assert response.status_code == 400 and "since" in response.json(), since


def test_another_organizations_assessment_is_404(personas: Personas, world: World) -> None:
    assert changes(personas.outsider, world.assessment, 0).status_code == 404


def gone(response: Any, last: int) -> None:
    assert response.status_code == 410, response.content
    body = response.json()
    assert body["reload"] is True and body["last"] == last and body["detail"]


def test_410_when_pruned_reset_or_too_many(
    personas: Personas, world: World, sent: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    rows = results(world.assessment)
    for status, row in (("met", rows[0]), ("not_met", rows[1]), ("met", rows[2])):
        with django_capture_on_commit_callbacks(execute=True):
            services.result_update(result=row, by=personas.consultant, fields={"status": status})
    gone(changes(personas.consultant, world.assessment, 4), 3)  # a number this database never gave
    with override_settings(LIVE_CHANGES_MAX_RESULTS=2):
        gone(changes(personas.consultant, world.assessment, 0), 3)
        assert changes(personas.consultant, world.assessment, 1).status_code == 200
    # The first two grow old and are pruned by the beat task; the log keeps the tail.
    LiveChange.objects.filter(assessment=world.assessment, seq__lte=2).update(
        created=LiveChange.objects.get(assessment=world.assessment, seq=3).created - timedelta(hours=25)
    )
    assert prune_live_changes() == 2
    gone(changes(personas.consultant, world.assessment, 0), 3)
    gone(changes(personas.consultant, world.assessment, 1), 3)
    assert [r["id"] for r in changes(personas.consultant, world.assessment, 2).json()["results"]] == [str(rows[2].pk)]
    assert live_changes.prune() == 0  # nothing else is old enough


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue")  # transactional tests start from an empty database
def test_hello_carries_the_last_number_and_the_next_change_follows_it(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    assessment = services.assessment_create(site=personas.site, title="Live", by=personas.consultant)
    result = results(assessment)[0]
    services.result_update(result=result, by=personas.consultant, fields={"status": "met"})
    services.comment_add(result=result, author=personas.consultant, body="Checked on site.")
    cookie = cookie_for(personas.owner)

    def update() -> None:
        services.result_update(result=result, by=personas.consultant, fields={"status": "not_met"})

    async def scenario() -> None:
        ws, hello = await join(cookie, f"/ws/assessments/{assessment.pk}/")
        assert hello["seq"] == 2
        await database_sync_to_async(update)()
        assert (await next_message(ws, "result.updated"))["seq"] == 3
        await ws.disconnect()

    run(scenario)


def test_pages_carry_the_number_they_were_rendered_at(
    client: Any, personas: Personas, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.result_update(result=world.result, by=personas.consultant, fields={"status": "met"})
    client.force_login(personas.auditor)
    for path in ("/", "/workspace/"):
        page = client.get(f"/assessments/{world.assessment.pk}{path}")
        assert page.status_code == 200
        assert b'data-live-seq="1"' in page.content
