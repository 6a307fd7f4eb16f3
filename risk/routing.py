"""WebSocket routes of risk assessment (protocol: docs/live-protocol.md)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from risk.consumers import RiskAssessmentConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/risk-assessments/<uuid:risk_assessment_id>/", RiskAssessmentConsumer.as_asgi(), name="ws-risk"),
]
