"""What the history of a component result shows (the diff engine is core.history): the fields a person
changes, and whom a save is credited to."""

from __future__ import annotations

from typing import Any

from components.models import ComponentResult
from core.history import HistorySpec, change_log

SHOWN_FIELDS = ("status", "source", "observations", "countermeasure", "justification", "assignee")

RESULT = HistorySpec(
    fields=SHOWN_FIELDS,
    capitalize=True,
    who=lambda record, changed: record.updated_by_id,
    object_label=lambda record: f"component result {record.id}",
)


def component_result_history(result: ComponentResult) -> list[dict[str, Any]]:
    """Every recorded save of `result`, newest first, with the fields it changed (two queries)."""
    records = list(result.history.order_by("history_date", "history_id"))
    return change_log(ComponentResult.history.model, records, RESULT)
