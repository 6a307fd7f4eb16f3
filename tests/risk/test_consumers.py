"""The risk register's WebSocket: the door (outsiders refused like the assessment socket), presence, and the
live messages a scenario save or delete sends to a second person's socket after commit."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from risk import services
from risk.models import RiskAssessment, RiskPresence, ThreatScenario
from tests import live_helpers
from tests.conftest import Personas
from tests.live_helpers import WebsocketCommunicator, assert_refused, cookie_for, next_message, run
from tests.risk import helpers
from tests.zones.plant import Plant, small_plant


@pytest.fixture
def plant(transactional_db: None, personas: Personas) -> Plant:
    return small_plant(personas.site)


@pytest.fixture
def ra(plant: Plant, personas: Personas) -> RiskAssessment:
    return helpers.assessment(personas.site, title="Live risk")


def socket(cookie: bytes, ra: RiskAssessment) -> WebsocketCommunicator:
    return live_helpers.socket(cookie, f"/ws/risk-assessments/{ra.pk}/")


async def join(cookie: bytes, ra: RiskAssessment) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    return await live_helpers.join(cookie, f"/ws/risk-assessments/{ra.pk}/")


def test_outsider_and_anonymous_are_refused(personas: Personas, ra: RiskAssessment) -> None:
    cookies = (b"", cookie_for(personas.outsider))

    async def scenario() -> None:
        for cookie in cookies:
            await assert_refused(socket(cookie, ra))

    run(scenario)
    assert not RiskPresence.objects.exists()


def test_saves_and_deletes_reach_the_second_socket(personas: Personas, plant: Plant, ra: RiskAssessment) -> None:
    crime = helpers.source(personas.org, "Cybercriminal group")
    owner, auditor = cookie_for(personas.owner), cookie_for(personas.auditor)

    async def scenario() -> None:
        ws_owner, hello = await join(owner, ra)
        assert hello["can_edit"] is True
        ws_auditor, hello_auditor = await join(auditor, ra)
        assert hello_auditor["can_edit"] is False
        people = (await next_message(ws_owner, "presence"))["people"]
        assert {p["id"] for p in people} == {str(personas.owner.pk), str(personas.auditor.pk)}

        def add() -> ThreatScenario:
            return services.threat_scenario_save(
                scenario=ThreatScenario(),
                fields={"risk_assessment": ra, "zone": plant.control, "title": "Ransomware", "threat_source": crime,
                        "likelihood": 4, "consequence": helpers.HIGH},
                by=personas.consultant,
            )  # fmt: skip

        created = await database_sync_to_async(add)()
        for ws in (ws_owner, ws_auditor):
            message = await next_message(ws, "scenario.created")
            assert message["scenario"] == str(created.pk) and message["target"] == str(plant.control.pk)
            assert message["by"]["id"] == str(personas.consultant.pk)

        await ws_owner.send_json_to({"type": "focus", "scenario": str(created.pk)})
        editing = (await next_message(ws_auditor, "presence"))["people"]
        assert {p["id"]: p["editing"] for p in editing}[str(personas.owner.pk)] == str(created.pk)
        await ws_owner.send_json_to({"type": "focus", "scenario": "not-a-uuid"})
        assert (await next_message(ws_owner, "error"))["type"] == "error"

        def change() -> None:
            services.threat_scenario_save(scenario=created, fields={"likelihood": 2}, expected_version=created.version)

        await database_sync_to_async(change)()
        updated = await next_message(ws_auditor, "scenario.updated")
        assert updated["scenario"] == str(created.pk) and updated["version"] == created.version + 1

        def delete() -> None:
            services.threat_scenario_delete(scenario=ThreatScenario.objects.get(pk=created.pk), by=personas.owner)

        await database_sync_to_async(delete)()
        deleted = await next_message(ws_auditor, "scenario.deleted")
        assert deleted == {"type": "scenario.deleted", "scenario": str(created.pk),
                           "by": {"id": str(personas.owner.pk), "name": deleted["by"]["name"]}}  # fmt: skip
        await ws_owner.disconnect()
        assert len((await next_message(ws_auditor, "presence"))["people"]) == 1
        await ws_auditor.disconnect()

    run(scenario)
    assert not RiskPresence.objects.exists()
