"""The OpenAPI schema describes what the API does: it builds without a warning, declares what may be null, plain
lists as arrays, downloads with their content types, every error answer, If-Match on versioned writes; and it
is not served to strangers unless settings say so. (tests/core/test_api_schemathesis.py checks the answers.)"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import models
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from tests.conftest import Personas, api_as
from tests.zones.plant import small_plant

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generated() -> tuple[dict[str, Any], Any]:
    """The schema and the registry of components it was built from (the serializers behind them)."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    return schema, generator.registry


@pytest.fixture(scope="module")
def schema(generated: tuple[dict[str, Any], Any]) -> dict[str, Any]:
    return generated[0]


def response_of(schema: dict[str, Any], method: str, path: str, code: str = "200") -> dict[str, Any]:
    answer: dict[str, Any] = schema["paths"][path][method]["responses"][code]
    return answer


def test_the_schema_builds_without_a_warning_or_an_error(tmp_path: Path) -> None:
    # --fail-on-warn raises on any warning: enum name collisions, unresolvable fields, duplicate operationIds.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=StringIO())
    assert out.stat().st_size > 0


def test_enums_of_alike_fields_get_their_own_names(schema: dict[str, Any]) -> None:
    names = set(schema["components"]["schemas"])
    assert {"FindingStatusEnum", "ActionStatusEnum", "FindingSourceEnum", "ReportKindEnum"} <= names
    assert not [name for name in names if any(ch.isdigit() for ch in name) and name.endswith("Enum")]


def test_every_nullable_model_field_is_declared_nullable(generated: tuple[dict[str, Any], Any]) -> None:
    """Each field a response shows from a model column with null=True says `nullable: true`."""
    schema, registry = generated
    missing = []
    for component in registry._components.values():
        serializer = component.object
        if component.type != "schemas" or not isinstance(serializer, serializers.ModelSerializer):
            continue
        if component.name.endswith("Request"):
            continue  # what a client sends: null is refused or accepted by the write serializer's own rules
        model: Any = serializer.Meta.model
        properties = schema["components"]["schemas"].get(component.name, {}).get("properties", {})
        for name, field in serializer.fields.items():
            if field.write_only or name not in properties or "." in (field.source or ""):
                continue
            names = {f.name for f in model._meta.get_fields()}
            if (field.source or name) not in names:
                continue  # a computed field: its type hint or annotation says whether it may be null
            column = model._meta.get_field(field.source or name)
            if isinstance(column, models.Field) and column.null and not column.many_to_many:
                declared = properties[name]
                nullable = declared.get("nullable") or any(
                    part.get("nullable") or part.get("type") == "null" for part in declared.get("oneOf", [])
                )
                if not nullable:
                    missing.append(f"{component.name}.{name}")
    assert not missing, f"null in the database but not declared nullable: {missing}"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/results/{id}/comments/", "application/json"),
        ("/api/v1/results/{id}/history/", "application/json"),
        ("/api/v1/actions/suggestions/", "application/json"),
    ],
)
def test_endpoints_that_answer_plain_lists_are_arrays(schema: dict[str, Any], path: str, media_type: str) -> None:
    body = response_of(schema, "get", path)["content"][media_type]["schema"]
    assert body["type"] == "array"


def test_paginated_lists_are_pages(schema: dict[str, Any]) -> None:
    ref = response_of(schema, "get", "/api/v1/sites/")["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"count", "results"} <= set(page["properties"])


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/sites/{id}/diagram.svg", "image/svg+xml"),
        ("/api/v1/roadmap/gantt.svg", "image/svg+xml"),
        ("/api/v1/vulnerabilities/export/", "text/csv"),
        ("/api/v1/reports/{id}/download/", "application/octet-stream"),
        ("/api/v1/evidence/{id}/download/", "*/*"),  # the file as uploaded, whatever its type
    ],
)
def test_downloads_declare_their_content_type(schema: dict[str, Any], path: str, media_type: str) -> None:
    assert list(response_of(schema, "get", path)["content"]) == [media_type]


def test_the_site_diagram_is_one_operation(schema: dict[str, Any]) -> None:
    assert "/api/v1/sites/{id}/diagram.svg" in schema["paths"]
    assert "/api/v1/sites/{id}/diagram.svg/" not in schema["paths"]
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values() if "operationId" in op]
    assert len(ids) == len(set(ids))


def test_a_versioned_write_declares_if_match_and_its_answers(schema: dict[str, Any]) -> None:
    for method in ("patch", "put", "delete"):
        operation = schema["paths"]["/api/v1/zones/{id}/"][method]
        header = next(p for p in operation["parameters"] if p["in"] == "header")
        assert (header["name"], header["required"]) == ("If-Match", True)
        assert {"400", "401", "403", "404", "412", "428", "503"} <= set(operation["responses"]) - {"200", "204"}
        stale = operation["responses"]["412"]["content"]["application/json"]["schema"]["$ref"]
        assert stale.endswith("/StaleWrite")
    assert "409" in schema["paths"]["/api/v1/zones/{id}/"]["delete"]["responses"]  # still in use


def test_reads_declare_their_errors_and_the_token_endpoint_its_lockout(schema: dict[str, Any]) -> None:
    read = schema["paths"]["/api/v1/sites/{id}/"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(read)
    assert "503" not in read and "428" not in read
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "429"} <= set(token)
    assert "Retry-After" in token["429"]["headers"]
    assert "401" not in token  # anyone may ask for a token


def test_a_weak_etag_never_matches(personas: Personas) -> None:
    plant = small_plant(personas.site)
    url = f"/api/v1/zones/{plant.control.pk}/"
    client = api_as(personas.consultant)
    response = client.patch(url, {"description": "weak"}, format="json", HTTP_IF_MATCH=f'W/"{plant.control.version}"')
    assert response.status_code == 412
    assert "weak ETag" in response.json()["detail"]
    plant.control.refresh_from_db()
    assert plant.control.description != "weak"
    strong = client.patch(url, {"description": "strong"}, format="json", HTTP_IF_MATCH=f'"{plant.control.version}"')
    assert strong.status_code == 200


# --- who may read the schema and the docs ------------------------------------------------------------------
@override_settings(API_DOCS_PUBLIC=False)
def test_strangers_get_no_schema_and_are_sent_to_log_in_for_the_docs(client: Client) -> None:
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/login/?next=/api/docs/")


@override_settings(API_DOCS_PUBLIC=False)
def test_a_signed_in_person_reads_the_schema_and_the_docs(personas: Personas, client: Client) -> None:
    client.force_login(personas.auditor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@override_settings(API_DOCS_PUBLIC=True)
def test_public_docs_when_settings_say_so(client: Client) -> None:
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_an_unknown_api_address_answers_json(personas: Personas) -> None:
    response = api_as(personas.consultant).get("/api/v1/sites/not.an-id/diagram.svg")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
