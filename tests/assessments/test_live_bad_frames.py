"""Bad WebSocket frames get an error reply and leave the socket open; presence never outlives a
socket, whether it closed cleanly, after an error, or with the process that held it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.utils import timezone

from assessments import consumers, presence, services
from assessments.consumers import MAX_MESSAGE_CHARS, AssessmentConsumer
from assessments.models import Assessment, Presence
from tests.assessments.test_live import TIMEOUT, cookie_for, first_result, join, next_message, run
from tests.conftest import Personas
from tests.zones.plant import make_zone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assessment(transactional_db: None, personas: Personas) -> Assessment:
    call_command("load_catalogue", verbosity=0)  # transactional tests start from an empty database
    make_zone(personas.site, "Control")
    return services.assessment_create(site=personas.site, title="Live", by=personas.consultant)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_FRAMES = {
    "nested 10,000 deep": nested(10_000),
    # Short enough to pass the size check, deep enough to exceed the interpreter's recursion limit.
    "nested within the size limit": nested(MAX_MESSAGE_CHARS // 2 - 10),
    "nested inside a message": '{"type": "focus", "result": ' + nested(2000) + "}",
    "invalid JSON": '{"type": "ping"',
    "not UTF-8 text JSON": "\udcff",
    "wrong type of message": "[1, 2]",
    "type not a string": '{"type": 5}',
    "type a list": '{"type": ["ping"]}',
    "result a list": '{"type": "focus", "result": [1, 2]}',
    "result an object": '{"type": "focus", "result": {"id": 1}}',
    "result a huge number": '{"type": "focus", "result": ' + "9" * 4000 + "}",
    "unknown message type": '{"type": "edit", "result": null}',
    "oversized frame": json.dumps({"type": "ping", "padding": "x" * MAX_MESSAGE_CHARS}),
}


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_bad_frame_gets_an_error_and_the_socket_stays(personas: Personas, assessment: Assessment, frame: str) -> None:
    cookie = cookie_for(personas.consultant)
    result = first_result(assessment)

    async def scenario() -> None:
        ws, _ = await join(cookie, assessment)
        await ws.send_to(text_data=frame)
        reply = await ws.receive_json_from(timeout=TIMEOUT)
        assert reply["type"] == "error"
        assert isinstance(reply["message"], str) and reply["message"]
        # The socket is still usable: a good frame after the bad one works.
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await ws.send_json_to({"type": "focus", "result": str(result.pk)})
        people = (await next_message(ws, "presence"))["people"]
        assert people[0]["editing"] == str(result.pk)
        await ws.disconnect()

    run(scenario)
    assert not Presence.objects.exists()


async def owner_then_consultant(owner: bytes, consultant: bytes, assessment: Assessment) -> tuple[Any, Any]:
    """The owner's socket, then the consultant's, once the owner has seen the consultant arrive."""
    ws_owner, _ = await join(owner, assessment)
    ws, _ = await join(consultant, assessment)
    await next_message(ws_owner, "presence")
    return ws_owner, ws


async def owner_is_alone(ws_owner: Any, personas: Personas) -> None:
    """The consultant's socket is gone: the owner's presence list says only the owner is here."""
    people = (await next_message(ws_owner, "presence"))["people"]
    assert [p["id"] for p in people] == [str(personas.owner.pk)]
    await ws_owner.disconnect()


def test_disconnect_after_a_bad_frame_clears_presence(personas: Personas, assessment: Assessment) -> None:
    """The ghost: someone editing a result sends a frame that once killed the socket; the others must
    not keep seeing them as editing."""
    consultant, owner = cookie_for(personas.consultant), cookie_for(personas.owner)
    result = first_result(assessment)

    async def scenario() -> None:
        ws_owner, ws = await owner_then_consultant(owner, consultant, assessment)
        await ws.send_json_to({"type": "focus", "result": str(result.pk)})
        people = (await next_message(ws_owner, "presence"))["people"]
        assert str(result.pk) in [p["editing"] for p in people]
        await ws.send_to(text_data=nested(2000))
        assert (await next_message(ws, "error"))["type"] == "error"
        await ws.disconnect()
        await owner_is_alone(ws_owner, personas)

    run(scenario)
    assert not Presence.objects.exists()


def test_a_handler_that_fails_answers_an_error(
    personas: Personas, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug while handling one frame costs that frame, not the socket."""
    cookie = cookie_for(personas.consultant)

    def broken(**kwargs: Any) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(presence, "presence_focus", broken)

    async def scenario() -> None:
        ws, _ = await join(cookie, assessment)
        await ws.send_json_to({"type": "focus", "result": None})
        reply = await ws.receive_json_from(timeout=TIMEOUT)
        assert reply["type"] == "error"
        assert "boom" not in reply["message"]  # no internals to the client
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)
    assert not Presence.objects.exists()


def test_a_consumer_that_crashes_leaves_no_ghost(
    personas: Personas, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should anything still escape a handler and kill the socket, its presence goes with it."""
    consultant, owner = cookie_for(personas.consultant), cookie_for(personas.owner)

    async def crash(self: AssessmentConsumer, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    async def scenario() -> None:
        ws_owner, ws = await owner_then_consultant(owner, consultant, assessment)
        monkeypatch.setattr(AssessmentConsumer, "receive", crash)
        await ws.send_to(text_data='{"type": "ping"}')
        with pytest.raises(RuntimeError, match="boom"):
            await ws.wait(timeout=TIMEOUT)
        await owner_is_alone(ws_owner, personas)

    run(scenario)
    assert not Presence.objects.exists()


def test_server_start_forgets_the_previous_process(
    personas: Personas, assessment: Assessment, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The embedded single process restarted after a crash: the rows its sockets left behind, seen a
    moment ago, are gone as soon as the new process lets someone in (not 60 s later).

    Only the embedded default (the in-memory layer) can know it is the one process, so this test runs on it
    even where the suite uses Redis; behind Redis the presence timeout applies (docs/live-protocol.md)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    result = first_result(assessment)
    Presence.objects.create(
        channel_name="specific..inmemory!dead",
        assessment=assessment,
        user=personas.owner,
        editing=result,
        seen=timezone.now(),
    )
    monkeypatch.setattr(consumers, "_started", False, raising=False)  # as in a freshly started process
    cookie = cookie_for(personas.consultant)

    async def scenario() -> None:
        ws, hello = await join(cookie, assessment)
        assert [p["id"] for p in hello["people"]] == [str(personas.consultant.pk)]
        assert await database_sync_to_async(Presence.objects.count)() == 1
        await ws.disconnect()

    run(scenario)
    assert not Presence.objects.exists()
