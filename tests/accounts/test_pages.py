"""Login, home and organization pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_and_logout(client: Any, personas: Personas) -> None:
    response = client.post("/login/", {"username": "persona-owner", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert b"Org A" in home.content
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_bad_login_says_so(client: Any, personas: Personas) -> None:
    response = client.post("/login/", {"username": "persona-owner", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_organization_page_and_404_for_others(client: Any, personas: Personas) -> None:
    client.force_login(personas.auditor)
    page = client.get(f"/organizations/{personas.org.pk}/")
    assert page.status_code == 200 and b"Site A" in page.content
    assert client.get(f"/organizations/{personas.other_org.pk}/").status_code == 404
