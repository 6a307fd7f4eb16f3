"""The API contract of core.api, driven through real endpoints: the order of the refusals (404, 403, 428),
ETags on every single-object response, 412 with the current state, 409 for what is in use, 400 for model
and service validation errors, If-Match parsing, and the contract in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api.errors import PreconditionFailed, PreconditionRequired, exception_handler, expected_version
from core.api.errors import required_version as required
from tests.assessments.api_helpers import schema_paths
from tests.conftest import Personas, api_as
from tests.zones.plant import Plant, small_plant
from zones.models import Zone

pytestmark = pytest.mark.django_db
VEC = {f"FR{n}": 2 for n in range(1, 8)}


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def _request(**headers: str) -> Request:
    return Request(
        APIRequestFactory().patch("/", **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    )


# --- If-Match ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "version"), [('"3"', 3), (' "12" ', 12), ("*", None), ("", None)])
def test_expected_version_reads_if_match(header: str, version: int | None) -> None:
    assert expected_version(_request(**({"If-Match": header} if header else {}))) == version


@pytest.mark.parametrize("header", ["yesterday", '"3a"', '"-1"', 'W/"3"'])
def test_an_if_match_that_is_no_etag_of_ours_is_412(header: str) -> None:
    with pytest.raises(PreconditionFailed):
        expected_version(_request(**{"If-Match": header}))


@pytest.mark.parametrize("headers", [{}, {"If-Match": "*"}])
def test_required_version_refuses_a_write_without_a_version(headers: dict[str, str]) -> None:
    with pytest.raises(PreconditionRequired):
        required(_request(**headers))
    assert PreconditionRequired.status_code == 428


def test_model_validation_errors_become_field_errors() -> None:
    by_field = exception_handler(DjangoValidationError({"site": "No."}), {})
    assert by_field is not None and (by_field.status_code, by_field.data) == (400, {"site": ["No."]})
    loose = exception_handler(DjangoValidationError("Not now."), {})
    assert loose is not None and loose.data == {"non_field_errors": ["Not now."]}


# --- through an endpoint ---------------------------------------------------------------------------------
def test_every_single_object_response_carries_its_etag(personas: Personas, plant: Plant) -> None:
    client = api_as(personas.consultant)
    created = client.post(
        "/api/v1/zones/", {"site": str(plant.site.pk), "name": "New", "sl_target": VEC}, format="json"
    )
    assert created.status_code == 201 and created["ETag"] == '"1"' == f'"{created.json()["version"]}"'
    url = f"/api/v1/zones/{created.json()['id']}/"
    read = client.get(url)
    assert read["ETag"] == '"1"'
    patched = client.patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert patched.status_code == 200 and patched["ETag"] == '"2"' == f'"{patched.json()["version"]}"'
    put = client.put(url, {**patched.json(), "description": "y"}, format="json", HTTP_IF_MATCH=patched["ETag"])
    assert put.status_code == 200 and put["ETag"] == '"3"'
    assert "ETag" not in client.get("/api/v1/zones/")  # a list has no single version
    assert client.delete(url, HTTP_IF_MATCH=put["ETag"]).status_code == 204


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_refusals_come_in_order_404_403_428(personas: Personas, plant: Plant, method: str) -> None:
    url = f"/api/v1/zones/{plant.control.pk}/"
    body: dict[str, Any] = {"description": "x"}
    assert getattr(api_as(personas.outsider), method)(url, body, format="json").status_code == 404
    assert getattr(api_as(personas.auditor), method)(url, body, format="json").status_code == 403
    missing = getattr(api_as(personas.owner), method)(url, body, format="json")
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    assert Zone.objects.get(pk=plant.control.pk).version == 1


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_stale_write_is_412_with_the_current_state_and_its_etag(
    personas: Personas, plant: Plant, method: str
) -> None:
    url = f"/api/v1/zones/{plant.control.pk}/"
    owner, consultant = api_as(personas.owner), api_as(personas.consultant)
    read = consultant.get(url)["ETag"]
    changed = owner.patch(url, {"description": "The owner's"}, format="json", HTTP_IF_MATCH=read)
    stale = getattr(consultant, method)(url, {"description": "Mine"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    assert stale.json()["current"] == changed.json() and stale.json()["detail"]
    assert stale["ETag"] == changed["ETag"] == '"2"'
    assert Zone.objects.get(pk=plant.control.pk).description == "The owner's"


def test_deleting_what_is_in_use_is_409(personas: Personas, plant: Plant) -> None:
    from tests.assessments.helpers import make_assessment

    make_assessment(plant.site, personas.consultant, zones=[plant.dmz], conduits=[], title="Kept")
    response = api_as(personas.admin).delete(f"/api/v1/zones/{plant.dmz.pk}/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409 and "Kept" in response.json()["detail"]
    assert Zone.objects.filter(pk=plant.dmz.pk).exists()


def test_service_validation_errors_are_400_naming_the_field(personas: Personas, plant: Plant) -> None:
    from tests.factories import SiteFactory

    second = SiteFactory.create(organization=personas.org, name="Second")
    response = api_as(personas.consultant).patch(
        f"/api/v1/zones/{plant.control.pk}/", {"site": str(second.pk)}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "cannot be moved" in str(response.json()["site"])
    refused = api_as(personas.consultant).post("/api/v1/zones/", {"site": str(plant.site.pk)}, format="json")
    assert refused.status_code == 400 and {"name", "sl_target"} <= set(refused.json())


def test_a_reader_may_not_create_in_their_scope(personas: Personas, plant: Plant) -> None:
    body = {"site": str(plant.site.pk), "name": "Auditor's", "sl_target": VEC}
    assert api_as(personas.auditor).post("/api/v1/zones/", body, format="json").status_code == 403
    assert not Zone.objects.filter(name="Auditor's").exists()


def test_the_schema_documents_if_match_on_versioned_writes(personas: Personas) -> None:
    paths = schema_paths(personas.owner)
    zone = paths["/api/v1/zones/{id}/"]
    for method in ("patch", "put", "delete"):
        assert any(
            p["name"] == "If-Match" and p["in"] == "header" and p["required"] for p in zone[method]["parameters"]
        )
    assert {"200", "412", "428"} <= set(zone["patch"]["responses"])
    evidence = paths["/api/v1/evidence/{id}/"]["patch"]  # no version, so no If-Match
    assert not any(p["name"] == "If-Match" for p in evidence.get("parameters", []))
    assert "202" in paths["/api/v1/reports/"]["post"]["responses"]
