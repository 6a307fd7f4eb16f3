"""The catalogue page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_login_required(client: Any) -> None:
    response = client.get("/catalogue/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_defaults_to_3_3_with_100_items(client: Any, personas: Personas) -> None:
    client.force_login(personas.auditor)
    response = client.get("/catalogue/")
    assert response.status_code == 200
    assert response.context["total"] == 100
    assert b"SR 7.8" in response.content


def test_filtered_to_fr5_at_sl2(client: Any, personas: Personas) -> None:
    client.force_login(personas.consultant)
    response = client.get("/catalogue/", {"part": "3-3", "fr": "FR5", "sl": "2"})
    refs = [item.ref for item in response.context["page"]]
    assert refs and all(ref.startswith("SR 5.") for ref in refs)
    assert all(item.lowest_sl <= 2 for item in response.context["page"])


def test_component_type_filter_shows_levels(client: Any, personas: Personas) -> None:
    client.force_login(personas.consultant)
    response = client.get("/catalogue/", {"part": "4-2", "component_type": "EDR", "sl": "4"})
    assert response.context["total"] == 83
    assert b"badge-sl" in response.content


def test_bad_filter_shows_a_message_not_an_error(client: Any, personas: Personas) -> None:
    client.force_login(personas.consultant)
    response = client.get("/catalogue/", {"fr": "FR9"})
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert b"Select a valid choice" in response.content
