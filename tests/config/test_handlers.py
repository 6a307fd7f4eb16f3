"""The HTTP side of the ASGI application: one synchronous middleware chain (config/handlers.py)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler

from config.handlers import SyncChainASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def hand_overs(caplog: Any, handler_class: type[ASGIHandler]) -> list[str]:
    """What Django logs (with DEBUG on) for each place it had to adapt the chain between sync and async."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        handler_class()
    return [record.getMessage() for record in caplog.records if "adapted" in record.getMessage()]


def test_the_chain_has_no_hand_overs_between_event_loop_and_thread(caplog: Any, settings: Any) -> None:
    settings.DEBUG = True  # Django only logs the adaptations in debug mode
    assert hand_overs(caplog, ASGIHandler), "Django's own handler adapts; without that this test proves nothing"
    assert hand_overs(caplog, SyncChainASGIHandler) == []


def request(method: str, path: str, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    from config.asgi import application  # imported late: it builds the handler from the test settings

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *(headers or [])],
    }

    async def scenario() -> dict[str, Any]:
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": body})
        start = await communicator.receive_output(timeout=10)
        content = b""
        while True:
            chunk = await communicator.receive_output(timeout=10)
            content += chunk.get("body", b"")
            if not chunk.get("more_body"):
                break
        await communicator.wait(timeout=10)
        return {"status": start["status"], "headers": start["headers"], "body": content}

    # Its own thread and loop: a session-scoped Playwright may be running a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def test_a_page_through_the_asgi_application_passes_every_middleware() -> None:
    response = request("GET", "/login/")
    assert response["status"] == 200
    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert "script-src 'self'" in headers["content-security-policy"]  # ours, near the top of the chain
    assert headers["x-frame-options"] == "DENY"  # Django's, near the bottom
    assert b'name="csrfmiddlewaretoken"' in response["body"]


def test_a_post_without_csrf_token_is_refused_through_the_asgi_application() -> None:
    form = [(b"content-type", b"application/x-www-form-urlencoded")]
    response = request("POST", "/login/", body=b"username=a&password=b", headers=form)
    assert response["status"] == 403
