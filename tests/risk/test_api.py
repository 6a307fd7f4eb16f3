"""The risk API: who reads and writes what (per persona), bad input is a 400 naming the field with nothing written,
If-Match (428/412), the approval and revision rules, the proposal and applying it with history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from assessments import services as gap_services
from compliance.sl import SLVector
from risk import services
from risk.choices import RiskStatus
from risk.models import AppliedTarget, RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource
from risk.selectors import matrix_for
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as
from tests.factories import MembershipFactory, SiteFactory
from tests.risk import helpers
from tests.zones.plant import Plant, make_zone, small_plant
from zones.models import Zone

pytestmark = pytest.mark.django_db
ALL = {f"FR{n}": 2 for n in range(1, 8)}


@dataclass
class World:
    plant: Plant
    ra: RiskAssessment
    scenario: ThreatScenario
    other_plant: Plant
    other_ra: RiskAssessment


@pytest.fixture
def world(personas: Personas) -> World:
    plant = small_plant(personas.site)
    ra = helpers.assessment(personas.site, title="Risk 2026")
    crime = helpers.source(personas.org, "Cybercriminal group")
    scenario = helpers.scenario(ra, plant.control, crime, frs=["FR1", "FR5"])
    other_plant = small_plant(personas.other_site)
    other_ra = helpers.assessment(personas.other_site, title="Theirs")
    return World(plant, helpers_refresh(ra), scenario, other_plant, other_ra)


def helpers_refresh(ra: RiskAssessment) -> RiskAssessment:
    ra.refresh_from_db()
    return ra


def if_match(obj: Any) -> dict[str, Any]:
    obj.refresh_from_db()
    return {"HTTP_IF_MATCH": f'"{obj.version}"'}


def scenario_body(world: World, **changes: Any) -> dict[str, Any]:
    body = {
        "risk_assessment": str(world.ra.pk),
        "zone": str(world.plant.dmz.pk),
        "title": "Ransomware on the historian",
        "threat_source": str(ThreatSource.objects.get(organization=world.ra.site.organization, name="Hacktivist").pk),
        "frs": ["FR2", "FR7"],
        "likelihood": 3,
        "consequence": {"safety": 2, "production": 4},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def approve(ra: RiskAssessment, personas: Personas) -> RiskAssessment:
    services.risk_assessment_update(assessment=ra, by=personas.consultant, fields={"status": RiskStatus.IN_REVIEW})
    return services.risk_assessment_update(assessment=ra, by=personas.owner, fields={"status": RiskStatus.APPROVED})


# --- the matrix and threat sources ----------------------------------------------------------------------------
def test_every_organization_starts_with_the_default_matrix_and_the_five_sources(personas: Personas) -> None:
    body = api_as(personas.auditor).get("/api/v1/risk-matrices/").json()
    assert body["count"] == 1
    matrix = body["results"][0]
    assert matrix["organization"] == str(personas.org.pk)
    assert matrix["tolerable_rank"] == 2 and len(matrix["ranks"]) == 5
    sources = api_as(personas.auditor).get("/api/v1/threat-sources/").json()["results"]
    assert {(s["name"], s["capability"]) for s in sources} == {
        ("Operator error", 1),
        ("Disgruntled insider", 2),
        ("Hacktivist", 2),
        ("Cybercriminal group", 3),
        ("Nation-state actor", 4),
    }
    api_as(personas.auditor).get("/api/v1/risk-matrices/")  # idempotent
    assert RiskMatrix.objects.filter(organization=personas.org).count() == 1
    assert ThreatSource.objects.filter(organization=personas.org).count() == 5


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_matrix_edit_matrix(personas: Personas, name: str) -> None:
    matrix = matrix_for(personas.org)
    response = api_as(personas.by_name(name)).patch(
        f"/api/v1/risk-matrices/{matrix.pk}/", {"tolerable_rank": 3}, format="json", **if_match(matrix)
    )
    expected = {"admin": 200, "consultant": 200, "owner": 403, "auditor": 403, "outsider": 404}[name]
    assert response.status_code == expected, response.json()
    matrix.refresh_from_db()
    assert matrix.tolerable_rank == (3 if expected == 200 else 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ranks": [[1, 2, 3, 4, 5]] * 4}, "ranks"),
        ({"ranks": [[1, 2, 3, 4, 5]] * 4 + [[1, 2, 3, 4]]}, "ranks"),
        ({"ranks": [[1, 2, 3, 4, 5]] * 4 + [[1, 2, 3, 4, 6]]}, "ranks"),
        ({"ranks": [[0, 2, 3, 4, 5]] * 5}, "ranks"),
        ({"tolerable_rank": 6}, "tolerable_rank"),
        ({"likelihood_labels": ["a", "b"]}, "likelihood_labels"),
        ({"colour": "red"}, "non_field_errors"),
    ],
)
def test_bad_matrices_are_400_and_nothing_is_written(personas: Personas, change: dict[str, Any], field: str) -> None:
    matrix = matrix_for(personas.org)
    response = api_as(personas.admin).patch(
        f"/api/v1/risk-matrices/{matrix.pk}/", {"tolerable_rank": 4, **change}, format="json", **if_match(matrix)
    )
    assert response.status_code == 400
    assert field in response.json()
    fresh = RiskMatrix.objects.get(pk=matrix.pk)
    assert (fresh.version, fresh.tolerable_rank, fresh.ranks) == (matrix.version, 2, matrix.ranks)


def test_matrix_writes_need_a_current_if_match(personas: Personas) -> None:
    matrix = matrix_for(personas.org)
    client = api_as(personas.consultant)
    url = f"/api/v1/risk-matrices/{matrix.pk}/"
    assert client.patch(url, {"tolerable_rank": 3}, format="json").status_code == 428
    assert client.patch(url, {"tolerable_rank": 3}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    stale = client.patch(url, {"tolerable_rank": 4}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["tolerable_rank"] == 3


def test_threat_sources_crud_and_capability_bounds(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    org = str(personas.org.pk)
    bad = client.post("/api/v1/threat-sources/", {"organization": org, "name": "X", "capability": 5}, format="json")
    assert bad.status_code == 400 and "capability" in bad.json()
    vendor = {"organization": org, "name": "Vendor", "capability": 3}
    made = client.post("/api/v1/threat-sources/", vendor, format="json")
    assert made.status_code == 201, made.json()
    url = f"/api/v1/threat-sources/{made.json()['id']}/"
    assert client.patch(url, {"capability": 4}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    assert client.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    used = world.scenario.threat_source
    in_use = client.delete(f"/api/v1/threat-sources/{used.pk}/", **if_match(used))
    assert in_use.status_code == 409
    owner = api_as(personas.owner).post(
        "/api/v1/threat-sources/", {"organization": org, "name": "Y", "capability": 1}, format="json"
    )
    assert owner.status_code == 403
    outsider = api_as(personas.outsider).get(f"/api/v1/threat-sources/{used.pk}/")
    assert outsider.status_code == 404


# --- risk assessments: who, and the approval ---------------------------------------------------------------
@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_risk_assessment_read_and_write_matrix(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    detail = client.get(f"/api/v1/risk-assessments/{world.ra.pk}/")
    listing = client.get("/api/v1/risk-assessments/").json()
    scenario = client.get(f"/api/v1/threat-scenarios/{world.scenario.pk}/")
    if name == "outsider":
        assert detail.status_code == scenario.status_code == 404
        assert str(world.ra.pk) not in str(listing)
    else:
        assert detail.status_code == scenario.status_code == 200
        assert [r["id"] for r in listing["results"]] == [str(world.ra.pk)]
    created = client.post(
        "/api/v1/risk-assessments/", {"site": str(personas.site.pk), "title": f"By {name}"}, format="json"
    )
    assert created.status_code == (201 if name in WRITERS else 403 if name == "auditor" else 400)
    patched = client.patch(
        f"/api/v1/threat-scenarios/{world.scenario.pk}/", {"likelihood": 2}, format="json", **if_match(world.scenario)
    )
    assert patched.status_code == (200 if name in WRITERS else 403 if name == "auditor" else 404)


def test_approval_by_owner_or_admin_only_and_revisions(personas: Personas, world: World) -> None:
    url = f"/api/v1/risk-assessments/{world.ra.pk}/"
    consultant, owner = api_as(personas.consultant), api_as(personas.owner)
    early = owner.patch(url, {"status": "approved"}, format="json", **if_match(world.ra))
    assert early.status_code == 400 and "status" in early.json()  # draft -> approved skips the review
    submitted = consultant.patch(url, {"status": "in_review"}, format="json", **if_match(world.ra))
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    refused = consultant.patch(url, {"status": "approved"}, format="json", **if_match(world.ra))
    assert refused.status_code == 403 and "asset owner" in refused.json()["detail"]
    approved = owner.patch(url, {"status": "approved"}, format="json", **if_match(world.ra))
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["revision"] == 1
    assert body["approved_by"]["id"] == str(personas.owner.pk) and body["approved_at"]
    # A change to the approved assessment: a new revision, in draft, to approve again.
    edited = consultant.patch(url, {"scope": "Now with the remote access"}, format="json", **if_match(world.ra))
    assert edited.json()["status"] == "draft" and edited.json()["revision"] == 2
    assert edited.json()["approved_by"] is None
    history = list(RiskAssessment.history.filter(id=world.ra.pk).values_list("revision", "status"))
    assert (1, "approved") in history


def test_a_scenario_change_after_approval_makes_a_new_revision(personas: Personas, world: World) -> None:
    approve(world.ra, personas)
    response = api_as(personas.consultant).post("/api/v1/threat-scenarios/", scenario_body(world), format="json")
    assert response.status_code == 201, response.json()
    world.ra.refresh_from_db()
    assert (world.ra.status, world.ra.revision, world.ra.approved_by) == ("draft", 2, None)
    approve(world.ra, personas)
    url = f"/api/v1/threat-scenarios/{world.scenario.pk}/"
    deleted = api_as(personas.owner).delete(url, **if_match(world.scenario))
    assert deleted.status_code == 204
    world.ra.refresh_from_db()
    assert (world.ra.status, world.ra.revision) == ("draft", 3)


def test_an_approved_assessment_cannot_be_deleted(personas: Personas, world: World) -> None:
    approve(world.ra, personas)
    response = api_as(personas.admin).delete(f"/api/v1/risk-assessments/{world.ra.pk}/", **if_match(world.ra))
    assert response.status_code == 409
    assert RiskAssessment.objects.filter(pk=world.ra.pk).exists()


# --- scenarios: bad input ------------------------------------------------------------------------------------
def bad_inputs(world: World, personas: Personas) -> list[tuple[dict[str, Any], str]]:
    same_org_site = SiteFactory.create(organization=personas.org, name="Second site")
    elsewhere = make_zone(same_org_site, "Elsewhere")
    theirs = helpers.source(personas.other_org, "Hacktivist")
    return [
        ({"likelihood": 6}, "likelihood"),
        ({"likelihood": 0}, "likelihood"),
        ({"consequence": {"safety": -1}}, "consequence"),
        ({"consequence": {"safety": 6}}, "consequence"),
        ({"consequence": {"beauty": 2}}, "consequence"),
        ({"frs": ["FR9"]}, "frs"),
        ({"frs": []}, "frs"),
        ({"frs": ["FR1", "FR1"]}, "frs"),
        ({"zone": str(elsewhere.pk)}, "zone"),
        ({"zone": str(world.other_plant.dmz.pk)}, "zone"),
        ({"zone": None, "conduit": None}, "zone"),
        ({"conduit": str(world.plant.conduit.pk)}, "zone"),  # both zone and conduit
        ({"threat_source": str(theirs.pk)}, "threat_source"),
        ({"residual_likelihood": 9}, "residual_likelihood"),
        ({"residual_consequence": -1}, "residual_consequence"),
        ({"severity": 3}, "non_field_errors"),
    ]


def test_bad_scenarios_are_400_naming_the_field_and_nothing_is_written(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    before = (ThreatScenario.objects.count(), helpers_refresh(world.ra).version)
    for change, field in bad_inputs(world, personas):
        response = client.post("/api/v1/threat-scenarios/", scenario_body(world, **change), format="json")
        assert response.status_code == 400, (change, response.json())
        assert field in response.json(), (change, response.json())
    assert (ThreatScenario.objects.count(), helpers_refresh(world.ra).version) == before


def test_a_source_of_another_organization_is_refused_even_for_a_member_of_both(
    personas: Personas, world: World
) -> None:
    MembershipFactory.create(user=personas.consultant, organization=personas.other_org, role=Role.CONSULTANT)
    theirs = helpers.source(personas.other_org, "Hacktivist")
    response = api_as(personas.consultant).post(
        "/api/v1/threat-scenarios/", scenario_body(world, threat_source=str(theirs.pk)), format="json"
    )
    assert response.status_code == 400
    assert "organization" in response.json()["threat_source"][0]


def test_scenario_writes_need_a_current_if_match(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    url = f"/api/v1/threat-scenarios/{world.scenario.pk}/"
    assert client.patch(url, {"likelihood": 2}, format="json").status_code == 428
    ok = client.patch(url, {"likelihood": 2}, format="json", **if_match(world.scenario))
    assert ok.status_code == 200 and ok.json()["likelihood"] == 2
    stale = client.patch(url, {"likelihood": 5}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current"]["likelihood"] == 2


def test_scenario_shows_its_risk_and_filters(personas: Personas, world: World) -> None:
    client = api_as(personas.auditor)
    body = client.get(f"/api/v1/threat-scenarios/{world.scenario.pk}/").json()
    # likelihood 4, worst consequence 5: rank 5 in the default matrix, tolerable 2.
    assert body["risk"] == {
        "consequence": 5,
        "rank": 5,
        "exceeds_tolerable": True,
        "residual_rank": 5,
        "additional_countermeasures_needed": True,
    }
    assert body["frs"] == ["FR1", "FR5"]
    listed = client.get(f"/api/v1/threat-scenarios/?zone={world.plant.control.pk}").json()
    assert [s["id"] for s in listed["results"]] == [str(world.scenario.pk)]
    assert client.get(f"/api/v1/threat-scenarios/?zone={world.plant.dmz.pk}").json()["count"] == 0
    assert client.get(f"/api/v1/threat-scenarios/?risk_assessment={world.ra.pk}").json()["count"] == 1


# --- the proposal ----------------------------------------------------------------------------------------------
def test_sl_targets_follow_the_rule_with_reasons(personas: Personas, world: World) -> None:
    nation = helpers.source(personas.org, "Nation-state actor")
    insider = helpers.source(personas.org, "Disgruntled insider")
    tolerable = helpers.scenario(world.ra, world.plant.control, nation, likelihood=1, consequence=helpers.LOW)
    on_conduit = helpers.scenario(world.ra, world.plant.conduit, insider, frs=["FR5"])
    body = api_as(personas.auditor).get(f"/api/v1/risk-assessments/{world.ra.pk}/sl-targets/").json()
    zones = {z["name"]: z for z in body["zones"]}
    control = zones["Control"]
    assert control["current"] == ALL
    assert control["proposed"] == {"FR1": 3, "FR2": 1, "FR3": 1, "FR4": 1, "FR5": 3, "FR6": 1, "FR7": 1}
    crime = str(world.scenario.threat_source_id)
    assert control["reasons"] == [
        {"fr": "FR1", "level": 3, "scenario": str(world.scenario.pk), "threat_source": crime},
        {"fr": "FR5", "level": 3, "scenario": str(world.scenario.pk), "threat_source": crime},
    ]
    assert str(tolerable.pk) not in str(control["reasons"])  # rank 1: tolerable, sets nothing
    assert control["initial_risk"] == {"worst_consequence": 5, "rank": 5, "above_tolerable": True}
    assert zones["DMZ"]["proposed"] == {f"FR{n}": 1 for n in range(1, 8)} and zones["DMZ"]["reasons"] == []
    assert zones["DMZ"]["initial_risk"]["above_tolerable"] is False
    (conduit,) = body["conduits"]
    assert conduit["proposed"]["FR5"] == 2 and conduit["reasons"][0]["scenario"] == str(on_conduit.pk)
    assert api_as(personas.outsider).get(f"/api/v1/risk-assessments/{world.ra.pk}/sl-targets/").status_code == 404


def queries_for_sl_targets(personas: Personas, zones: int) -> int:
    site = SiteFactory.create(organization=personas.org, name=f"Site of {zones}")
    ra = helpers.assessment(site)
    crime = helpers.source(personas.org, "Cybercriminal group")
    for n in range(zones):
        zone = make_zone(site, f"Zone {n}")
        for m in range(3):
            helpers.scenario(ra, zone, crime, title=f"S{m}", likelihood=1 + m)
    client = api_as(personas.consultant)
    client.get(f"/api/v1/risk-assessments/{ra.pk}/sl-targets/")  # warm up (session, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/risk-assessments/{ra.pk}/sl-targets/")
    assert response.status_code == 200 and len(response.json()["zones"]) == zones
    return len(captured)


def test_the_proposal_costs_the_same_queries_for_2_or_10_zones(personas: Personas) -> None:
    assert queries_for_sl_targets(personas, 2) == queries_for_sl_targets(personas, 10) <= 10


def test_listing_scenarios_costs_no_query_per_row(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    url = f"/api/v1/threat-scenarios/?risk_assessment={world.ra.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    crime = world.scenario.threat_source
    for n in range(6):
        helpers.scenario(world.ra, world.plant.dmz, crime, title=f"More {n}")
    with CaptureQueriesContext(connection) as seven:
        assert client.get(url).json()["count"] == 7
    assert len(seven) == len(one)


# --- applying it ---------------------------------------------------------------------------------------------
def apply_url(world: World) -> str:
    return f"/api/v1/risk-assessments/{world.ra.pk}/apply/"


def test_only_an_approved_assessment_is_applied(personas: Personas, world: World) -> None:
    response = api_as(personas.consultant).post(apply_url(world), {}, format="json", **if_match(world.ra))
    assert response.status_code == 400 and "status" in response.json()
    assert not AppliedTarget.objects.exists()


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_apply_matrix(personas: Personas, world: World, name: str) -> None:
    approve(world.ra, personas)
    response = api_as(personas.by_name(name)).post(apply_url(world), {}, format="json", **if_match(world.ra))
    assert response.status_code == (200 if name in WRITERS else 403 if name == "auditor" else 404)


def test_apply_writes_the_proposal_with_history_and_offers_the_resync(personas: Personas, world: World) -> None:
    gap = gap_services.assessment_create(site=personas.site, title="Gap 2026", by=personas.consultant)
    approve(world.ra, personas)
    client = api_as(personas.consultant)
    assert client.post(apply_url(world), {}, format="json").status_code == 428
    response = client.post(apply_url(world), {}, format="json", **if_match(world.ra))
    assert response.status_code == 200, response.json()
    body = response.json()
    changed = {c["name"]: c for c in body["changed"]}
    assert set(changed) == {"Control", "DMZ", "DMZ-Control"}
    assert changed["Control"]["before"] == ALL
    assert changed["Control"]["after"] == {"FR1": 3, "FR2": 1, "FR3": 1, "FR4": 1, "FR5": 3, "FR6": 1, "FR7": 1}
    control = Zone.objects.get(pk=world.plant.control.pk)
    assert control.sl_target == SLVector.of(3, 1, 1, 1, 3, 1, 1)
    latest = control.history.order_by("-history_date").first()
    assert latest is not None and "risk assessment r1" in latest.history_change_reason
    assert latest.history_user_id == personas.consultant.pk
    assert [r["assessment"] for r in body["resync"]] == [str(gap.pk)]
    assert body["resync"][0]["retired"] > 0 and body["resync"][0]["resync"].endswith(f"/assessments/{gap.pk}/resync/")
    assert AppliedTarget.objects.filter(risk_assessment=world.ra, revision=1).count() == 3
    # Applying again changes nothing.
    again = client.post(apply_url(world), {}, format="json", **if_match(world.ra)).json()
    assert again["changed"] == [] and len(again["unchanged"]) == 3


def test_apply_overrides_need_a_justification_and_nothing_is_written_without(personas: Personas, world: World) -> None:
    approve(world.ra, personas)
    client = api_as(personas.owner)
    control, dmz = str(world.plant.control.pk), str(world.plant.dmz.pk)
    vector = {**ALL, "FR3": 4}
    bad_requests = [
        ({"targets": [control], "overrides": {control: {"sl_target": vector}}}, "overrides"),
        ({"targets": [control], "overrides": {control: {"sl_target": vector, "justification": " "}}}, "overrides"),
        ({"targets": [control], "overrides": {dmz: {"sl_target": vector, "justification": "x"}}}, "overrides"),
        ({"targets": [control], "overrides": {control: {"sl_target": {**ALL, "FR3": 5}, "justification": "x"}}},
         "overrides"),
        ({"targets": [str(world.other_plant.dmz.pk)]}, "targets"),
        ({"targets": ["not-a-uuid"]}, "targets"),
        ({"everything": True}, "non_field_errors"),
    ]  # fmt: skip
    for body, field in bad_requests:
        response = client.post(apply_url(world), body, format="json", **if_match(world.ra))
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    assert Zone.objects.get(pk=control).sl_target == SLVector.uniform(2)
    assert not AppliedTarget.objects.exists()
    good = {"targets": [control], "overrides": {control: {"sl_target": vector, "justification": "SIS nearby"}}}
    response = client.post(apply_url(world), good, format="json", **if_match(world.ra))
    assert response.status_code == 200, response.json()
    assert [c["id"] for c in response.json()["changed"]] == [control]
    assert Zone.objects.get(pk=control).sl_target == SLVector.of(2, 2, 4, 2, 2, 2, 2)
    assert Zone.objects.get(pk=dmz).sl_target == SLVector.uniform(2)  # not among the targets
    applied = AppliedTarget.objects.get()
    assert applied.justification == "SIS nearby" and applied.proposed == SLVector.of(3, 1, 1, 1, 3, 1, 1)
    reason = Zone.objects.get(pk=control).history.order_by("-history_date").first()
    assert reason is not None and reason.history_change_reason.startswith("Override, risk assessment r1")


def test_apply_on_a_stale_assessment_is_412(personas: Personas, world: World) -> None:
    approve(world.ra, personas)
    response = api_as(personas.admin).post(apply_url(world), {}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert Zone.objects.get(pk=world.plant.control.pk).sl_target == SLVector.uniform(2)


def test_the_schema_lists_the_risk_endpoints(personas: Personas) -> None:
    from tests.assessments.api_helpers import schema_paths

    paths = schema_paths(personas.owner)
    for path in (
        "/api/v1/risk-matrices/{id}/",
        "/api/v1/threat-sources/",
        "/api/v1/risk-assessments/{id}/sl-targets/",
        "/api/v1/risk-assessments/{id}/apply/",
        "/api/v1/threat-scenarios/{id}/",
    ):
        assert path in paths
    assert any(p["name"] == "If-Match" for p in paths["/api/v1/threat-scenarios/{id}/"]["patch"]["parameters"])
    assert any(p["name"] == "If-Match" for p in paths["/api/v1/risk-assessments/{id}/apply/"]["post"]["parameters"])


def test_a_zone_with_threat_scenarios_is_not_deleted_from_under_them(personas: Personas, world: World) -> None:
    zone = world.plant.control
    response = api_as(personas.admin).delete(f"/api/v1/zones/{zone.pk}/", **if_match(zone))
    assert response.status_code == 409
    assert ThreatScenario.objects.filter(pk=world.scenario.pk, zone=zone).exists()


def test_a_draft_assessment_is_deleted_with_its_scenarios(personas: Personas, world: World) -> None:
    response = api_as(personas.consultant).delete(f"/api/v1/risk-assessments/{world.ra.pk}/", **if_match(world.ra))
    assert response.status_code == 204
    assert not ThreatScenario.objects.filter(pk=world.scenario.pk).exists()


def test_an_approval_names_the_register_it_saw(personas: Personas, world: World) -> None:
    services.risk_assessment_update(assessment=world.ra, by=personas.consultant, fields={"status": "in_review"})
    seen = if_match(world.ra)
    helpers.scenario(world.ra, world.plant.dmz, world.scenario.threat_source, title="Added meanwhile")
    url = f"/api/v1/risk-assessments/{world.ra.pk}/"
    response = api_as(personas.owner).patch(url, {"status": "approved"}, format="json", **seen)
    assert response.status_code == 412
    assert RiskAssessment.objects.get(pk=world.ra.pk).status == "in_review"


def test_a_new_scenario_names_all_seven_frs_by_default(personas: Personas, world: World) -> None:
    body = scenario_body(world, frs=...)
    response = api_as(personas.owner).post("/api/v1/threat-scenarios/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["frs"] == [f"FR{n}" for n in range(1, 8)]
    assert response.json()["consequence"] == {
        "safety": 2, "environment": 0, "production": 4, "financial": 0, "reputation": 0, "regulatory": 0,
    }  # fmt: skip


def test_api_scenario_writes_name_the_person_in_live_messages(
    personas: Personas, world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from risk import live

    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(live, "send_now", lambda _ra, message: sent.append(message))
    client = api_as(personas.consultant)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/threat-scenarios/", scenario_body(world), format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/threat-scenarios/{created.json()['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.patch(url, {"likelihood": 2}, format="json", HTTP_IF_MATCH=f'"{created.json()["version"]}"')
    assert changed.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        gone = client.delete(url, HTTP_IF_MATCH=f'"{changed.json()["version"]}"')
    assert gone.status_code == 204
    scenario_messages = [m for m in sent if m["type"].startswith("scenario.")]
    assert [m["type"] for m in scenario_messages] == ["scenario.created", "scenario.updated", "scenario.deleted"]
    assert all(m["by"]["id"] == str(personas.consultant.pk) for m in scenario_messages), scenario_messages
