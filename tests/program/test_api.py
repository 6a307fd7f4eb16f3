"""The program API: the permission matrix on every endpoint, If-Match on PATCH, the CSV import, the KPI
report, and query counts that do not grow with the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from program.kpis import KEYS, add_months
from program.models import Exercise, TrainingRecord, Vulnerability
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as, shared_by_the_module
from tests.program.factories import ExerciseFactory, TrainingRecordFactory, critical
from tests.zones.plant import Plant, small_plant

pytestmark = pytest.mark.django_db


@dataclass
class World:
    plant: Plant
    vulnerability: Vulnerability
    training: TrainingRecord
    exercise: Exercise


def build_world(personas: Personas) -> World:
    other = small_plant(personas.other_site)  # noise in the other organization
    critical(other.plc, found=date(2026, 1, 1))
    TrainingRecordFactory.create(site=personas.other_site)
    ExerciseFactory.create(site=personas.other_site)
    plant = small_plant(personas.site)
    return World(
        plant=plant,
        vulnerability=critical(plant.plc, found=date(2026, 1, 1)),
        training=TrainingRecordFactory.create(site=personas.site),
        exercise=ExerciseFactory.create(site=personas.site),
    )


# Built once for the module (two plants and their records); see shared_by_the_module.
_shared_world, _fresh_world, personas, world = shared_by_the_module(build_world)


def detail(world: World, endpoint: str) -> str:
    obj = {"vulnerabilities": world.vulnerability, "trainings": world.training, "exercises": world.exercise}
    return f"/api/v1/{endpoint}/{obj[endpoint].pk}/"


def new_body(world: World, endpoint: str, n: int) -> dict[str, Any]:
    site = str(world.plant.site.pk)
    bodies: dict[str, dict[str, Any]] = {
        "vulnerabilities": {"asset": str(world.plant.firewall.pk), "cve": f"CVE-2026-{5000 + n}", "cvss_score": "7.2",
                            "found": "2026-02-01"},
        "trainings": {"site": site, "programme": f"Course {n}", "period_start": "2026-01-01",
                      "period_end": "2026-03-31", "people_required": 10, "people_completed": 4},
        "exercises": {"site": site, "held_on": "2026-04-01", "kind": "tabletop", "scenario": f"Scenario {n}",
                      "outcome": "met"},
    }  # fmt: skip
    return bodies[endpoint]


ENDPOINTS = ["vulnerabilities", "trainings", "exercises"]
EDIT = {"vulnerabilities": {"title": "Edited"}, "trainings": {"notes": "Edited"}, "exercises": {"lessons_learned": "x"}}


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_read_matrix(personas: Personas, world: World, name: str, endpoint: str) -> None:
    client = api_as(personas.by_name(name))
    listing = client.get(f"/api/v1/{endpoint}/")
    assert listing.status_code == 200
    response = client.get(detail(world, endpoint))
    if name == "outsider":
        assert response.status_code == 404
        assert str(world.plant.site.pk) not in listing.content.decode()
        assert listing.json()["count"] == 1  # their own organization's row only
    else:
        assert response.status_code == 200 and response["ETag"] == '"1"'
        assert listing.json()["count"] == 1
        assert listing.json()["results"][0]["id"] == response.json()["id"]


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_write_matrix(personas: Personas, world: World, name: str, endpoint: str) -> None:
    client = api_as(personas.by_name(name))
    created = client.post(f"/api/v1/{endpoint}/", new_body(world, endpoint, PERSONA_NAMES.index(name)), format="json")
    assert created.status_code == (201 if name in WRITERS else 403 if name == "auditor" else 400), created.content
    patched = client.patch(detail(world, endpoint), EDIT[endpoint], format="json", HTTP_IF_MATCH='"1"')
    assert patched.status_code == (200 if name in WRITERS else 404 if name == "outsider" else 403)
    deleted = client.delete(detail(world, endpoint), HTTP_IF_MATCH='"2"' if name in WRITERS else '"1"')
    assert deleted.status_code == (204 if name in WRITERS else 404 if name == "outsider" else 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_patch_needs_if_match_and_a_stale_one_gets_412_with_the_current_row(
    personas: Personas, world: World, endpoint: str
) -> None:
    client = api_as(personas.owner)
    url = detail(world, endpoint)
    assert client.patch(url, EDIT[endpoint], format="json").status_code == 428
    ok = client.patch(url, EDIT[endpoint], format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["version"] == 2
    stale = client.patch(url, EDIT[endpoint], format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 2 and stale["ETag"] == '"2"'
    assert client.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(url).status_code == 428  # DELETE needs If-Match too (docs/api-changes.md)


def test_contract_fields_and_validation_errors(personas: Personas, world: World) -> None:
    client = api_as(personas.consultant)
    body = client.get(detail(world, "vulnerabilities")).json()
    assert {"id", "asset", "site", "cve", "advisory", "title", "severity", "cvss_score", "found", "fixed", "status",
            "version"} <= set(body)  # fmt: skip
    assert body["site"] == str(world.plant.site.pk)
    created = client.post("/api/v1/vulnerabilities/", {**new_body(world, "vulnerabilities", 9), "cvss_score": "9.5"},
                          format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["severity"] == "critical"
    bad = client.post("/api/v1/vulnerabilities/", {**new_body(world, "vulnerabilities", 10), "cve": "CVE-1",
                                                   "fixed": "2026-01-01"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and {"cve", "fixed"} <= set(bad.json())
    moved = client.patch(detail(world, "vulnerabilities"), {"asset": str(small_plant_asset(personas))},
                         format="json", HTTP_IF_MATCH='"1"')  # fmt: skip
    assert moved.status_code == 400  # an asset of another organization does not exist for this person


def small_plant_asset(personas: Personas) -> Any:
    return Vulnerability.objects.filter(asset__zone__site=personas.other_site).values_list("asset", flat=True)[0]


def test_filters(personas: Personas, world: World) -> None:
    critical(world.plant.firewall, found=date(2026, 2, 1), fixed=date(2026, 2, 20))
    client = api_as(personas.auditor)
    assert client.get("/api/v1/vulnerabilities/", {"status": "fixed"}).json()["count"] == 1
    assert client.get("/api/v1/vulnerabilities/", {"asset": str(world.plant.plc.pk)}).json()["count"] == 1
    assert client.get("/api/v1/vulnerabilities/", {"site": str(world.plant.site.pk)}).json()["count"] == 2
    assert client.get("/api/v1/exercises/", {"outcome": "not_met"}).json()["count"] == 0


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_import_matrix(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    csv = b"asset,cve,cvss,found\nPLC-1,CVE-2026-7777,9.8,2026-03-01\n"
    upload = SimpleUploadedFile("v.csv", csv, content_type="text/csv")
    response = client.post(
        "/api/v1/vulnerabilities/import/", {"site": str(world.plant.site.pk), "file": upload}, format="multipart"
    )
    expected = 200 if name in WRITERS else 403 if name == "auditor" else 400
    assert response.status_code == expected
    if expected == 200:
        assert response.json() == {"created": 1, "updated": 0}
    exported = client.get("/api/v1/vulnerabilities/export/", {"site": str(world.plant.site.pk)})
    assert exported.status_code == (404 if name == "outsider" else 200)


def test_a_refused_import_lists_the_lines(personas: Personas, world: World) -> None:
    upload = SimpleUploadedFile("v.csv", b"asset,cve,cvss,found\nPLC-1,CVE-2026-7777,11,2026-03-01\nX,,,\n")
    response = api_as(personas.owner).post(
        "/api/v1/vulnerabilities/import/", {"site": str(world.plant.site.pk), "file": upload}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Nothing was imported."
    assert [e["line"] for e in body["errors"]] == [2, 3]
    assert Vulnerability.objects.filter(asset__zone__site=world.plant.site).count() == 1


# --- KPIs -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_kpi_matrix(personas: Personas, world: World, name: str) -> None:
    client = api_as(personas.by_name(name))
    by_org = client.get("/api/v1/kpis/", {"organization": str(personas.org.pk)})
    by_site = client.get("/api/v1/kpis/", {"site": str(personas.site.pk)})
    assert by_org.status_code == by_site.status_code == (404 if name == "outsider" else 200)
    if name != "outsider":
        body = by_site.json()
        assert [k["key"] for k in body["kpis"]] == list(KEYS)
        assert body["scope"]["site"] == str(personas.site.pk)
        assert body["period"]["to_date"] is True
        first = body["kpis"][1]
        assert {"name", "definition", "unit", "target", "amber", "direction", "value", "rag", "numerator",
                "denominator", "summary", "detail", "source"} <= set(first)  # fmt: skip
        assert (first["value"], first["rag"], first["denominator"]) == (0.0, "red", 1)


def test_kpis_for_a_past_month_and_bad_parameters(personas: Personas, world: World) -> None:
    client = api_as(personas.auditor)
    response = client.get("/api/v1/kpis/", {"organization": str(personas.org.pk), "month": "2026-01"})
    assert response.status_code == 200
    assert response.json()["period"] == {
        "month": "2026-01", "start": "2026-01-01", "end": "2026-01-31", "as_of": response.json()["period"]["as_of"],
        "to_date": False, "window_start": "2025-02-01",
    }  # fmt: skip
    assert response.json()["scope"]["site"] is None
    future = add_months(timezone.localdate(), 2).strftime("%Y-%m")
    for params, field in [
        ({}, "organization"),
        ({"organization": "nope"}, "organization"),
        ({"site": str(personas.site.pk), "month": "2026-13"}, "month"),
        ({"site": str(personas.site.pk), "month": future}, "month"),
        ({"site": str(personas.site.pk), "organization": str(personas.other_org.pk)}, "site"),
    ]:
        bad = client.get("/api/v1/kpis/", params)
        assert bad.status_code == 400 and field in bad.json(), (params, bad.content)


def test_people_limited_to_some_sites_get_no_organization_totals(personas: Personas, world: World) -> None:
    Membership.objects.filter(user=personas.auditor).update(all_sites=False)
    client = api_as(personas.auditor)
    assert client.get("/api/v1/kpis/", {"organization": str(personas.org.pk)}).status_code == 404
    assert client.get("/api/v1/kpis/", {"site": str(personas.site.pk)}).status_code == 404  # not granted


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_queries_do_not_grow_with_rows(personas: Personas, world: World, endpoint: str) -> None:
    client = api_as(personas.auditor)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/{endpoint}/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(15):
        critical(world.plant.firewall, found=date(2026, 1, 1), cve=f"CVE-2026-{8000 + n}")
        TrainingRecordFactory.create(site=personas.site, programme=f"P{n}")
        ExerciseFactory.create(site=personas.site)
    assert count() == few


def test_kpi_report_queries_do_not_grow_with_rows(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/kpis/", {"site": str(personas.site.pk)}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(15):
        critical(world.plant.firewall, found=date(2026, 1, 1), fixed=date(2026, 1, 9), cve=f"CVE-2026-{8000 + n}")
        ExerciseFactory.create(site=personas.site)
    assert count() == few <= 20


def test_the_schema_builds(personas: Personas) -> None:
    response = api_as(personas.admin).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/kpis/" in text and "/api/v1/vulnerabilities/import/" in text
