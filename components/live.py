"""Live collaboration on a component assessment: what the server tells everyone on its workspace.

Writes go through HTTP (the API or the pages); after a write commits, components.services publishes one of
these messages to the assessment's group (core.live sends it). The result messages are those of a gap
assessment's workspace (`result.updated`, `comment.added`, `evidence.linked`), so that the same page script
(static/js/workspace.js) follows both. Protocol: docs/live-protocol.md.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from core import live as core_live
from core.live import person


def group_name(assessment_id: uuid.UUID | str) -> str:
    return f"component-assessment.{assessment_id}"


def send_now(assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Hand `message` to everyone on the component assessment now."""
    core_live.send_now(group_name(assessment_id), message)


def publish(assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Send `message` to everyone on the component assessment once the current transaction commits."""
    # Looked up at call time: tests replace `send_now` to see what is published.
    transaction.on_commit(lambda: send_now(assessment_id, message))


def represent(result: Any) -> dict[str, Any]:
    """The result as the API and the live messages show it (serialized once per version)."""
    from components.api.assessment_serializers import ComponentResultSerializer

    return core_live.represent(result, ComponentResultSerializer)


def result_updated(result: Any, by: Any) -> dict[str, Any]:
    return {"type": "result.updated", "result": represent(result), "by": person(by)}


def comment_added(result: Any, comment: Any, by: Any) -> dict[str, Any]:
    return {
        "type": "comment.added",
        "result": str(result.pk),
        "comment": {"id": str(comment.pk), "body": comment.body, "created": comment.created.isoformat(),
                    "author": person(by)},
    }  # fmt: skip


def evidence_linked(result_id: Any, evidence_id: Any) -> dict[str, Any]:
    return {"type": "evidence.linked", "result": str(result_id), "evidence": str(evidence_id)}


def assessment_applied(assessment: Any, product: Any, by: Any) -> dict[str, Any]:
    """The assessment's SL-C was set on its product."""
    capability = product.sl_capability.to_dict() if product.sl_capability is not None else None
    return {
        "type": "assessment.applied",
        "version": assessment.version,
        "status": assessment.status,
        "sl_capability": capability,
        "by": person(by),
    }
