"""The WebSocket of a component assessment's workspace: results changed by others, and who is here
(core.consumers does the socket and the presence). The client names the result it edits with
{"type": "focus", "result": id}, as on a gap assessment. Protocol: docs/live-protocol.md."""

from __future__ import annotations

import uuid
from typing import Any

from components import live, presence
from core.consumers import RegistryConsumer
from core.presence import Access


class ComponentAssessmentConsumer(RegistryConsumer):
    """One browser tab on one component assessment."""

    route_kwarg = "assessment_id"
    focus_key = "result"
    focus_error = "No such result in this component assessment."
    registry = presence.registry

    def access(self, user: Any, scope_id: Any) -> Access | None:
        return presence.access_for(user, scope_id)

    def group_for(self, scope_id: uuid.UUID) -> str:
        return live.group_name(scope_id)
