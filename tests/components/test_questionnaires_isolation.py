"""A questionnaire token opens its questionnaire and nothing else: not as a path segment, a query parameter, an
Authorization header, a custom header or a cookie, on any other API endpoint or page; and not another
questionnaire's items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from components.models import ComponentEvidence, SupplierAnswer
from components.services.results import component_evidence_add
from tests.components.questionnaire_helpers import (
    PDF,
    first_results,
    invite,
    make_assessment,
    questionnaire_url,
    submitted,
    token_client,
)
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

REFUSED = {401, 403, 404}


@dataclass
class World:
    token: str
    other_token: str
    targets: list[str]


@pytest.fixture
def world(personas: Personas) -> World:
    """Two questionnaires of Org A (one submitted with a file) and the URLs of everything around them."""
    assessment = make_assessment(personas.org, personas.consultant)
    other = make_assessment(personas.org, personas.consultant, name="Other PLC")
    result = first_results(assessment, 1)[0]
    evidence = component_evidence_add(
        assessment=assessment,
        by=personas.consultant,
        file=SimpleUploadedFile("manual.pdf", PDF, content_type="application/pdf"),
        results=[result],
    )
    new = invite(assessment, personas.consultant)
    other_new = submitted(
        invite(other, personas.consultant), {first_results(other, 1)[0]: {"status": "met", "file": True}}
    )
    answer = SupplierAnswer.objects.get(invitation=other_new.invitation)
    product, invitation = assessment.product, new.invitation
    assert isinstance(evidence, ComponentEvidence)
    targets = [
        # the API
        "/api/v1/products/",
        f"/api/v1/products/{product.pk}/",
        "/api/v1/certificates/",
        "/api/v1/component-assessments/",
        f"/api/v1/component-assessments/{assessment.pk}/",
        f"/api/v1/component-assessments/{assessment.pk}/summary/",
        f"/api/v1/component-assessments/{assessment.pk}/invitations/",
        f"/api/v1/component-results/{result.pk}/",
        f"/api/v1/component-evidence/{evidence.pk}/download/",
        "/api/v1/invitations/",
        f"/api/v1/invitations/{invitation.pk}/",
        f"/api/v1/supplier-answers/{answer.pk}/",
        f"/api/v1/supplier-answers/{answer.pk}/file/",
        "/api/v1/organizations/",
        "/api/v1/sites/",
        # the pages
        "/",
        f"/products/{product.pk}/",
        f"/component-assessments/{assessment.pk}/",
        f"/component-assessments/{assessment.pk}/questionnaires/",
        f"/component-evidence/{evidence.pk}/download/",
        f"/supplier-answers/{answer.pk}/file/",
    ]
    return World(token=new.token, other_token=other_new.token, targets=targets)


def test_every_target_is_there_for_a_member(world: World, personas: Personas) -> None:
    """The refusals below mean something: each target answers a member of Org A (no 404 by a wrong URL)."""
    client = Client()
    client.force_login(personas.consultant)
    for path in world.targets:
        assert client.get(path).status_code == 200, path


def refused(response: object, path: str) -> bool:
    """401/403/404, or, for a page, the way to the login form: nothing of the target's data."""
    code = response.status_code  # type: ignore[attr-defined]
    if code == 302 and not path.startswith("/api/"):
        return str(response["Location"]).startswith("/login/")  # type: ignore[index]
    return code in REFUSED


def with_cookies(client: Client, token: str) -> Client:
    client.cookies.load({"token": token, "sessionid": token, "questionnaire": token})
    return client


WAYS: dict[str, Callable[[Client, str, str], object]] = {
    "query": lambda c, path, token: c.get(path, {"token": token, "access_token": token}),
    "authorization-token": lambda c, path, token: c.get(path, HTTP_AUTHORIZATION=f"Token {token}"),
    "authorization-bearer": lambda c, path, token: c.get(path, HTTP_AUTHORIZATION=f"Bearer {token}"),
    "custom-header": lambda c, path, token: c.get(path, HTTP_X_QUESTIONNAIRE_TOKEN=token),
    "cookie": lambda c, path, token: with_cookies(c, token).get(path),
}


@pytest.mark.parametrize("way", list(WAYS))
def test_the_token_opens_no_other_endpoint_or_page(world: World, way: str) -> None:
    for path in world.targets:
        client = Client()
        response = WAYS[way](client, path, world.token)
        assert refused(response, path), f"{way} {path}: {response.status_code}"  # type: ignore[attr-defined]


def test_the_token_as_a_path_segment_opens_nothing(world: World) -> None:
    client = Client()
    for path in (f"/api/v1/products/{world.token}/", f"/api/v1/invitations/{world.token}/",
                 f"/api/v1/component-assessments/{world.token}/", f"/api/v1/component-results/{world.token}/",
                 f"/api/v1/questionnaires/{world.token}/../products/"):  # fmt: skip
        assert refused(client.get(path), path), path


def test_a_token_sees_and_answers_only_its_own_items(world: World) -> None:
    mine = token_client().get(questionnaire_url(world.token)).json()
    theirs = token_client().get(questionnaire_url(world.other_token)).json()
    my_ids = {item["result_id"] for item in mine["items"]}
    their_ids = {item["result_id"] for item in theirs["items"]}
    assert my_ids and their_ids and not my_ids & their_ids
    assert all(item["answer"] is None for item in mine["items"])  # the other supplier's answer is not here
    stranger = next(iter(their_ids))
    response = token_client().patch(
        questionnaire_url(world.token, "answers", stranger), {"status": "met"}, format="json"
    )
    assert response.status_code == 404
