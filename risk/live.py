"""Live collaboration on a risk assessment: what the server tells everyone on its register.

Writes go through HTTP (the API or the pages); after a write commits, risk.services publishes one of
these messages to the assessment's group (core.live sends it). Protocol: docs/live-protocol.md, "Risk
assessments".
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from core import live as core_live
from core.live import person


def group_name(risk_assessment_id: uuid.UUID | str) -> str:
    return f"risk.{risk_assessment_id}"


def send_now(risk_assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Hand `message` to everyone on the risk assessment now."""
    core_live.send_now(group_name(risk_assessment_id), message)


def publish(risk_assessment_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Send `message` to everyone on the risk assessment once the current transaction commits."""
    # Looked up at call time: tests replace `send_now` to see what is published.
    transaction.on_commit(lambda: send_now(risk_assessment_id, message))


def scenario_saved(scenario: Any, by: Any, *, created: bool) -> dict[str, Any]:
    """A scenario was added or changed: its id, target and version; the page fetches the row it shows."""
    return {
        "type": "scenario.created" if created else "scenario.updated",
        "scenario": str(scenario.pk),
        "target": str(scenario.target_id),
        "version": scenario.version,
        "by": person(by),
    }


def scenario_deleted(scenario_id: Any, by: Any) -> dict[str, Any]:
    return {"type": "scenario.deleted", "scenario": str(scenario_id), "by": person(by)}


def assessment_updated(assessment: Any, by: Any) -> dict[str, Any]:
    """The risk assessment itself changed (fields, status, revision)."""
    return {
        "type": "risk.updated",
        "version": assessment.version,
        "status": assessment.status,
        "revision": assessment.revision,
        "by": person(by),
    }
