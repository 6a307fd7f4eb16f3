"""GET /api/v1/catalogue/requirements/ with its filters."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Personas, api_as

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalogue/requirements/"


def get(client: APIClient, **params: Any) -> Any:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_requires_authentication(api: APIClient) -> None:
    assert api.get(URL).status_code in (401, 403)


def test_3_3_lists_100_items_with_levels(personas: Personas) -> None:
    body = get(api_as(personas.auditor), part="3-3", page_size="all")
    assert body["count"] == 100
    assert len(body["results"]) == 100
    first = body["results"][0]
    assert first == {
        "id": "SR 1.1",
        "part": "3-3",
        "fr": "FR1",
        "kind": "SR",
        "title": "Human user identification and authentication",
        "lowest_sl": 1,
        "parent": None,
        "component_types": [],
        "assessable": True,
        "disputed": False,
        "note": "",
        "guidance": first["guidance"],
        "catalogue_version": "1.0.0",
    }
    assert body["results"][1]["parent"] == "SR 1.1"


def test_default_pages_are_50(personas: Personas) -> None:
    body = get(api_as(personas.auditor), part="3-3")
    assert body["count"] == 100 and len(body["results"]) == 50 and body["next"]


def test_filters_combine(personas: Personas) -> None:
    client = api_as(personas.consultant)
    fr5_sl2 = get(client, part="3-3", fr="FR5", sl=2, page_size="all")["results"]
    assert fr5_sl2 and all(r["fr"] == "FR5" and r["lowest_sl"] <= 2 for r in fr5_sl2)
    assert {r["id"] for r in fr5_sl2} >= {"SR 5.1", "SR 5.2"}
    ndr = get(client, part="4-2", component_type="NDR", sl=4, page_size="all")
    assert ndr["count"] == 92
    assert all("NDR" in r["component_types"] for r in ndr["results"])


@pytest.mark.parametrize(
    "params", [{"fr": "FR9"}, {"sl": "5"}, {"sl": "x"}, {"part": "9-9"}, {"component_type": "PLC"}]
)
def test_bad_filter_values_are_400_with_field_messages(personas: Personas, params: dict[str, str]) -> None:
    response = api_as(personas.consultant).get(URL, params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()


def test_detail_by_standard_id(personas: Personas) -> None:
    response = api_as(personas.owner).get(URL + "SR 1.1 RE 1/")
    assert response.status_code == 200
    assert response.json()["lowest_sl"] == 2


def test_openapi_schema_builds(personas: Personas) -> None:
    response = api_as(personas.owner).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/catalogue/requirements/" in paths
    assert "/api/v1/organizations/" in paths
    assert "/api/v1/auth/token/" in paths


def test_api_docs_page_serves_local_assets(personas: Personas, client: Any) -> None:
    client.force_login(personas.owner)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn." not in response.content
