"""WebSocket routes of the assessments app (protocol: docs/live-protocol.md)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from assessments.consumers import AssessmentConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/assessments/<uuid:assessment_id>/", AssessmentConsumer.as_asgi(), name="ws-assessment"),
]
