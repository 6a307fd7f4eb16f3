"""/healthz and the security headers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency(client: Any) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "broker", "channel_layer"}
    assert response.status_code == 200, body
    assert body["status"] == "ok"


def test_healthz_reports_a_broken_broker(client: Any, settings: Any) -> None:
    from config.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_pages_send_csp_and_no_inline_scripts(client: Any, personas: Personas) -> None:
    client.force_login(personas.owner)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert b"<script>" not in response.content


def test_api_errors_are_json(client: Any) -> None:
    response = client.get("/api/v1/organizations/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
