"""The remediation API: the permission matrix on every endpoint, the contract fields, If-Match
(428/412), validation errors, generation, suggestions, verification, the roadmap, query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.choices import ResultStatus
from remediation.choices import ActionStatus, FindingStatus
from remediation.models import Action, Finding
from tests.assessments.api_helpers import documented_paths
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as, shared_by_the_module
from tests.remediation.helpers import Scenario, build_scenario, finish, generated, make_action, manual_finding, record

pytestmark = pytest.mark.django_db


@dataclass
class World:
    mine: Scenario
    theirs: Scenario
    finding: Finding  # Zone 1 SR 1.1, generated
    action: Action  # planned, on that finding
    done: Action  # done, on an audit finding


def build_world(personas: Personas) -> World:
    theirs = build_scenario(personas.other_site, personas.outsider, prefix="B")
    generated(theirs)
    mine = build_scenario(personas.site, personas.consultant)
    generated(mine)
    finding = mine.finding(mine.zone1, "SR 1.1")
    action = make_action(personas.site, personas.owner, [finding], owner=personas.owner)
    audit = manual_finding(personas.site, personas.owner)
    done = finish(make_action(personas.site, personas.owner, [audit], title="Write the plan"), personas.owner)
    return World(mine, theirs, finding, action, done)


# Built once for the module (two scenarios with generated findings); see shared_by_the_module.
_shared_world, _fresh_world, personas, world = shared_by_the_module(build_world)


def etag(obj: Finding | Action) -> str:
    obj.refresh_from_db()
    return f'"{obj.version}"'


# --- the permission matrix ---------------------------------------------------------------------------
def read_urls(w: World) -> dict[str, str]:
    site, a = w.mine.site.pk, w.mine.assessment.pk
    return {
        "finding": f"/api/v1/findings/{w.finding.pk}/",
        "action": f"/api/v1/actions/{w.action.pk}/",
        "suggestions by site": f"/api/v1/actions/suggestions/?site={site}",
        "suggestions by assessment": f"/api/v1/actions/suggestions/?assessment={a}",
        "roadmap": f"/api/v1/roadmap/?site={site}",
        "gantt": f"/api/v1/roadmap/gantt.svg?site={site}",
    }


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    for label, url in read_urls(world).items():
        assert client.get(url).status_code == (404 if name == "outsider" else 200), label
    findings = {f["id"] for f in client.get("/api/v1/findings/").json()["results"]}
    actions = {a["id"] for a in client.get("/api/v1/actions/").json()["results"]}
    mine = {str(f.pk) for f in Finding.objects.filter(site=personas.site)}
    theirs = {str(f.pk) for f in Finding.objects.filter(site=personas.other_site)}
    if name == "outsider":
        assert findings == theirs and actions == set()
    else:
        assert findings == mine and actions == {str(world.action.pk), str(world.done.pk)}


def write_calls(w: World, personas: Personas) -> dict[str, tuple[str, str, dict[str, Any], str | None]]:
    site = str(personas.site.pk)
    return {
        "create finding": (
            "post",
            "/api/v1/findings/",
            {"site": site, "title": "Pen test: default SNMP community", "source": "vulnerability_scan",
             "severity": "medium", "identified": "2026-11-02", "requirement": "SR 1.5"},
            None,
        ),
        "edit finding": ("patch", f"/api/v1/findings/{w.finding.pk}/", {"severity": "high"}, etag(w.finding)),
        "generate": ("post", "/api/v1/findings/generate/", {"assessment": str(w.mine.assessment.pk)}, None),
        "create action": (
            "post",
            "/api/v1/actions/",
            {"site": site, "title": "MFA on the jump host", "findings": [str(w.finding.pk)], "phase": "short_term",
             "effort_days": "3", "due_date": "2027-02-26", "status": "planned"},
            None,
        ),
        "edit action": ("patch", f"/api/v1/actions/{w.action.pk}/", {"status": "in_progress"}, etag(w.action)),
        "verify": ("post", f"/api/v1/actions/{w.done.pk}/verify/", {"note": "Plan reviewed"}, etag(w.done)),
    }  # fmt: skip


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_writes(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    expected_ok = {"create finding": 201, "create action": 201}
    for label, (method, url, body, version) in write_calls(world, personas).items():
        headers = {"HTTP_IF_MATCH": version} if version else {}
        response = getattr(client, method)(url, body, format="json", **headers)
        if name in WRITERS:
            assert response.status_code == expected_ok.get(label, 200), (label, response.content)
        elif name == "auditor":
            assert response.status_code == 403, label
        else:  # another organization's objects do not exist for them
            creates = label in ("create finding", "create action", "generate")
            assert response.status_code == (400 if creates else 404), (label, response.content)
    created = Finding.objects.filter(title="Pen test: default SNMP community").count()
    assert created == (1 if name in WRITERS else 0)
    assert Action.objects.get(pk=world.done.pk).status == ("verified" if name in WRITERS else "done")


# --- contract ------------------------------------------------------------------------------------
def test_finding_representation(personas: Personas, world: World) -> None:
    response = api_as(personas.auditor).get(f"/api/v1/findings/{world.finding.pk}/")
    assert response["ETag"] == f'"{world.finding.version}"'
    body = response.json()
    assert body["site"] == str(personas.site.pk)
    assert body["zone"] == str(world.mine.zone1.pk) and body["conduit"] is None
    assert body["assessment"] == str(world.mine.assessment.pk)
    assert len(body["results"]) == 2
    assert (body["requirement"], body["source"], body["severity"], body["status"]) == (
        "SR 1.1",
        "assessment",
        "critical",
        "in_remediation",
    )
    assert body["actions"] == [str(world.action.pk)]
    assert body["links"]["self"] == f"http://testserver/api/v1/findings/{world.finding.pk}/"
    for key in ("title", "description", "reference", "severity_rationale", "identified", "resolved_at", "version"):
        assert key in body


def test_action_representation(personas: Personas, world: World) -> None:
    body = api_as(personas.auditor).get(f"/api/v1/actions/{world.action.pk}/").json()
    assert body["findings"] == [str(world.finding.pk)]
    assert body["zones"] == [str(world.mine.zone1.pk)]
    assert (body["owner"], body["owner_name"]) == (str(personas.owner.pk), "persona-owner")
    assert (body["priority"], body["priority_label"], body["risk_reduction"]) == (1, "P1 · quick win", 8)
    assert (body["status"], body["phase"], body["effort_days"], body["due_date"]) == (
        "planned",
        "mid_term",
        "3.0",
        "2027-03-31",
    )
    assert body["overdue"] is False
    keys = {
        "cost_estimate",
        "planned_start",
        "needs_maintenance_window",
        "maintenance_window",
        "test_procedure",
        "rollback_plan",
        "compensating",
        "completed_on",
        "verified_on",
        "verified_by",
        "priority_score",
    }
    assert keys <= set(body)


def test_create_finding_validates_fields(personas: Personas) -> None:
    client = api_as(personas.owner)
    body = {
        "site": str(personas.site.pk),
        "title": "x",
        "source": "rumour",
        "severity": "huge",
        "requirement": "SR 9.9",
    }
    response = client.post("/api/v1/findings/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "is not a valid finding source" in errors["source"][0]
    assert "is not a valid severity" in errors["severity"][0]
    assert errors["requirement"] == ['"SR 9.9" is not an SR of IEC 62443-3-3 (e.g. "SR 1.2").']
    response = client.post("/api/v1/findings/", {**body, "source": "assessment", "severity": "low",
                                                  "requirement": "SR 1.1"}, format="json")  # fmt: skip
    assert response.status_code == 400 and "source" in response.json()
    response = client.post("/api/v1/findings/", {**body, "source": "incident", "severity": "low", "requirement": None,
                                                  "colour": "red"}, format="json")  # fmt: skip
    assert response.json() == {"non_field_errors": ["Unknown fields: colour."]}


def test_create_action_from_a_suggestion(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    suggestions = client.get(f"/api/v1/actions/suggestions/?assessment={world.mine.assessment.pk}").json()
    assert [s["requirement"] for s in suggestions] == ["SR 5.1", "SR 1.1"]
    body = suggestions[1]["action"]
    assert body["zones"] == [str(world.mine.zone2.pk)]  # Zone 1's SR 1.1 already has an action
    response = client.post("/api/v1/actions/", body, format="json")
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    created = Action.objects.get(pk=response.json()["id"])
    assert created.status == ActionStatus.PLANNED and created.created_by == personas.consultant
    remaining = client.get(f"/api/v1/actions/suggestions/?site={personas.site.pk}").json()
    assert [s["requirement"] for s in remaining] == ["SR 5.1"]


def test_suggestions_need_a_site_or_an_assessment(personas: Personas) -> None:
    client = api_as(personas.owner)
    assert client.get("/api/v1/actions/suggestions/").status_code == 400
    assert client.get("/api/v1/actions/suggestions/?site=not-a-uuid").status_code == 400


def test_patch_needs_if_match_and_refuses_stale_versions(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    url = f"/api/v1/actions/{world.action.pk}/"
    assert client.patch(url, {"title": "New"}, format="json").status_code == 428
    stale = client.patch(url, {"title": "New"}, format="json", HTTP_IF_MATCH='"999"')
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Named accounts"
    ok = client.patch(url, {"title": "New"}, format="json", HTTP_IF_MATCH=etag(world.action))
    assert ok.status_code == 200 and ok["ETag"] == f'"{world.action.version + 1}"'
    url = f"/api/v1/findings/{world.finding.pk}/"
    assert client.patch(url, {"severity": "low"}, format="json").status_code == 428
    assert client.patch(url, {"severity": "low"}, format="json", HTTP_IF_MATCH='"999"').status_code == 412


def test_patch_refuses_bad_moves_with_field_errors(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    url = f"/api/v1/actions/{world.action.pk}/"
    response = client.patch(url, {"status": "verified"}, format="json", HTTP_IF_MATCH=etag(world.action))
    assert response.status_code == 400 and "verify flow" in response.json()["status"][0]
    response = client.patch(url, {"site": str(personas.other_site.pk)}, format="json", HTTP_IF_MATCH=etag(world.action))
    assert response.status_code == 400


def test_generate_reports_counts(personas: Personas, world: World) -> None:
    response = api_as(personas.owner).post(
        "/api/v1/findings/generate/", {"assessment": str(world.mine.assessment.pk)}, format="json"
    )
    assert response.json() == {"created": 0, "linked": 0, "unchanged": 3, "resolved": 0, "not_assessed": 0}


def test_verify_asks_before_leaving_results_unsatisfied(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    action = finish(world.action, personas.owner)
    url = f"/api/v1/actions/{action.pk}/verify/"
    response = client.post(url, {}, format="json", HTTP_IF_MATCH=etag(action))
    assert response.status_code == 400 and "results" in response.json()
    for ref in ("SR 1.1", "SR 1.1 RE 1"):
        record(world.mine.assessment, world.mine.zone1, ref, ResultStatus.MET, personas.owner)
    response = client.post(url, {"note": "Tested"}, format="json", HTTP_IF_MATCH=etag(action))
    assert response.status_code == 200
    body = response.json()
    assert body["resolved"] == [str(world.finding.pk)]
    assert body["action"]["status"] == "verified" and body["action"]["verification_note"] == "Tested"
    assert Finding.objects.get(pk=world.finding.pk).status == FindingStatus.RESOLVED


def test_list_filters(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    make_action(personas.site, personas.owner, title="Late one", planned_start=None, due_date=date(2020, 1, 1))
    titles = [a["title"] for a in client.get("/api/v1/actions/?overdue=true").json()["results"]]
    assert titles == ["Late one"]
    zone2 = client.get(f"/api/v1/actions/?zone={world.mine.zone2.pk}").json()["results"]
    assert zone2 == []
    assert client.get("/api/v1/actions/?status=later").status_code == 400
    by_finding = client.get(f"/api/v1/actions/?finding={world.finding.pk}").json()["results"]
    assert [a["id"] for a in by_finding] == [str(world.action.pk)]
    critical = client.get(f"/api/v1/findings/?site={personas.site.pk}&severity=critical").json()["results"]
    assert {f["requirement"] for f in critical} == {"SR 1.1", "SR 5.1"}
    assert client.get("/api/v1/findings/?source=gossip").status_code == 400


def test_roadmap_endpoint(personas: Personas, world: World) -> None:
    body = api_as(personas.auditor).get(f"/api/v1/roadmap/?site={personas.site.pk}").json()
    assert [p["phase"] for p in body["phases"]] == ["quick_win", "short_term", "mid_term", "long_term"]
    assert body["assessment"] == str(world.mine.assessment.pk)
    zone1 = next(r for r in body["projection"] if r["name"] == "Zone 1")
    assert zone1["uncovered"] == [{"fr": "FR5", "without_action": 1, "not_assessed": 0}]
    assert zone1["verdict"] == "Not with the planned actions: FR5 uncovered"
    assert zone1["sl_projected"]["FR1"] == 2
    svg = api_as(personas.auditor).get(f"/api/v1/roadmap/gantt.svg?site={personas.site.pk}")
    assert svg["Content-Type"] == "image/svg+xml" and b"Named accounts" in svg.content


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_take_constant_queries(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    actions, findings = _queries(client, "/api/v1/actions/"), _queries(client, "/api/v1/findings/")
    for n in range(4):
        make_action(personas.site, personas.owner, list(Finding.objects.filter(site=personas.site)), title=f"A{n}")
        manual_finding(personas.site, personas.owner, title=f"F{n}")
    assert _queries(client, "/api/v1/actions/") == actions
    assert _queries(client, "/api/v1/findings/") == findings


def test_openapi_schema_documents_the_endpoints(personas: Personas) -> None:
    paths = documented_paths(personas.owner,
        "/api/v1/findings/", "/api/v1/findings/{id}/", "/api/v1/findings/generate/",
        "/api/v1/actions/", "/api/v1/actions/{id}/", "/api/v1/actions/{id}/verify/", "/api/v1/actions/suggestions/",
        "/api/v1/roadmap/", "/api/v1/roadmap/gantt.svg")  # fmt: skip
    assert set(paths["/api/v1/actions/{id}/"]) == {"get", "patch"}
