"""Tokens and /api/v1/organizations/."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.conftest import PERSONA_NAMES, Personas, api_as
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_username_and_password(api: APIClient, personas: Personas) -> None:
    response = api.post("/api/v1/auth/token/", {"username": "persona-owner", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/organizations/").json()["results"][0]["name"] == "Org A"


def test_wrong_password_is_400_with_a_message(api: APIClient, personas: Personas) -> None:
    response = api.post("/api/v1/auth/token/", {"username": "persona-owner", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_missing_fields_are_named(api: APIClient) -> None:
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_api_token_command_prints_a_new_working_token_each_time(personas: Personas) -> None:
    out1, out2 = StringIO(), StringIO()
    call_command("api_token", "persona-auditor", stdout=out1)
    call_command("api_token", "persona-auditor", stdout=out2)
    token = out1.getvalue().strip()
    assert token.startswith("zw_") and token != out2.getvalue().strip()  # keys are stored hashed: never re-shown
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/organizations/").status_code == 200


def test_api_token_command_unknown_user() -> None:
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("api_token", "ghost")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_organizations_lists_only_the_callers(personas: Personas, name: str) -> None:
    body = api_as(personas.by_name(name)).get("/api/v1/organizations/").json()
    names = [org["name"] for org in body["results"]]
    assert names == (["Org B"] if name == "outsider" else ["Org A"])


def test_organization_detail_of_another_organization_is_404(personas: Personas) -> None:
    client = api_as(personas.outsider)
    assert client.get(f"/api/v1/organizations/{personas.org.pk}/").status_code == 404
    assert client.get(f"/api/v1/organizations/{personas.other_org.pk}/").json()["role"] == "admin"


def test_organizations_carry_their_currency(personas: Personas) -> None:
    personas.org.currency = "GBP"
    personas.org.save()
    response = api_as(personas.owner).get("/api/v1/organizations/")
    assert response.status_code == 200
    assert [(o["name"], o["currency"]) for o in response.json()["results"]] == [("Org A", "GBP")]


@pytest.mark.parametrize("code", ["eur", "EURO", "E1R", ""])
def test_a_currency_must_be_an_iso_4217_code(personas: Personas, code: str) -> None:
    personas.org.currency = code
    with pytest.raises(ValidationError) as refused:
        personas.org.full_clean()
    assert "currency" in refused.value.message_dict
