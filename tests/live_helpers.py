"""The WebSocket plumbing of the live tests (gap assessments, component assessments, risk registers): a
browser's socket driven by hand through the real ASGI stack (origin check, session auth, routing), with
whatever channel layer the settings give: in-memory locally, Redis when REDIS_URL is set."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from core.consumers import CLOSE_FORBIDDEN

TIMEOUT = 3  # seconds; generous for the Redis layer on a busy CI machine


class WebsocketCommunicator(ApplicationCommunicator):
    """A browser's socket, driven by hand. (channels.testing has one, but importing it needs daphne,
    which this project does not install.)"""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers, "subprotocols": []}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, int | None]:
        """(True, None) when accepted, (False, close code) when the handshake is refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_to(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is not None:
            await self.send_input({"type": "websocket.receive", "bytes": bytes_data})
        else:
            await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(text_data=json.dumps(data))

    async def receive_json_from(self, timeout: float = 1) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async scenario from a sync test; its database calls come back to this thread."""
    async_to_sync(scenario)()


def cookie_for(user: User | None) -> bytes:
    """The session cookie of `user` signed in (empty for anonymous)."""
    if user is None:
        return b""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def socket(cookie: bytes, path: str, origin: bytes = b"http://testserver") -> WebsocketCommunicator:
    """A socket to `path` (e.g. /ws/assessments/<id>/) with the session `cookie`, not yet connected."""
    # Imported here, not at the top: the origin validator keeps the ALLOWED_HOSTS it sees at
    # import, and "testserver" is only added once the test environment is set up.
    from config.asgi import application

    headers = [(b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def join(cookie: bytes, path: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """Open a socket that must be let in; returns it and its hello, its own presence consumed."""
    ws = socket(cookie, path)
    connected, _ = await ws.connect(timeout=TIMEOUT)
    assert connected
    hello = await ws.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "hello"
    assert (await ws.receive_json_from(timeout=TIMEOUT))["type"] == "presence"
    return ws, hello


async def next_message(ws: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next message of `kind`, skipping presence updates that other sockets caused."""
    while True:
        message: dict[str, Any] = await ws.receive_json_from(timeout=TIMEOUT)
        if message["type"] == kind:
            return message
        assert message["type"] == "presence", message


async def assert_refused(ws: WebsocketCommunicator) -> None:
    """The door's answer to someone it does not let in: accepted only to be closed with CLOSE_FORBIDDEN."""
    connected, _ = await ws.connect(timeout=TIMEOUT)
    assert connected  # accepted only to tell the browser why it is closed
    assert await ws.receive_output(timeout=TIMEOUT) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    await ws.wait()


@pytest.fixture
def catalogue(transactional_db: None) -> None:
    """Transactional tests start from an empty database (the one loaded for the session is flushed)."""
    call_command("load_catalogue", verbosity=0)
