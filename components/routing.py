"""WebSocket routes of the components app (protocol: docs/live-protocol.md)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from components.consumers import ComponentAssessmentConsumer

websocket_urlpatterns: list[Any] = [
    path(
        "ws/component-assessments/<uuid:assessment_id>/",
        ComponentAssessmentConsumer.as_asgi(),
        name="ws-component-assessment",
    ),
]
