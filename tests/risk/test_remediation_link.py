"""A scenario whose residual risk still exceeds tolerable risk becomes a remediation action (ZCR 5.12): made
through remediation's service, linked back from the scenario, idempotent, offered on the register row and the
API to whoever may change the site (auditors 403, outsiders 404); a tolerable scenario is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from remediation.choices import ActionStatus
from remediation.models import Action
from risk import live, services
from risk.models import RiskAssessment, ThreatScenario
from tests.conftest import WRITERS, Personas, api_as
from tests.risk import helpers
from tests.zones.plant import Plant, small_plant

pytestmark = pytest.mark.django_db


@dataclass
class World:
    plant: Plant
    ra: RiskAssessment
    high: ThreatScenario  # residual rank 5: above tolerable
    low: ThreatScenario  # rank 1: tolerable


@pytest.fixture
def world(personas: Personas) -> World:
    plant = small_plant(personas.site)
    ra = helpers.assessment(personas.site, title="Risk 2026")
    crime = helpers.source(personas.org, "Cybercriminal group")
    high = helpers.scenario(
        ra, plant.control, crime, title="Ransomware on the PLCs", additional_countermeasures="Application allowlisting"
    )
    low = helpers.scenario(ra, plant.dmz, crime, title="Defaced web page", likelihood=1, consequence=helpers.LOW)
    ra.refresh_from_db()
    return World(plant, ra, high, low)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_service_makes_one_linked_action_and_tells_the_register(
    personas: Personas, world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(live, "send_now", lambda _ra, message: sent.append(message))
    version, revision = world.high.version, world.ra.revision
    with django_capture_on_commit_callbacks(execute=True):
        first = services.threat_scenario_create_action(scenario=world.high, by=personas.consultant)
    made = first.action
    assert first.created and made.site == personas.site and made.status == ActionStatus.PROPOSED
    assert made.title == "Additional countermeasures: Ransomware on the PLCs"
    assert made.description.startswith("Application allowlisting\n\n")
    assert "Ransomware on the PLCs" in made.description and "ZCR 5.12" in made.description
    assert list(made.zones.all()) == [world.plant.control] and made.created_by == personas.consultant
    world.high.refresh_from_db()
    assert world.high.remediation_action == made and world.high.version == version + 1
    world.ra.refresh_from_db()
    assert world.ra.revision == revision  # the link is not a change to the risk the owner approves
    assert sent and sent[-1]["type"] == "scenario.updated" and sent[-1]["by"]["id"] == str(personas.consultant.pk)
    # A second call answers with the same action; nothing new is made.
    again = services.threat_scenario_create_action(scenario=world.high, by=personas.owner)
    assert not again.created and again.action == made and Action.objects.count() == 1
    # The roadmap may drop the action: the scenario then offers a new one.
    made.delete()
    world.high.refresh_from_db()
    assert world.high.remediation_action is None
    assert services.threat_scenario_create_action(scenario=world.high, by=personas.owner).created


def test_the_service_refuses_a_tolerable_scenario_and_a_reader(personas: Personas, world: World) -> None:
    with pytest.raises(ValidationError, match="within tolerable risk"):
        services.threat_scenario_create_action(scenario=world.low, by=personas.consultant)
    with pytest.raises(PermissionDenied):
        services.threat_scenario_create_action(scenario=world.high, by=personas.auditor)
    assert not Action.objects.exists()
    world.low.refresh_from_db()
    assert world.low.remediation_action is None


@pytest.mark.parametrize("name", WRITERS)
def test_api_creates_then_shows_the_same_action(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    url = f"/api/v1/threat-scenarios/{world.high.pk}/create-action/"
    first = client.post(url, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    made = Action.objects.get()
    assert body["created"] is True and body["action"]["id"] == str(made.pk)
    assert body["action"]["links"]["self"].endswith(f"/api/v1/actions/{made.pk}/")
    assert client.get(body["action"]["links"]["self"]).status_code == 200
    second = client.post(url, format="json")
    assert second.status_code == 200 and second.json()["created"] is False
    assert second.json()["action"]["id"] == str(made.pk) and Action.objects.count() == 1
    shown = client.get(f"/api/v1/threat-scenarios/{world.high.pk}/").json()
    assert shown["remediation_action"] == str(made.pk)


def test_api_refusals(personas: Personas, world: World) -> None:
    url = f"/api/v1/threat-scenarios/{world.high.pk}/create-action/"
    assert api_as(personas.auditor).post(url, format="json").status_code == 403
    assert api_as(personas.outsider).post(url, format="json").status_code == 404
    tolerable = api_as(personas.consultant).post(f"/api/v1/threat-scenarios/{world.low.pk}/create-action/")
    assert tolerable.status_code == 400 and "within tolerable risk" in str(tolerable.json()["residual_risk"])
    assert not Action.objects.exists()
    # The field is read-only: a client sending the representation back cannot set it.
    scenario = api_as(personas.consultant).get(f"/api/v1/threat-scenarios/{world.low.pk}/").json()
    assert scenario["remediation_action"] is None


def test_the_register_row_offers_the_action_then_links_to_it(personas: Personas, world: World) -> None:
    consultant = client_for(personas.consultant)
    register = f"/risk/{world.ra.pk}/register/"
    url = f"/risk/scenarios/{world.high.pk}/create-action/"
    page = consultant.get(register).content.decode()
    assert url in page  # the scenario above tolerable offers it...
    assert f"/risk/scenarios/{world.low.pk}/create-action/" not in page  # ...the tolerable one does not
    assert url not in client_for(personas.auditor).get(register).content.decode()
    response = consultant.post(url)
    made = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    again = consultant.post(url, follow=True)
    assert again.redirect_chain[-1][0] == made.get_absolute_url() and "already has its remediation action" in (
        again.content.decode()
    )
    assert Action.objects.count() == 1
    for user in (personas.consultant, personas.auditor):  # every reader sees the link
        page = client_for(user).get(register).content.decode()
        assert f'href="{made.get_absolute_url()}"' in page and url not in page
    row = consultant.get(f"/risk/scenarios/{world.high.pk}/").content.decode()
    assert "Remediation action: Additional countermeasures: Ransomware on the PLCs" in row


def test_the_page_refuses_readers_outsiders_and_tolerable_scenarios(personas: Personas, world: World) -> None:
    url = f"/risk/scenarios/{world.high.pk}/create-action/"
    assert client_for(personas.auditor).post(url).status_code == 403
    assert client_for(personas.outsider).post(url).status_code == 404
    tolerable = client_for(personas.consultant).post(f"/risk/scenarios/{world.low.pk}/create-action/", follow=True)
    assert tolerable.status_code == 200 and "within tolerable risk" in tolerable.content.decode()
    assert not Action.objects.exists()
