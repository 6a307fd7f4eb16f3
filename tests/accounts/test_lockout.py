"""Lockout after failed logins (django-axes): the login page, the second step, the token endpoint, the client
address behind proxies, and an organization admin unlocking a member."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from accounts.auth.lockout import client_ip
from tests.accounts.otp import give_totp
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]
LIMIT = 5


@pytest.fixture
def axes_on() -> Any:
    with override_settings(AXES_ENABLED=True):
        yield


def _fail(client: Client, username: str, times: int = LIMIT, **extra: Any) -> Any:
    response = None
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong"}, **extra)
    return response


def test_five_failures_lock_the_account_with_a_clear_page(client: Client, personas: Personas) -> None:
    four = _fail(client, "persona-owner", LIMIT - 1)
    assert four.status_code == 200 and "correct username and password" in four.content.decode()
    locked = _fail(client, "persona-owner", 1)
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    body = locked.content.decode()
    assert "Login locked for 15 minutes" in body and "administrator of your organization" in body
    # Even the right password is refused now, from another address too (the account is locked).
    right = Client(REMOTE_ADDR="10.9.9.9").post("/login/", {"username": "persona-owner", "password": PASSWORD})
    assert right.status_code == 429
    assert Client().get("/").status_code == 302


def test_failures_from_one_address_lock_the_address(client: Client, personas: Personas) -> None:
    for n in range(LIMIT):
        _fail(client, f"nobody-{n}", 1)
    assert client.post("/login/", {"username": "persona-owner", "password": PASSWORD}).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert elsewhere.post("/login/", {"username": "persona-owner", "password": PASSWORD}).status_code == 302


def test_a_success_clears_the_count(client: Client, personas: Personas) -> None:
    _fail(client, "persona-owner", LIMIT - 1)
    assert client.post("/login/", {"username": "persona-owner", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    assert _fail(client, "persona-owner", LIMIT - 1).status_code == 200  # counting from zero again


def test_wrong_second_step_codes_count(client: Client, personas: Personas) -> None:
    give_totp(personas.owner)
    client.post("/login/", {"username": "persona-owner", "password": PASSWORD})
    responses = [client.post("/login/verify/", {"code": "999999"}).status_code for _ in range(LIMIT)]
    assert responses[:-1] == [200] * (LIMIT - 1) and responses[-1] == 429
    assert client.get("/login/verify/").status_code == 429


def test_the_token_endpoint_answers_429_json_with_retry_after(client: Client, personas: Personas) -> None:
    for _ in range(LIMIT - 1):
        assert client.post("/api/v1/auth/token/", {"username": "persona-owner", "password": "x"}).status_code == 400
    assert client.post("/api/v1/auth/token/", {"username": "persona-owner", "password": "x"}).status_code == 429
    locked = client.post("/api/v1/auth/token/", {"username": "persona-owner", "password": PASSWORD})
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert "locked for 15 minutes" in locked.json()["detail"]


def test_an_organization_admin_unlocks_a_member(client: Client, personas: Personas) -> None:
    _fail(Client(REMOTE_ADDR="10.0.0.7"), "persona-owner")
    org_page = f"/organizations/{personas.org.pk}/"
    unlock = f"/organizations/{personas.org.pk}/members/{personas.owner.pk}/unlock/"

    consultant = Client()
    consultant.force_login(personas.consultant)
    assert "Unlock" not in consultant.get(org_page).content.decode()
    assert consultant.post(unlock).status_code == 403
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.post(unlock).status_code == 404

    client.force_login(personas.admin)
    page = client.get(org_page).content.decode()
    assert "Locked" in page and unlock in page
    assert client.post(unlock).status_code == 302
    assert "Locked" not in client.get(org_page).content.decode()
    owner = Client(REMOTE_ADDR="10.0.0.8")
    assert owner.post("/login/", {"username": "persona-owner", "password": PASSWORD}).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_saw_counts() -> None:
    rf = RequestFactory()
    spoofed = rf.get("/", REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(spoofed) == "203.0.113.9"  # the client's own header entries are not trusted
    assert client_ip(rf.get("/", REMOTE_ADDR="172.18.0.2")) == "172.18.0.2"


def test_without_proxies_forwarded_headers_are_ignored() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "198.51.100.4"
