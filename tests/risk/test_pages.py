"""The risk pages: who sees and does what (per persona), forms that keep the input and name the field, the 412
path of a stale register row and of the matrix, the workflow buttons and the apply form, a query guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from risk import services
from risk.choices import RiskStatus
from risk.models import RiskAssessment, ThreatScenario, ThreatSource
from risk.selectors import matrix_for, site_proposal
from tests.conftest import Personas
from tests.risk import helpers
from tests.zones.plant import Plant, small_plant

pytestmark = pytest.mark.django_db
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    plant: Plant
    ra: RiskAssessment
    scenario: ThreatScenario
    crime: ThreatSource


@pytest.fixture
def world(personas: Personas) -> World:
    plant = small_plant(personas.site)
    ra = helpers.assessment(personas.site, title="Risk 2026")
    crime = helpers.source(personas.org, "Cybercriminal group")
    scenario = helpers.scenario(ra, plant.control, crime, title="Ransomware on the PLCs", frs=["FR1", "FR5"])
    ra.refresh_from_db()
    return World(plant, ra, scenario, crime)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scenario_post(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "target": str(world.plant.dmz.pk),
        "title": "Hacktivists deface the HMI",
        "threat_source": str(world.crime.pk),
        "frs": ["FR2", "FR7"],
        "likelihood": "4",
        "c_safety": "2", "c_environment": "0", "c_production": "5", "c_financial": "1", "c_reputation": "3",
        "c_regulatory": "0",
        "countermeasures": "Firewall", "residual_likelihood": "", "residual_consequence": "",
        "additional_countermeasures": "",
    }  # fmt: skip
    data.update(changes)
    return data


PAGES = ("/risk/", "/risk/{ra}/", "/risk/{ra}/register/", "/risk/{ra}/heatmap/", "/risk/{ra}/proposal/",
         "/risk/organizations/{org}/matrix/", "/risk/organizations/{org}/threat-sources/")  # fmt: skip


@pytest.mark.parametrize("name", ["admin", "consultant", "owner", "auditor"])
def test_members_read_every_page(personas: Personas, world: World, name: str) -> None:
    client = client_for(personas.by_name(name))
    for page in PAGES:
        response = client.get(page.format(ra=world.ra.pk, org=personas.org.pk))
        assert response.status_code == 200, page
    register = client.get(f"/risk/{world.ra.pk}/register/").content.decode()
    assert "Ransomware on the PLCs" in register
    assert ("Add scenario" in register) == (name != "auditor")  # auditors get no edit controls
    assert (f"/risk/scenarios/{world.scenario.pk}/edit/" in register) == (name != "auditor")


def test_outsider_gets_404_everywhere(personas: Personas, world: World) -> None:
    client = client_for(personas.outsider)
    for page in PAGES[1:]:
        assert client.get(page.format(ra=world.ra.pk, org=personas.org.pk)).status_code == 404, page
    assert client.get(f"/risk/scenarios/{world.scenario.pk}/").status_code == 404
    assert client.post(f"/risk/scenarios/{world.scenario.pk}/delete/").status_code == 404
    assert "Risk 2026" not in client.get("/risk/").content.decode()


def test_auditor_cannot_write(personas: Personas, world: World) -> None:
    client = client_for(personas.auditor)
    assert client.post(f"/risk/{world.ra.pk}/register/new/", scenario_post(world), **HX).status_code == 403
    assert client.post(f"/risk/scenarios/{world.scenario.pk}/delete/").status_code == 403
    assert ThreatScenario.objects.count() == 1


def test_create_a_risk_assessment_and_bad_input_keeps_it(personas: Personas, world: World) -> None:
    client = client_for(personas.consultant)
    url = f"/sites/{personas.site.pk}/risk/new/"
    bad = client.post(url, {"title": "", "scope": "The whole plant", "baseline_sl": "1"})
    assert bad.status_code == 200
    assert "The whole plant" in bad.content.decode() and "This field is required" in bad.content.decode()
    response = client.post(url, {"title": "Second look", "scope": "The whole plant", "baseline_sl": "2"})
    created = RiskAssessment.objects.get(title="Second look")
    assert response.status_code == 302 and response["Location"] == f"/risk/{created.pk}/"
    assert created.baseline_sl == 2 and created.created_by == personas.consultant


def test_add_edit_delete_a_scenario_in_place(personas: Personas, world: World) -> None:
    client = client_for(personas.consultant)
    response = client.post(f"/risk/{world.ra.pk}/register/new/", scenario_post(world), **HX)
    assert response.status_code == 200
    added = ThreatScenario.objects.get(title="Hacktivists deface the HMI")
    assert added.zone == world.plant.dmz and added.consequence["production"] == 5 and added.frs == ["FR2", "FR7"]
    assert f'id="r-{added.pk}"' in response.content.decode()  # the row that replaces the form
    edit = client.post(
        f"/risk/scenarios/{added.pk}/edit/", scenario_post(world, title="Renamed", version=added.version), **HX
    )
    assert edit.status_code == 200 and "Renamed" in edit.content.decode()
    added.refresh_from_db()
    assert client.post(f"/risk/scenarios/{added.pk}/delete/", {"version": added.version}, **HX).status_code == 200
    assert not ThreatScenario.objects.filter(pk=added.pk).exists()


def test_bad_scenario_input_names_the_field_and_keeps_the_rest(personas: Personas, world: World) -> None:
    client = client_for(personas.consultant)
    data = scenario_post(world, likelihood="6", frs=["FR9"], c_safety="-1")
    response = client.post(f"/risk/{world.ra.pk}/register/new/", data, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "errorlist" in body
    assert "Hacktivists deface the HMI" in body  # the input is kept
    assert ThreatScenario.objects.count() == 1


def test_stale_row_answers_412_with_the_other_persons_values(personas: Personas, world: World) -> None:
    s = world.scenario
    old_version = s.version
    services.threat_scenario_save(scenario=s, fields={"title": "Changed by the owner"}, expected_version=old_version)
    client = client_for(personas.consultant)
    response = client.post(
        f"/risk/scenarios/{s.pk}/edit/", scenario_post(world, title="Mine", version=old_version), **HX
    )
    body = response.content.decode()
    assert response.status_code == 412
    assert "Changed by the owner" in body and "Mine" in body  # theirs beside yours
    s.refresh_from_db()
    assert s.title == "Changed by the owner"
    again = client.post(f"/risk/scenarios/{s.pk}/edit/", scenario_post(world, title="Mine", version=s.version), **HX)
    assert again.status_code == 200
    s.refresh_from_db()
    assert s.title == "Mine"


def test_matrix_editor_saves_and_a_stale_save_is_412(personas: Personas, world: World) -> None:
    matrix = matrix_for(personas.org)
    client = client_for(personas.consultant)
    page = client.get(f"/risk/organizations/{personas.org.pk}/matrix/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["rank_1_1"] = 2
    data["tolerable_rank"] = 3
    assert client.post(f"/risk/organizations/{personas.org.pk}/matrix/", data).status_code == 302
    matrix.refresh_from_db()
    assert matrix.ranks[0][0] == 2 and matrix.tolerable_rank == 3
    stale = client.post(f"/risk/organizations/{personas.org.pk}/matrix/", {**data, "rank_5_5": 4})
    assert stale.status_code == 412 and "their-matrix" in stale.content.decode()
    matrix.refresh_from_db()
    assert matrix.ranks[4][4] == 5
    owner = client_for(personas.owner)
    assert owner.post(f"/risk/organizations/{personas.org.pk}/matrix/", data).status_code == 403
    assert "Save the matrix" not in owner.get(f"/risk/organizations/{personas.org.pk}/matrix/").content.decode()


def test_threat_source_forms(personas: Personas, world: World) -> None:
    client = client_for(personas.consultant)
    base = f"/risk/organizations/{personas.org.pk}/threat-sources/"
    bad = client.post(base + "new/", {"name": "Competitor", "description": "", "capability": "7"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert client.post(base + "new/", {"name": "Competitor", "description": "", "capability": "3"}).status_code == 302
    made = ThreatSource.objects.get(organization=personas.org, name="Competitor")
    assert client.post(f"/risk/threat-sources/{made.pk}/delete/", {"version": made.version}).status_code == 302
    assert not ThreatSource.objects.filter(pk=made.pk).exists()
    client.post(f"/risk/threat-sources/{world.crime.pk}/delete/", {"version": world.crime.version})
    assert ThreatSource.objects.filter(pk=world.crime.pk).exists()  # a scenario uses it


def test_workflow_buttons_consultant_submits_owner_approves(personas: Personas, world: World) -> None:
    consultant, owner = client_for(personas.consultant), client_for(personas.owner)
    detail = consultant.get(f"/risk/{world.ra.pk}/").content.decode()
    assert "Submit for review" in detail
    consultant.post(f"/risk/{world.ra.pk}/status/", {"status": "in_review", "version": world.ra.version})
    world.ra.refresh_from_db()
    assert world.ra.status == RiskStatus.IN_REVIEW
    assert 'id="move-approved"' not in consultant.get(f"/risk/{world.ra.pk}/").content.decode()
    consultant.post(f"/risk/{world.ra.pk}/status/", {"status": "approved", "version": world.ra.version})
    world.ra.refresh_from_db()
    assert world.ra.status == RiskStatus.IN_REVIEW  # refused: ZCR 7 is the owner's
    assert 'id="move-approved"' in owner.get(f"/risk/{world.ra.pk}/").content.decode()
    owner.post(f"/risk/{world.ra.pk}/status/", {"status": "approved", "version": world.ra.version})
    world.ra.refresh_from_db()
    assert world.ra.status == RiskStatus.APPROVED and world.ra.approved_by == personas.owner


def test_apply_from_the_proposal_page(personas: Personas, world: World) -> None:
    owner = client_for(personas.owner)
    control, dmz = world.plant.control, world.plant.dmz
    page = owner.get(f"/risk/{world.ra.pk}/proposal/").content.decode()
    assert "The rule." in page and 'id="not-approved"' in page
    services.risk_assessment_update(assessment=world.ra, by=personas.consultant, fields={"status": "in_review"})
    services.risk_assessment_update(assessment=world.ra, by=personas.owner, fields={"status": "approved"})
    world.ra.refresh_from_db()
    url = f"/risk/{world.ra.pk}/proposal/"
    no_reason = owner.post(url, {"targets": [str(dmz.pk)], f"override_{dmz.pk}": "3,3,3,3,3,3,3",
                                 "version": world.ra.version})  # fmt: skip
    assert no_reason.status_code == 400 and "needs a justification" in no_reason.content.decode()
    proposed = {t.id: t.proposed for t in site_proposal(world.ra).targets()}[control.pk]
    assert proposed["FR1"] == proposed["FR5"] == 3  # the cybercriminal group's capability on the FRs it names
    done = owner.post(url, {"targets": [str(control.pk)], "version": world.ra.version})
    assert done.status_code == 200 and 'id="apply-result"' in done.content.decode()
    control.refresh_from_db()
    assert control.sl_target == proposed
    assert "risk assessment r1" in (control.history.first().history_change_reason or "")


def test_register_query_count_does_not_grow_with_scenarios(personas: Personas, world: World) -> None:
    client = client_for(personas.consultant)
    url = f"/risk/{world.ra.pk}/register/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    hacktivist = helpers.source(personas.org, "Hacktivist")
    for n in range(8):
        target = world.plant.dmz if n % 2 else world.plant.conduit
        helpers.scenario(world.ra, target, hacktivist, title=f"Scenario {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_regulatory_requirements_are_edited_and_shown(personas: Personas, world: World) -> None:
    client = client_for(personas.consultant)
    form = client.get(f"/risk/{world.ra.pk}/edit/").content.decode()
    assert 'name="regulatory"' in form
    assert "None recorded yet" in client.get(f"/risk/{world.ra.pk}/").content.decode()
    data = {"title": "Risk 2026", "scope": "The plant", "regulatory": "Drinking water act, section 12",
            "baseline_sl": "1", "version": world.ra.version}  # fmt: skip
    assert client.post(f"/risk/{world.ra.pk}/edit/", data).status_code == 302
    world.ra.refresh_from_db()
    assert world.ra.regulatory == "Drinking water act, section 12"
    for user in (personas.consultant, personas.auditor):
        assert "Drinking water act, section 12" in client_for(user).get(f"/risk/{world.ra.pk}/").content.decode()
    url = f"/sites/{personas.site.pk}/risk/new/"
    client.post(url, {"title": "Third look", "scope": "", "regulatory": "NIS2", "baseline_sl": "1"})
    assert RiskAssessment.objects.get(title="Third look").regulatory == "NIS2"


def test_the_overview_requests_a_crs_and_lists_its_jobs(personas: Personas, world: World) -> None:
    from reports.choices import ReportKind
    from reports.models import ReportJob

    client = client_for(personas.auditor)  # every member may request the CRS, as the reports tests say
    overview = f"/risk/{world.ra.pk}/"
    page = client.get(overview).content.decode()
    assert 'action="/reports/request/"' in page and 'name="kind" value="crs"' in page
    assert f'name="risk_assessment" value="{world.ra.pk}"' in page and 'id="crs-jobs"' not in page
    # The on-commit hand-off to the worker does not run here: the job stays queued, nothing is rendered.
    response = client.post("/reports/request/", {"kind": "crs", "risk_assessment": str(world.ra.pk)})
    job = ReportJob.objects.get()
    assert (job.kind, job.risk_assessment_id, job.site_id) == (ReportKind.CRS, world.ra.pk, personas.site.pk)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    other = helpers.assessment(personas.site, title="Another look")
    client.post("/reports/request/", {"kind": "crs", "risk_assessment": str(other.pk)})
    theirs = ReportJob.objects.get(risk_assessment=other)
    page = client.get(overview).content.decode()
    assert 'id="crs-jobs"' in page and f'href="{job.get_absolute_url()}"' in page
    assert theirs.get_absolute_url() not in page  # only this risk assessment's jobs
    assert client_for(personas.outsider).get(overview).status_code == 404
