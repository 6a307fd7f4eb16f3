"""The base of every live page's WebSocket: it authenticates, checks the permission door, joins the page's
group, relays what the services publish, keeps presence with a heartbeat and answers bad frames with
{"type": "error"} instead of dying. Protocol: docs/live-protocol.md.

The socket only reads. Writes go through HTTP with If-Match, so validation, permissions and optimistic
concurrency live in one place; the services publish what changed after commit and `relay` passes it on.
The client only tells the server which row it is editing (`focus`) and that it is still there (`ping`).

A subclass says which URL keyword names the page's object, what its group is called, who may connect
(`access`) and where presence is kept (`presence_*` hooks, synchronous, called from a worker thread).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer

from core import live
from core.presence import Access

# Close code for a socket the person may not open (not logged in, or the object is not theirs to see).
# The same code for both so that the socket does not reveal which objects exist; in the 4000-4999 range
# that applications may use, mirroring HTTP 403.
CLOSE_FORBIDDEN = 4403
MAX_MESSAGE_CHARS = 4096  # client messages are tiny; refuse to parse anything bigger

logger = logging.getLogger(__name__)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One browser tab on one live page."""

    route_kwarg: str = "pk"  # the URL keyword that names the page's object
    focus_key: str = "row"  # what a `focus` message names the edited row by
    focus_error: str = "No such row here."
    user: Any
    scope_id: uuid.UUID
    group: str = ""  # set once the person has been let in

    # --- what a subclass says ----------------------------------------------------------------------------
    def access(self, user: Any, scope_id: Any) -> Access | None:
        """None unless `user` may see the object (sync: runs in a worker thread)."""
        raise NotImplementedError

    def group_for(self, scope_id: uuid.UUID) -> str:
        raise NotImplementedError

    def presence_join(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> None:
        raise NotImplementedError

    def presence_touch(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> bool:
        raise NotImplementedError

    def presence_focus(self, channel_name: str, scope_id: uuid.UUID, user_id: Any, row_id: Any) -> bool:
        raise NotImplementedError

    def presence_leave(self, channel_name: str) -> None:
        raise NotImplementedError

    def presence_message(self, scope_id: uuid.UUID) -> dict[str, Any]:
        raise NotImplementedError

    def first_socket(self) -> bool:
        """True once per process, on the first socket let in (see `_forget_previous_process`)."""
        raise NotImplementedError

    def presence_clear(self) -> int:
        raise NotImplementedError

    # --- the protocol ------------------------------------------------------------------------------------
    async def dispatch(self, message: dict[str, Any]) -> None:
        # Whatever still escapes a handler ends the socket without a `websocket.disconnect`, so
        # `disconnect` never runs: forget the socket here, or its presence (and what it was
        # editing) would show to the others until the timeout.
        try:
            if message["type"] == "relay":
                # A relayed change touches no database, so it skips channels' dispatch, which first hops to
                # the process's one sync thread to close old connections: at 50 changes a second to 50
                # sockets per process, those hops queue one behind another (decision 0038).
                await self.relay(message)
            else:
                await super().dispatch(message)
        except Exception:
            await self._leave()
            raise

    async def connect(self) -> None:
        user = self.scope.get("user")
        scope_id = self.scope["url_route"]["kwargs"][self.route_kwarg]
        access = None
        if user is not None and user.is_authenticated:
            access = await database_sync_to_async(self.access)(user, scope_id)
        # Accept before closing so the browser gets our close code; refusing the handshake
        # would only show it a generic 1006 and it would keep reconnecting.
        await self.accept()
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self._forget_previous_process()
        self.user = user
        self.scope_id = access.scope_id
        self.group = self.group_for(access.scope_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await database_sync_to_async(self.presence_join)(self.channel_name, self.scope_id, user.pk)
        message = await self._presence_message()
        await self.send_json(
            {"type": "hello", "you": live.person(user), "can_edit": access.can_edit, "people": message["people"]}
        )
        await self._broadcast(message)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        """Stop relaying, forget the socket and tell the others. Safe to call twice."""
        group, self.group = self.group, ""
        if not group:
            return
        await self.channel_layer.group_discard(group, self.channel_name)
        await database_sync_to_async(self.presence_leave)(self.channel_name)
        await self.channel_layer.group_send(group, {"type": "relay", "message": await self._presence_message()})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """Decode leniently: a bad frame gets an error reply, never a dead socket."""
        if not self.group:
            return
        if text_data is None:
            await self._error("Send JSON text frames, not binary ones.")
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self._error("Message too long.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("Malformed JSON.")
            return
        except RecursionError:  # a few thousand nested brackets fit in the size limit
            await self._error("JSON nested too deeply.")
            return
        if not isinstance(content, dict):
            await self._error('Send a JSON object with a "type".')
            return
        try:
            await self.receive_json(content)
        except Exception:
            # A bug while handling one frame costs that frame, not the socket; the details go to
            # the log, not to the client.
            logger.exception("WebSocket message failed on %s", self.group)
            await self._error("The server could not handle this message.")

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        if kind == "ping":
            await self._heartbeat()
        elif kind == "focus":
            ok = await database_sync_to_async(self.presence_focus)(
                self.channel_name, self.scope_id, self.user.pk, content.get(self.focus_key)
            )
            if ok:
                await self._broadcast_presence()
            else:
                await self._error(self.focus_error)
        else:
            await self._error(f"Unknown message type {kind!r}; expected focus or ping.")

    async def _forget_previous_process(self) -> None:
        """On a process's first socket, drop the presence rows that a previous run of the embedded
        single process left behind (killed or crashed before its sockets said goodbye), so that
        nobody shows as here or editing for up to the timeout after a restart.

        Only with the in-memory channel layer: it means one web process, so every row that exists
        before its first socket belongs to a dead one. Behind Redis, several processes share the
        table and a starting one cannot tell a dead peer's rows from a live one's; those rows stop
        counting after `PRESENCE_TIMEOUT_SECONDS` (a clean shutdown closes its sockets and
        removes them at once)."""
        if not self.first_socket():
            return
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            await database_sync_to_async(self.presence_clear)()

    async def _heartbeat(self) -> None:
        # Access is checked again on every heartbeat: someone removed from the organization stops
        # receiving the object's changes within a ping interval, not when they reload.
        if await database_sync_to_async(self.access)(self.user, self.scope_id) is None:
            await self._leave()  # first, so that no relayed message follows the close
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # Re-joining refreshes the group's expiry in Redis (a day by default), so a tab left open
        # over a weekend keeps getting messages.
        await self.channel_layer.group_add(self.group, self.channel_name)
        swept = await database_sync_to_async(self.presence_touch)(self.channel_name, self.scope_id, self.user.pk)
        await self.send_json({"type": "pong"})
        if swept:
            await self._broadcast_presence()

    async def relay(self, event: dict[str, Any]) -> None:
        """A message published to the group (live.publish, presence changes)."""
        if self.group:  # not after a close: messages queued before leaving the group may still arrive
            await self.send_json(event["message"])

    async def _error(self, message: str) -> None:
        await self.send_json({"type": "error", "message": message})

    async def _presence_message(self) -> dict[str, Any]:
        message: dict[str, Any] = await database_sync_to_async(self.presence_message)(self.scope_id)
        return message

    async def _broadcast_presence(self) -> None:
        await self._broadcast(await self._presence_message())

    async def _broadcast(self, message: dict[str, Any]) -> None:
        await self.channel_layer.group_send(self.group, {"type": "relay", "message": message})


class RegistryConsumer(LiveConsumer):
    """A live page whose presence is one core.presence registry: the subclass names `registry` and says
    who may connect (`access`) and what the group is called (`group_for`)."""

    registry: Any  # core.presence.PresenceRegistry

    def presence_join(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> None:
        self.registry.join(channel_name=channel_name, scope_id=scope_id, user_id=user_id)

    def presence_touch(self, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> bool:
        touched: bool = self.registry.touch(channel_name=channel_name, scope_id=scope_id, user_id=user_id)
        return touched

    def presence_focus(self, channel_name: str, scope_id: uuid.UUID, user_id: Any, row_id: Any) -> bool:
        registry = self.registry
        return bool(registry.focus(channel_name=channel_name, scope_id=scope_id, user_id=user_id, row_id=row_id))

    def presence_leave(self, channel_name: str) -> None:
        self.registry.leave(channel_name=channel_name)

    def presence_message(self, scope_id: uuid.UUID) -> dict[str, Any]:
        message: dict[str, Any] = self.registry.message(scope_id=scope_id)
        return message

    def presence_clear(self) -> int:
        cleared: int = self.registry.clear()
        return cleared

    def first_socket(self) -> bool:
        # Once per process and per kind of page: the flag lives on the concrete class.
        cls = type(self)
        first = not cls.__dict__.get("_socket_seen", False)
        cls._socket_seen = True
        return first
