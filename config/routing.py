"""WebSocket routes; each app that speaks WebSocket adds its patterns here."""

from typing import Any

from assessments.routing import websocket_urlpatterns as assessment_patterns
from components.routing import websocket_urlpatterns as component_patterns
from risk.routing import websocket_urlpatterns as risk_patterns

websocket_urlpatterns: list[Any] = [*assessment_patterns, *risk_patterns, *component_patterns]
