"""Live collaboration: what the server tells everyone connected to an assessment.

Writes go through HTTP (the API or the pages), never through the socket, so that validation,
permissions and If-Match are the same everywhere; after a write commits, the service publishes
a message to the assessment's group. The messages are documented in docs/live-protocol.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)


def group_name(assessment_id: uuid.UUID | str) -> str:
    return f"assessment.{assessment_id}"


def person(user: Any) -> dict[str, str]:
    """How a person appears in live messages."""
    name = (user.get_full_name() or user.get_username()) if user is not None else "someone"
    return {"id": str(user.pk) if user is not None else "", "name": name}


def send_now(assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    def send() -> None:
        try:
            async_to_sync(layer.group_send)(group_name(assessment_id), {"type": "relay", "message": message})
        except Exception:  # a lost broadcast must never undo or fail a saved write
            logger.exception("could not publish %s to assessment %s", message.get("type"), assessment_id)

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


def publish(assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Send `message` to everyone on the assessment once the current transaction commits."""
    transaction.on_commit(lambda: send_now(assessment_id, message))


def result_updated(result: Any, by: Any) -> dict[str, Any]:
    from assessments.api.serializers import ResultSerializer

    return {"type": "result.updated", "result": plain(ResultSerializer(result).data), "by": person(by)}


def plain(data: Any) -> Any:
    """JSON-safe copy (UUIDs and dates as strings): the Redis layer carries msgpack, not Python objects."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
