"""The assessments API without the shared world of test_api.py: creating an assessment (and its refusals),
query counts that build sites of their own, and the schema. These build their own plants on Org A's site,
which the shared world of test_api.py already holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import Assessment, Result
from tests.assessments.api_helpers import add_reference, documented_paths, make_assessment
from tests.conftest import Personas, api_as
from tests.factories import SiteFactory
from tests.zones.plant import make_conduit, make_zone, small_plant

pytestmark = pytest.mark.django_db


# --- create ----------------------------------------------------------------------------------------
def test_create_defaults_to_the_whole_site(personas: Personas) -> None:
    plant = small_plant(personas.site)
    response = api_as(personas.owner).post(
        "/api/v1/assessments/",
        {"site": str(personas.site.pk), "title": "Whole site", "planned_start": "2025-03-01",
         "planned_end": "2025-04-30", "lead": str(personas.consultant.pk), "team": [str(personas.owner.pk)]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"] == '"1"'
    assert response["Location"] == body["links"]["self"]
    assert set(body["zones"]) == {str(plant.dmz.pk), str(plant.control.pk)}
    assert body["conduits"] == [str(plant.conduit.pk)]
    assert (body["lead"], body["team"]) == (str(personas.consultant.pk), [str(personas.owner.pk)])
    assert (body["planned_start"], body["planned_end"], body["status"]) == ("2025-03-01", "2025-04-30", "draft")
    assessment = Assessment.objects.get(pk=body["id"])
    assert body["result_count"] == assessment.results.count() > 0
    assert assessment.created_by == personas.owner


def test_create_with_a_partial_scope(personas: Personas) -> None:
    plant = small_plant(personas.site)
    response = api_as(personas.consultant).post(
        "/api/v1/assessments/",
        {"site": str(personas.site.pk), "title": "DMZ only", "zones": [str(plant.dmz.pk)], "conduits": []},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assessment = Assessment.objects.get(pk=response.json()["id"])
    targets = set(assessment.results.values_list("zone_id", "conduit_id").distinct())
    assert targets == {(plant.dmz.pk, None)}


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("no title", "title", "required"),
        ("foreign site", "site", "does not exist"),
        ("foreign zone", "zones", "does not exist"),
        ("zone of a sibling site", "zones", "must belong to the assessment's site"),
        ("foreign lead", "lead", "does not exist"),
        ("lead of a shared member elsewhere", "lead", "Only members of the site's organization"),
        ("dates backwards", "planned_end", "before the planned start"),
        ("status on create", "status", "starts as draft"),
        ("misspelt field", "non_field_errors", "Unknown fields: titel"),
    ],
)
def test_create_refusals(personas: Personas, case: str, field: str, message: str) -> None:
    plant = small_plant(personas.site)
    other_plant = small_plant(personas.other_site)
    sibling_zone = make_zone(SiteFactory.create(organization=personas.org, name="Sibling"), "Elsewhere")
    body: dict[str, object] = {"site": str(personas.site.pk), "title": "X"}
    if case == "no title":
        del body["title"]
    elif case == "foreign site":
        body["site"] = str(personas.other_site.pk)
    elif case == "foreign zone":
        body["zones"] = [str(plant.dmz.pk), str(other_plant.dmz.pk)]
    elif case == "zone of a sibling site":
        body["zones"] = [str(sibling_zone.pk)]
    elif case == "foreign lead":
        body["lead"] = str(personas.outsider.pk)
    elif case == "lead of a shared member elsewhere":
        # The caller (admin of both) sees the outsider, who is not a member of org A.
        from accounts.choices import Role
        from tests.factories import MembershipFactory

        MembershipFactory.create(user=personas.admin, organization=personas.other_org, role=Role.ADMIN)
        body["lead"] = str(personas.outsider.pk)
    elif case == "dates backwards":
        body.update(planned_start="2025-05-01", planned_end="2025-04-01")
    elif case == "status on create":
        body["status"] = "final"
    elif case == "misspelt field":
        body["titel"] = "Y"
    response = api_as(personas.admin).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400, response.json()
    assert message in str(response.json()[field])
    assert not Assessment.objects.filter(site=personas.site).exists()


# --- query counts ------------------------------------------------------------------------------------
def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_results_and_summary_queries_do_not_grow(personas: Personas) -> None:
    client = api_as(personas.auditor)
    small_site = SiteFactory.create(organization=personas.org, name="One zone")
    make_zone(small_site, "Only")
    small = make_assessment(small_site, personas.consultant)
    big_site = SiteFactory.create(organization=personas.org, name="Five zones")
    zones = [make_zone(big_site, f"Z{n}") for n in range(5)]
    make_conduit(big_site, "C", zones[:2])
    big = make_assessment(big_site, personas.consultant)
    for assessment in (small, big):  # evidence and assignees on every row must not cost a query each
        ev = add_reference(assessment, personas.consultant)
        for result in Result.objects.filter(assessment=assessment)[:20]:
            services.result_update(result=result, by=personas.owner, fields={"assignee": personas.owner}, evidence=[ev])
    assert big.results.count() > 5 * small.results.count() - 1
    for suffix in ("results/?page_size=all", "summary/", "results/?status=not_assessed&fr=FR1"):
        assert _queries(client, f"/api/v1/assessments/{small.pk}/{suffix}") == _queries(
            client, f"/api/v1/assessments/{big.pk}/{suffix}"
        ), suffix


def test_assessment_list_queries_do_not_grow(personas: Personas) -> None:
    client = api_as(personas.auditor)
    small_plant(personas.site)
    make_assessment(personas.site, personas.consultant, team=[personas.owner], lead=personas.consultant)
    one = _queries(client, "/api/v1/assessments/")
    for n in range(4):
        make_assessment(personas.site, personas.consultant, title=f"A{n}", team=[personas.owner, personas.admin])
    assert _queries(client, "/api/v1/assessments/") == one
    assert Assessment.objects.count() == 5


def test_openapi_schema_documents_the_endpoints(personas: Personas) -> None:
    paths = documented_paths(personas.owner,
        "/api/v1/assessments/", "/api/v1/assessments/{id}/", "/api/v1/assessments/{id}/summary/",
        "/api/v1/assessments/{id}/resync/", "/api/v1/assessments/{id}/results/",
        "/api/v1/results/{id}/", "/api/v1/results/{id}/history/", "/api/v1/results/{id}/comments/",
        "/api/v1/evidence/", "/api/v1/evidence/{id}/", "/api/v1/evidence/{id}/download/")  # fmt: skip
    assert set(paths["/api/v1/results/{id}/"]) == {"get", "patch"}
    assert "put" not in paths["/api/v1/assessments/{id}/"] and "delete" not in paths["/api/v1/evidence/{id}/"]
    results_params = {p["name"] for p in paths["/api/v1/assessments/{id}/results/"]["get"]["parameters"]}
    assert {"zone", "conduit", "fr", "status", "assignee", "in_scope"} <= results_params
