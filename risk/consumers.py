"""The WebSocket of a risk assessment's register: scenarios added, changed and deleted by others, and who is
here (core.consumers.LiveConsumer does the socket). The client names the scenario it edits with
{"type": "focus", "scenario": id}. Protocol: docs/live-protocol.md, "Risk assessments"."""

from __future__ import annotations

import uuid
from typing import Any

from core.consumers import LiveConsumer
from core.presence import Access
from risk import live, presence

# Whether this process has let a socket in yet; see LiveConsumer._forget_previous_process.
_started = False


class RiskAssessmentConsumer(LiveConsumer):
    """One browser tab on one risk assessment."""

    route_kwarg = "risk_assessment_id"
    focus_key = "scenario"
    focus_error = "No such scenario in this risk assessment."

    def access(self, user: Any, scope_id: Any) -> Access | None:
        return presence.access_for(user, scope_id)

    def group_for(self, scope_id: uuid.UUID) -> str:
        return live.group_name(scope_id)

    def presence_join(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> None:
        presence.registry.join(channel_name=channel_name, scope_id=scope_id, user_id=user_id)

    def presence_touch(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> bool:
        return presence.registry.touch(channel_name=channel_name, scope_id=scope_id, user_id=user_id)

    def presence_focus(self, channel_name: str, scope_id: uuid.UUID, user_id: Any, row_id: Any) -> bool:
        return presence.registry.focus(channel_name=channel_name, scope_id=scope_id, user_id=user_id, row_id=row_id)

    def presence_leave(self, channel_name: str) -> None:
        presence.registry.leave(channel_name=channel_name)

    def presence_message(self, scope_id: uuid.UUID) -> dict[str, Any]:
        return presence.registry.message(scope_id=scope_id)

    def presence_clear(self) -> int:
        return presence.registry.clear()

    def first_socket(self) -> bool:
        global _started
        first, _started = not _started, True
        return first
