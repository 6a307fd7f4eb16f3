"""Live collaboration plumbing: publishing a message to a WebSocket group after a write commits.

Writes go through HTTP (the API or the pages), never through a socket, so that validation, permissions
and If-Match are the same everywhere; after a write commits, a service publishes a message to the group
of the thing that changed (an assessment, a risk assessment...). Each domain app names its groups and
its messages (e.g. assessments/live.py); the sending itself, and how a person appears in a message,
live here. The messages are documented in docs/live-protocol.md.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import queue
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)


def person(user: Any) -> dict[str, str]:
    """How a person appears in live messages."""
    name = (user.get_full_name() or user.get_username()) if user is not None else "someone"
    return {"id": str(user.pk) if user is not None else "", "name": name}


def plain(data: Any) -> Any:
    """JSON-safe copy (UUIDs and dates as strings): the Redis layer carries msgpack, not Python objects."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def represent(obj: Any, serializer_class: Any) -> dict[str, Any]:
    """`obj` as `serializer_class` shows it, JSON-safe. Kept on the instance for its current version, so a
    save that publishes the row and answers the request with it serializes it once."""
    cached = getattr(obj, "_represented", None)
    if cached is not None and cached[0] == obj.version:
        return dict(cached[1])
    data: dict[str, Any] = plain(serializer_class(obj).data)
    obj._represented = (obj.version, data)
    return dict(data)


async def _group_send(layer: Any, group: str, message: dict[str, Any]) -> None:
    await layer.group_send(group, {"type": "relay", "message": message})


class _Publisher:
    """Sends broadcasts from one thread of its own, with one event loop that lives as long as the
    process: the request that saved a change answers without waiting for Redis, the messages of a
    process leave in the order they were published, and the layer keeps one connection pool instead
    of opening one per message (what async_to_sync does outside an event loop, in Celery say)."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[Any, str, dict[str, Any]] | None] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pending = 0
        self.idle = threading.Condition(self.lock)

    def put(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="live-publisher", daemon=True)
                self.thread.start()
            self.pending += 1
        self.queue.put((layer, group, message))

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        while (item := self.queue.get()) is not None:
            layer, group, message = item
            try:
                loop.run_until_complete(_group_send(layer, group, message))
            except Exception:  # a lost broadcast must never undo or fail a saved write
                logger.exception("could not publish %s to %s", message.get("type"), group)
            finally:
                with self.lock:
                    self.pending -= 1
                    self.idle.notify_all()

    def flush(self, timeout: float = 5) -> bool:
        """Wait until everything published so far has been sent (tests, and at exit)."""
        with self.lock:
            return self.idle.wait_for(lambda: self.pending == 0, timeout)


_publisher = _Publisher()
atexit.register(_publisher.flush, 2)


def flush(timeout: float = 5) -> bool:
    """Block until this process's published messages have left (True) or `timeout` passed (False)."""
    return _publisher.flush(timeout)


def send_now(group: str, message: dict[str, Any]) -> None:
    """Hand `message` to everyone in `group`. Over Redis the send happens in the publisher's thread and
    this returns at once; the in-memory layer (one process, tests) is sent to directly, since its queues
    belong to the event loop of the process's server."""
    layer = get_channel_layer()
    if layer is None:
        return
    if not isinstance(layer, InMemoryChannelLayer):
        _publisher.put(layer, group, message)
        return

    def send() -> None:
        try:
            async_to_sync(_group_send)(layer, group, message)
        except Exception:  # a lost broadcast must never undo or fail a saved write
            logger.exception("could not publish %s to %s", message.get("type"), group)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()  # the usual case: a sync view or task, no loop in this thread
    else:
        # Called from a thread that runs an event loop (a script or test driving async code):
        # async_to_sync cannot run here, so send from a short-lived thread of its own.
        thread = threading.Thread(target=send, name="live-publish")
        thread.start()
        thread.join(timeout=5)


def publish(group: str, message: dict[str, Any]) -> None:
    """Send `message` to everyone in `group` once the current transaction commits."""
    transaction.on_commit(lambda: send_now(group, message))
