"""WebSocket routes; each app that speaks WebSocket adds its patterns here."""

from typing import Any

from assessments.routing import websocket_urlpatterns as assessment_patterns

websocket_urlpatterns: list[Any] = [*assessment_patterns]
