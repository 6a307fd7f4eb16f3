"""The browser opens an assessment's WebSocket on the real ASGI server and is greeted."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from assessments.services import assessment_create
from tests.e2e.conftest import login
from zones.models import Site

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server

# Resolves with the first message of the socket, rejects if it closes or errs first.
FIRST_MESSAGE = """(path) => new Promise((resolve, reject) => {
    const socket = new WebSocket(new URL(path, location.href.replace(/^http/, "ws")));
    const timer = setTimeout(() => reject(new Error("no message within 10 s")), 10000);
    socket.onmessage = (event) => { clearTimeout(timer); socket.close(); resolve(JSON.parse(event.data)); };
    socket.onclose = (event) => reject(new Error(`closed with ${event.code}`));
})"""


def test_socket_opens_and_says_hello(page: Any, demo: None, asgi_server: str) -> None:
    consultant = User.objects.get(username="demo-consultant")
    site = Site.objects.get(name="Riverside Water Treatment Works")
    assessment = assessment_create(site=site, title="Live socket check", by=consultant)

    login(page, asgi_server, "demo-consultant")
    hello = page.evaluate(FIRST_MESSAGE, f"/ws/assessments/{assessment.pk}/")

    assert hello["type"] == "hello"
    assert hello["you"] == {"id": str(consultant.pk), "name": "Casey Consultant"}
    assert hello["can_edit"] is True
    assert [p["name"] for p in hello["people"]] == ["Casey Consultant"]
