"""What the history of an assessment shows (the diff engine is core.history): which fields of a result,
the assessment and its evidence a person can change, how they are labelled, and whom a save is credited
to. Used by the result's History (page and API), the PDF's summary of changes and the history export."""

from __future__ import annotations

from typing import Any

from assessments.models import Result
from core.history import HistorySpec, change_log

# What a person can change on a result; bookkeeping (version, updated_at, the target) is left out.
SHOWN_FIELDS = ("status", "observations", "countermeasure", "justification", "assignee", "in_scope")
# Fields a person sets through result_update: only a save that changed one of them is credited to the
# result's `updated_by` when no signed-in user was recorded (a re-sync changing in_scope is not).
EDITED_FIELDS = frozenset({"status", "observations", "countermeasure", "justification", "assignee"})
ASSESSMENT_FIELDS = (
    "title", "status", "lead", "planned_start", "planned_end", "actual_start", "actual_end",
    "signed_off_at", "signed_off_by", "sign_off_reason", "sign_off_unassessed", "zones", "conduits",
)  # fmt: skip
EVIDENCE_FIELDS = ("filename", "reference", "description", "expires", "sha256", "results")


def _scope(value: Any) -> str:
    return "in scope" if value else "out of scope"


def result_who(record: Any, changed: frozenset[str]) -> Any:
    """The service's `updated_by` when the save edited what a person edits (see EDITED_FIELDS)."""
    return record.updated_by_id if EDITED_FIELDS & changed else None


RESULT = HistorySpec(
    fields=SHOWN_FIELDS,
    capitalize=True,
    display={"in_scope": _scope},
    who=result_who,
    object_label=lambda record: f"result {record.id}",
)
# The PDF's summary: short labels and texts cut to fit a table cell; people named as on the pages.
RESULT_SUMMARY = HistorySpec(
    fields=SHOWN_FIELDS,
    labels={"countermeasure": "Countermeasure", "assignee": "Assignee", "in_scope": "Scope"},
    capitalize=True,
    display={"in_scope": _scope},
    who=result_who,
    truncate=90,
)
ASSESSMENT = HistorySpec(fields=ASSESSMENT_FIELDS, m2m_names=True)
SIGN_OFF = HistorySpec(
    fields=("reason", "unassessed", "reopened_at", "reopened_by", "reopen_reason"),
    capitalize=True,
    who=lambda record, changed: record.reopened_by_id if "reopened_by" in changed else record.signed_off_by_id,
    object_label=lambda record: f"signed off {record.signed_off_at:%Y-%m-%d %H:%M} UTC",
)
EVIDENCE = HistorySpec(
    fields=EVIDENCE_FIELDS,
    who=lambda record, _: record.added_by_id,
    object_label=lambda record: str(record.filename or record.reference),
)


def result_history(result: Result) -> list[dict[str, Any]]:
    """Every recorded save of `result`, newest first, each with the fields it changed (core.history's
    `change_log`). Two queries whatever their number: the rows, then the people they mention."""
    records = list(result.history.order_by("history_date", "history_id"))
    return change_log(Result.history.model, records, RESULT)
