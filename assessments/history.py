"""A result's change history as people read it: who changed which field from what to what.

Built from django-simple-history's rows (one per save) in two queries whatever their number: the rows,
then the names of the people they mention.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from assessments.choices import ResultStatus
from assessments.models import Result

# What a person can change on a result; bookkeeping (version, updated_at, the target) is left out.
SHOWN_FIELDS = ("status", "observations", "countermeasure", "justification", "assignee", "in_scope")


def _label(name: str) -> str:
    field = Result._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _display(name: str, value: Any, people: dict[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return str(ResultStatus(value).label) if value in ResultStatus.values else str(value)
    if name == "assignee":
        return people.get(str(value), "a former member")
    if name == "in_scope":
        return "in scope" if value else "out of scope"
    return str(value)


def _plain(value: Any) -> Any:
    return str(value) if value is not None and not isinstance(value, bool | int | str) else value


def result_history(result: Result) -> list[dict[str, Any]]:
    """Every recorded save of `result`, newest first, each with the fields it changed:
    `{"when", "who", "who_id", "kind", "changes": [{"field", "label", "from", "to", "from_display",
    "to_display"}]}`. Saves that changed nothing a person can see are left out."""
    records = list(result.history.order_by("history_date", "history_id"))
    user_ids: set[Any] = set()
    for record in records:
        user_ids.update(uid for uid in (record.history_user_id, record.updated_by_id, record.assignee_id) if uid)
    people = {
        str(user.pk): str(user.get_full_name() or user.get_username()) for user in User.objects.filter(pk__in=user_ids)
    }
    entries: list[dict[str, Any]] = []
    previous = None
    for record in records:
        who_id = record.history_user_id or record.updated_by_id
        entry: dict[str, Any] = {
            "when": record.history_date,
            "who": people.get(str(who_id), "") if who_id else "",
            "who_id": str(who_id) if who_id else None,
            "kind": "created" if previous is None else "changed",
            "changes": [],
        }
        if previous is not None:
            delta = record.diff_against(previous, included_fields=SHOWN_FIELDS)
            by_field = {change.field: change for change in delta.changes}
            for name in SHOWN_FIELDS:  # a stable order, not the diff's set order
                if name not in by_field:
                    continue
                change = by_field[name]
                entry["changes"].append(
                    {
                        "field": name,
                        "label": _label(name),
                        "from": _plain(change.old),
                        "to": _plain(change.new),
                        "from_display": _display(name, change.old, people),
                        "to_display": _display(name, change.new, people),
                    }
                )
        if previous is None or entry["changes"]:
            entries.append(entry)
        previous = record
    entries.reverse()
    return entries
