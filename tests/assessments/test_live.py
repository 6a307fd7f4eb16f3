"""The assessment WebSocket through the real ASGI stack (origin check, session auth, routing),
with whatever channel layer the settings give: in-memory locally, Redis when REDIS_URL is set."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from accounts.models import Membership
from assessments import live, presence, services
from assessments.consumers import CLOSE_FORBIDDEN
from assessments.models import Assessment, Presence, Result
from tests import live_helpers
from tests.conftest import Personas
from tests.live_helpers import (  # noqa: F401  (catalogue: the fixture; the rest are used here and re-exported)
    TIMEOUT,
    WebsocketCommunicator,
    assert_refused,
    catalogue,
    cookie_for,
    next_message,
    run,
)
from tests.zones.plant import make_zone

# The catalogue first: transactional tests start from an empty database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


def socket(cookie: bytes, assessment: Assessment, origin: bytes = b"http://testserver") -> WebsocketCommunicator:
    return live_helpers.socket(cookie, f"/ws/assessments/{assessment.pk}/", origin)


async def join(cookie: bytes, assessment: Assessment) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    return await live_helpers.join(cookie, f"/ws/assessments/{assessment.pk}/")


@pytest.fixture
def assessment(personas: Personas) -> Assessment:
    make_zone(personas.site, "Control")
    return services.assessment_create(site=personas.site, title="Live", by=personas.consultant)


@pytest.fixture
def other_assessment(personas: Personas) -> Assessment:
    make_zone(personas.other_site, "Other control")
    return services.assessment_create(site=personas.other_site, title="Elsewhere", by=personas.outsider)


def first_result(assessment: Assessment) -> Result:
    result = Result.objects.filter(assessment=assessment).first()
    assert result is not None
    return result


def test_anonymous_is_refused(assessment: Assessment) -> None:
    async def scenario() -> None:
        await assert_refused(socket(b"", assessment))

    run(scenario)
    assert not Presence.objects.exists()


def test_outsider_is_refused(personas: Personas, assessment: Assessment) -> None:
    cookie = cookie_for(personas.outsider)

    async def scenario() -> None:
        await assert_refused(socket(cookie, assessment))

    run(scenario)
    assert not Presence.objects.exists()


def test_foreign_origin_is_refused(personas: Personas, assessment: Assessment) -> None:
    cookie = cookie_for(personas.consultant)

    async def scenario() -> None:
        connected, _ = await socket(cookie, assessment, origin=b"https://evil.example").connect(timeout=TIMEOUT)
        assert not connected

    run(scenario)


def test_member_gets_hello_and_presence(personas: Personas, assessment: Assessment) -> None:
    cookie = cookie_for(personas.consultant)
    consultant = live.person(personas.consultant)

    async def scenario() -> None:
        ws = socket(cookie, assessment)
        connected, _ = await ws.connect(timeout=TIMEOUT)
        assert connected
        me = {**consultant, "editing": None, "connections": 1}
        assert await ws.receive_json_from(timeout=TIMEOUT) == {
            "type": "hello",
            "you": consultant,
            "can_edit": True,
            "people": [me],
            "seq": 0,
        }
        assert await ws.receive_json_from(timeout=TIMEOUT) == {"type": "presence", "people": [me]}
        await ws.disconnect()

    run(scenario)


def test_auditor_and_final_assessment_cannot_edit(
    personas: Personas, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signing off queues the gap report, and this test's commits run the task at once (eager Celery): seconds of
    # WeasyPrint that a socket test has no use for (tests/assessments/test_signoff.py checks the report of record).
    monkeypatch.setattr("reports.tasks.run_report.delay", lambda *args: None)
    auditor, consultant = cookie_for(personas.auditor), cookie_for(personas.consultant)

    async def scenario(cookie: bytes, can_edit: bool) -> None:
        ws, hello = await join(cookie, assessment)
        assert hello["can_edit"] is can_edit
        await ws.disconnect()

    async_to_sync(scenario)(auditor, False)
    for status in ("in_progress", "in_review", "final"):
        services.assessment_transition(assessment=assessment, to=status, by=personas.consultant, reason="test")
    async_to_sync(scenario)(consultant, False)


def test_same_person_twice_is_one_entry(personas: Personas, assessment: Assessment) -> None:
    cookie = cookie_for(personas.owner)

    async def scenario() -> None:
        first, _ = await join(cookie, assessment)
        second, hello = await join(cookie, assessment)
        assert [(p["id"], p["connections"]) for p in hello["people"]] == [(str(personas.owner.pk), 2)]
        await first.disconnect()
        people = (await next_message(second, "presence"))["people"]
        assert [(p["id"], p["connections"]) for p in people] == [(str(personas.owner.pk), 1)]
        await second.disconnect()

    run(scenario)


def test_focus_change_and_leave_reach_the_others(
    personas: Personas, assessment: Assessment, other_assessment: Assessment
) -> None:
    """Two people of org A on one assessment and the outsider on B's: focus shows who edits what,
    a committed result change reaches A's sockets only, and leaving removes the person."""
    one, two, outsider = (cookie_for(u) for u in (personas.consultant, personas.owner, personas.outsider))
    result = first_result(assessment)
    foreign_result = first_result(other_assessment)
    consultant_id = str(personas.consultant.pk)

    def update_result() -> None:
        services.result_update(result=result, by=personas.consultant, fields={"status": "met"})

    async def scenario() -> None:
        ws1, _ = await join(one, assessment)
        ws2, _ = await join(two, assessment)
        elsewhere, _ = await join(outsider, other_assessment)
        await next_message(ws1, "presence")  # the owner arrived

        await ws1.send_json_to({"type": "focus", "result": str(result.pk)})
        people = {p["id"]: p for p in (await next_message(ws2, "presence"))["people"]}
        assert people[consultant_id]["editing"] == str(result.pk)
        assert people[str(personas.owner.pk)]["editing"] is None
        await next_message(ws1, "presence")

        await ws1.send_json_to({"type": "focus", "result": str(foreign_result.pk)})
        assert (await ws1.receive_json_from(timeout=TIMEOUT))["type"] == "error"
        assert await ws2.receive_nothing(timeout=0.3)

        await database_sync_to_async(update_result)()
        for ws in (ws2, ws1):
            message = await next_message(ws, "result.updated")
            assert message["result"]["id"] == str(result.pk)
            assert message["result"]["status"] == "met"
            assert message["by"] == live.person(personas.consultant)
        assert await elsewhere.receive_nothing(timeout=0.5)

        await ws1.send_json_to({"type": "focus", "result": None})
        people = {p["id"]: p for p in (await next_message(ws2, "presence"))["people"]}
        assert people[consultant_id]["editing"] is None

        await ws1.disconnect()
        people_left = (await next_message(ws2, "presence"))["people"]
        assert [p["id"] for p in people_left] == [str(personas.owner.pk)]
        await ws2.disconnect()
        await elsewhere.disconnect()

    run(scenario)
    assert not Presence.objects.exists()


def test_ping_pong_and_bad_messages_keep_the_socket(personas: Personas, assessment: Assessment) -> None:
    cookie = cookie_for(personas.admin)

    async def scenario() -> None:
        ws, _ = await join(cookie, assessment)
        for bad in ("{not json", "[1, 2]", '"ping"', ""):
            await ws.send_to(text_data=bad)
            reply = await ws.receive_json_from(timeout=TIMEOUT)
            assert reply["type"] == "error", bad
            assert reply["message"]
        await ws.send_to(bytes_data=b"\x00\x01")
        assert (await ws.receive_json_from(timeout=TIMEOUT))["type"] == "error"
        await ws.send_json_to({"type": "edit", "result": "x"})
        reply = await ws.receive_json_from(timeout=TIMEOUT)
        assert reply["type"] == "error"
        assert "edit" in reply["message"]
        await ws.send_json_to({"type": "focus", "result": "not-a-uuid"})
        assert (await ws.receive_json_from(timeout=TIMEOUT))["type"] == "error"
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


def test_access_is_checked_again_on_ping(personas: Personas, assessment: Assessment) -> None:
    """Someone taken out of the organization is shut out at their next heartbeat."""
    owner, consultant = cookie_for(personas.owner), cookie_for(personas.consultant)

    def remove_owner() -> None:
        Membership.objects.filter(user=personas.owner).delete()

    async def scenario() -> None:
        ws_owner, _ = await join(owner, assessment)
        ws_consultant, _ = await join(consultant, assessment)
        await next_message(ws_owner, "presence")
        await database_sync_to_async(remove_owner)()
        await ws_owner.send_json_to({"type": "ping"})
        assert await ws_owner.receive_output(timeout=TIMEOUT) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
        people = (await next_message(ws_consultant, "presence"))["people"]
        assert [p["id"] for p in people] == [str(personas.consultant.pk)]
        await ws_owner.disconnect()
        await ws_consultant.send_json_to({"type": "ping"})
        assert await ws_consultant.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await ws_consultant.disconnect()

    run(scenario)
    assert not Presence.objects.exists()


def test_ping_refreshes_seen(personas: Personas, assessment: Assessment) -> None:
    cookie = cookie_for(personas.admin)
    long_ago = timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS + 30)

    async def scenario() -> None:
        ws, _ = await join(cookie, assessment)
        await database_sync_to_async(Presence.objects.update)(seen=long_ago)
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        row = await database_sync_to_async(Presence.objects.get)()
        assert row.seen > long_ago + timedelta(seconds=30)
        await ws.disconnect()

    run(scenario)


def test_stale_sockets_do_not_count_and_are_swept(personas: Personas, assessment: Assessment) -> None:
    """A process that died leaves rows behind: they stop counting after the timeout and the next
    connect removes them."""
    stale = timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS + 1)
    Presence.objects.create(channel_name="dead.1", assessment=assessment, user=personas.auditor, seen=stale)
    Presence.objects.create(channel_name="live.1", assessment=assessment, user=personas.owner, seen=timezone.now())
    assert [p["id"] for p in presence.presence_people(assessment_id=assessment.pk)] == [str(personas.owner.pk)]

    presence.presence_join(channel_name="live.2", assessment_id=assessment.pk, user_id=personas.admin.pk)
    assert set(Presence.objects.values_list("channel_name", flat=True)) == {"live.1", "live.2"}

    # A socket swept while it was idle is recorded again by its next heartbeat.
    Presence.objects.filter(channel_name="live.1").delete()
    assert presence.presence_touch(channel_name="live.1", assessment_id=assessment.pk, user_id=personas.owner.pk)
    assert not presence.presence_touch(channel_name="live.1", assessment_id=assessment.pk, user_id=personas.owner.pk)
