"""Shared set-up for the assessments API tests: a plant in each organization, an assessment of each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from assessments import services
from assessments.choices import AssessmentStatus
from assessments.models import Assessment, Evidence, Result
from tests.conftest import Personas, api_as
from tests.zones.plant import Plant, small_plant
from zones.models import Site

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    """Org A's plant and assessment (with one zone result to edit), and org B's for the outsider."""

    plant: Plant
    assessment: Assessment
    result: Result
    other_plant: Plant
    other_assessment: Assessment
    other_result: Result


def make_assessment(site: Site, by: User, title: str = "2025 gap assessment", **kwargs: Any) -> Assessment:
    return services.assessment_create(site=site, title=title, by=by, **kwargs)


def a_result(assessment: Assessment, ref: str = "SR 1.1", **where: Any) -> Result:
    """The result of `ref` for the first matching target (a zone unless `conduit=` is given)."""
    if "conduit" not in where:
        where.setdefault("zone__isnull", False)
    result = Result.objects.filter(assessment=assessment, requirement__ref=ref, **where).order_by("zone__name").first()
    assert result is not None, f"no {ref} result for {where}"
    return result


def build_world(personas: Personas) -> World:
    other_plant = small_plant(personas.other_site)
    other = make_assessment(personas.other_site, personas.outsider, title="Org B assessment")
    plant = small_plant(personas.site)
    assessment = make_assessment(personas.site, personas.consultant)
    return World(
        plant=plant,
        assessment=assessment,
        result=a_result(assessment, zone=plant.control),
        other_plant=other_plant,
        other_assessment=other,
        other_result=a_result(other),
    )


def etag(obj: Assessment | Result) -> str:
    obj.refresh_from_db()
    return f'"{obj.version}"'


def sign_off(assessment: Assessment, by: User) -> Assessment:
    for step in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW, AssessmentStatus.FINAL):
        assessment = services.assessment_transition(
            assessment=assessment, to=step, by=by, reason="Signed off unfinished for the test"
        )
    return assessment


def upload(name: str = "firewall-rules.pdf", content: bytes = PDF, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def add_file_evidence(assessment: Assessment, by: User, results: Sequence[Result] = (), **kwargs: Any) -> Evidence:
    return services.evidence_add(assessment=assessment, by=by, file=upload(**kwargs), results=results)


def add_reference(assessment: Assessment, by: User, reference: str = "DMS-4711 network drawing") -> Evidence:
    return services.evidence_add(assessment=assessment, by=by, reference=reference)


def schema_paths(user: User) -> dict[str, Any]:
    """The paths of the OpenAPI schema as `user` reads it (the schema must build)."""
    response = api_as(user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths: dict[str, Any] = response.json()["paths"]
    return paths


def documented_paths(user: User, *expected: str) -> dict[str, Any]:
    """The schema's paths as `user` reads them, after checking that every one of `expected` is there."""
    paths = schema_paths(user)
    assert [path for path in expected if path not in paths] == []
    return paths
