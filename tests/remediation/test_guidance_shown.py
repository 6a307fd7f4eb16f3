"""Suggested actions and actions carry the typical remediation of their requirements (the 3-3
guidance file): on the suggestion page, in the API's suggestions, and on the action page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from compliance.models import Requirement
from remediation import selectors
from remediation.models import Action
from tests.conftest import Personas, api_as
from tests.remediation.helpers import TODAY, Scenario, build_scenario, generated, make_action, manual_finding

pytestmark = pytest.mark.django_db


def advice(ref: str) -> str:
    text: str = Requirement.objects.current().get(catalogue__part="3-3", ref=ref).guidance
    assert text, f"{ref} has no guidance loaded"
    return text


@pytest.fixture
def scenario(personas: Personas) -> Scenario:
    s = build_scenario(personas.site, personas.consultant)
    generated(s)
    return s


def test_a_suggestion_carries_the_guidance_of_its_sr_and_the_res_in_the_gap(scenario: Scenario) -> None:
    by_ref = {s.requirement.ref: s for s in selectors.suggestions(scenario.site, TODAY) if s.requirement}
    assert [(g.ref, g.text) for g in by_ref["SR 1.1"].guidance] == [
        ("SR 1.1", advice("SR 1.1")),
        ("SR 1.1 RE 1", advice("SR 1.1 RE 1")),  # partially met in Zone 1: part of the gap
    ]
    assert [g.ref for g in by_ref["SR 5.1"].guidance] == ["SR 5.1"]


def test_a_finding_with_a_requirement_and_no_description_starts_its_action_from_the_guidance(
    personas: Personas,
) -> None:
    sr112 = Requirement.objects.current().get(catalogue__part="3-3", ref="SR 1.12")
    manual_finding(personas.site, personas.consultant, requirement=sr112, description="")
    (suggestion,) = selectors.suggestions(personas.site, TODAY)
    assert suggestion.description == advice("SR 1.12")
    described = manual_finding(
        personas.site, personas.consultant, title="Banner", requirement=sr112, description="Ours"
    )
    assert {s.description for s in selectors.suggestions(personas.site, TODAY, [described])} == {"Ours"}


def test_the_suggestion_page_shows_the_guidance(client: Any, personas: Personas, scenario: Scenario) -> None:
    client.force_login(personas.auditor)  # a reader sees the advice too, without the accept buttons
    page = client.get(f"/roadmap/suggestions/?site={personas.site.pk}").content.decode()
    assert "Typical remediation" in page
    for ref in ("SR 1.1", "SR 1.1 RE 1", "SR 5.1"):
        assert escape(advice(ref)) in page


def test_the_api_suggestions_carry_a_guidance_field(personas: Personas, scenario: Scenario) -> None:
    body = api_as(personas.owner).get(f"/api/v1/actions/suggestions/?site={personas.site.pk}").json()
    by_ref = {s["requirement"]: s for s in body}
    assert by_ref["SR 5.1"]["guidance"] == [
        {"requirement": "SR 5.1", "title": "Network segmentation", "text": advice("SR 5.1")}
    ]
    assert [g["requirement"] for g in by_ref["SR 1.1"]["guidance"]] == ["SR 1.1", "SR 1.1 RE 1"]


def test_the_action_page_shows_the_guidance_of_the_requirements_behind_its_findings(
    client: Any, personas: Personas, scenario: Scenario
) -> None:
    findings = [scenario.finding(scenario.zone1, "SR 1.1"), scenario.finding(scenario.zone1, "SR 5.1")]
    action = make_action(personas.site, personas.owner, findings, title="Accounts and segmentation")
    client.force_login(personas.owner)
    page = client.get(action.get_absolute_url()).content.decode()
    assert 'id="action-guidance"' in page
    for ref in ("SR 1.1", "SR 1.1 RE 1", "SR 5.1"):
        assert escape(advice(ref)) in page
    # In catalogue order, SR 1.1 before its RE before SR 5.1.
    positions = [page.index(escape(advice(ref))) for ref in ("SR 1.1", "SR 1.1 RE 1", "SR 5.1")]
    assert positions == sorted(positions)


def test_an_action_without_requirements_shows_no_guidance_card(client: Any, personas: Personas) -> None:
    action: Action = make_action(personas.site, personas.owner, [manual_finding(personas.site, personas.owner)])
    client.force_login(personas.owner)
    assert 'id="action-guidance"' not in client.get(action.get_absolute_url()).content.decode()


def test_action_guidance_takes_constant_queries(personas: Personas, scenario: Scenario) -> None:
    one = make_action(personas.site, personas.owner, [scenario.finding(scenario.zone1, "SR 5.1")], title="One")
    many = make_action(
        personas.site,
        personas.owner,
        [scenario.finding(scenario.zone1, "SR 1.1"), scenario.finding(scenario.zone2, "SR 1.1")],
        title="Many",
    )
    counts = []
    for action in (one, many):
        with CaptureQueriesContext(connection) as queries:
            selectors.action_guidance(action)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 1
