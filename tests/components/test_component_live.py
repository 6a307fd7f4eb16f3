"""The component assessment's WebSocket: the door (outsiders and anonymous refused), presence and focus, and
a result saved through the API reaching a second person's socket after commit. The socket plumbing of the
tests is tests/live_helpers.py's."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from compliance.sl import SLVector
from components.models import ComponentAssessment, ComponentPresence, ComponentResult
from components.services.results import component_result_update
from tests import live_helpers
from tests.components.compassess import make_assessment, result_of
from tests.conftest import Personas
from tests.live_helpers import (
    TIMEOUT,
    WebsocketCommunicator,
    assert_refused,
    catalogue,  # noqa: F401  (the fixture: a transactional test loads the catalogue)
    cookie_for,
    next_message,
    run,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


@pytest.fixture
def assessment(personas: Personas) -> ComponentAssessment:
    return make_assessment(personas, "SAR", SLVector.uniform(1))


def socket(cookie: bytes, assessment: ComponentAssessment) -> WebsocketCommunicator:
    return live_helpers.socket(cookie, f"/ws/component-assessments/{assessment.pk}/")


async def join(cookie: bytes, assessment: ComponentAssessment) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    return await live_helpers.join(cookie, f"/ws/component-assessments/{assessment.pk}/")


def test_outsider_and_anonymous_are_refused(personas: Personas, assessment: ComponentAssessment) -> None:
    cookies = (b"", cookie_for(personas.outsider))

    async def scenario() -> None:
        for cookie in cookies:
            await assert_refused(socket(cookie, assessment))

    run(scenario)
    assert not ComponentPresence.objects.exists()


def test_an_update_reaches_the_other_socket(personas: Personas, assessment: ComponentAssessment) -> None:
    result = result_of(assessment, "CR 1.1")
    consultant, auditor = cookie_for(personas.consultant), cookie_for(personas.auditor)

    async def scenario() -> None:
        ws_consultant, hello = await join(consultant, assessment)
        assert hello["can_edit"] is True
        ws_auditor, hello_auditor = await join(auditor, assessment)
        assert hello_auditor["can_edit"] is False
        await ws_consultant.send_json_to({"type": "focus", "result": str(result.pk)})
        people = (await next_message(ws_auditor, "presence"))["people"]
        while not any(p["editing"] == str(result.pk) for p in people):
            people = (await next_message(ws_auditor, "presence"))["people"]

        def save() -> ComponentResult:
            return component_result_update(
                result=result, by=personas.consultant, fields={"status": "met", "source": "verified"}
            )

        await database_sync_to_async(save)()
        message = await next_message(ws_auditor, "result.updated")
        assert message["result"]["id"] == str(result.pk)
        assert (message["result"]["status"], message["result"]["source"]) == ("met", "verified")
        assert message["by"]["id"] == str(personas.consultant.pk)
        await ws_consultant.send_json_to({"type": "focus", "result": "not-a-result"})
        # The consultant's own socket has the update too; the refusal of a foreign row comes after it.
        kinds = [(await ws_consultant.receive_json_from(timeout=TIMEOUT))["type"] for _ in range(2)]
        while "error" not in kinds:
            kinds.append((await ws_consultant.receive_json_from(timeout=TIMEOUT))["type"])
        assert "result.updated" in kinds
        await ws_consultant.disconnect()
        await ws_auditor.disconnect()

    run(scenario)
    assert not ComponentPresence.objects.exists()
