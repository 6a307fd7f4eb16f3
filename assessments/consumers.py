"""The WebSocket of an assessment: live changes and who is here. Protocol: docs/live-protocol.md.

The socket itself (authentication, the door, relaying, heartbeat, bad frames) is core.consumers's; this
says which assessment, who may edit it and where its presence is kept. The client tells the server which
result it is editing (`focus` with `result`) and that it is still there.
"""

from __future__ import annotations

import uuid
from typing import Any

from channels.db import database_sync_to_async

from assessments import live, presence
from core.consumers import CLOSE_FORBIDDEN, MAX_MESSAGE_CHARS, LiveConsumer
from core.presence import Access

__all__ = ["CLOSE_FORBIDDEN", "MAX_MESSAGE_CHARS", "AssessmentConsumer"]

# Whether this process has let a socket in yet; see LiveConsumer._forget_previous_process.
_started = False


class AssessmentConsumer(LiveConsumer):
    """One browser tab on one assessment."""

    route_kwarg = "assessment_id"
    focus_key = "result"
    focus_error = "No such result in this assessment."

    @property
    def assessment_id(self) -> uuid.UUID:
        return self.scope_id

    # The presence functions are looked up on the module at each call (tests replace them).
    def access(self, user: Any, scope_id: Any) -> Access | None:
        return presence.access_for(user, scope_id)

    def group_for(self, scope_id: uuid.UUID) -> str:
        return live.group_name(scope_id)

    def presence_join(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> None:
        presence.presence_join(channel_name=channel_name, assessment_id=scope_id, user_id=user_id)

    def presence_touch(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> bool:
        return presence.presence_touch(channel_name=channel_name, assessment_id=scope_id, user_id=user_id)

    def presence_focus(self, channel_name: str, scope_id: uuid.UUID, user_id: Any, row_id: Any) -> bool:
        return presence.presence_focus(
            channel_name=channel_name, assessment_id=scope_id, user_id=user_id, result_id=row_id
        )

    def presence_leave(self, channel_name: str) -> None:
        presence.presence_leave(channel_name=channel_name)

    def presence_message(self, scope_id: uuid.UUID) -> dict[str, Any]:
        return presence.presence_message(assessment_id=scope_id)

    def presence_clear(self) -> int:
        return presence.presence_clear()

    async def send_json(self, content: dict[str, Any], close: bool = False) -> None:
        """The hello carries the assessment's last sequence number (decision 0037). Read after joining the
        group, so that a change is either relayed to this socket or counted in the hello's number; the
        client asks for what it missed up to it."""
        if content.get("type") == "hello":
            seq = await database_sync_to_async(live.last_seq)(self.assessment_id)
            content = {**content, "seq": seq}
        await super().send_json(content, close=close)

    def first_socket(self) -> bool:
        global _started
        first, _started = not _started, True
        return first
