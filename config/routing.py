"""WebSocket routes; each app that speaks WebSocket adds its patterns here."""

from typing import Any

websocket_urlpatterns: list[Any] = []
