"""Live collaboration: what the server tells everyone connected to an assessment.

Writes go through HTTP (the API or the pages), never through the socket, so that validation,
permissions and If-Match are the same everywhere; after a write commits, the service publishes
a message to the assessment's group. The sending is core.live's; the messages are documented in
docs/live-protocol.md. Each published message carries the assessment's next sequence number, given out
and logged in the writing transaction (assessments.live_changes, decision 0037), so that a browser that
missed some asks GET /api/v1/assessments/{id}/changes/?since=N.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from assessments import live_changes
from core import live as core_live
from core.live import person, plain

__all__ = [
    "flush", "group_name", "last_seq", "person", "plain", "publish", "represent", "represent_many", "result_updated",
    "send_now",
]  # fmt: skip


def group_name(assessment_id: uuid.UUID | str) -> str:
    return f"assessment.{assessment_id}"


def flush(timeout: float = 5) -> bool:
    """Block until this process's published messages have left (True) or `timeout` passed (False)."""
    return core_live.flush(timeout)


def send_now(assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Hand `message` to everyone on the assessment now (see core.live.send_now)."""
    core_live.send_now(group_name(assessment_id), message)


def publish(assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Send `message` to everyone on the assessment once the current transaction commits, numbered.

    Call it at the end of the writing transaction, after the rows it reports on were written: the number
    is taken (and the counter row locked until commit) here, so that numbers commit in order."""
    numbered = live_changes.record(assessment_id, [message])[0]
    # Looked up at call time, not bound here: tests replace `send_now` to see what is published.
    transaction.on_commit(lambda: send_now(assessment_id, numbered))


def last_seq(assessment_id: uuid.UUID | str) -> int:
    """The assessment's last published sequence number (0 when none): what a page or a hello starts from."""
    return live_changes.last_seq(assessment_id)


def represent(result: Any) -> dict[str, Any]:
    """The result as the API and the live messages show it, JSON-safe. Kept on the instance for its
    current version, so a save that publishes the result and answers with it serializes it once."""
    from assessments.api.serializers import ResultSerializer

    return core_live.represent(result, ResultSerializer)


def result_updated(result: Any, by: Any) -> dict[str, Any]:
    return {"type": "result.updated", "result": represent(result), "by": person(by)}


def represent_many(results: list[Any]) -> list[dict[str, Any]]:
    """`represent` for many results at once (one serializer for the lot: a bulk edit's hundreds), each
    kept on its instance like `represent` does."""
    from assessments.api.serializers import ResultSerializer

    data: list[dict[str, Any]] = plain(ResultSerializer(results, many=True).data)
    for result, item in zip(results, data, strict=True):
        result._represented = (result.version, item)
    return [dict(item) for item in data]
