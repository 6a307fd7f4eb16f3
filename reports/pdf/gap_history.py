"""The summary of changes in the gap-assessment PDF: edits of results per person and day, and the latest
few with what they changed, from django-simple-history's rows in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import User
from assessments.choices import ResultStatus
from assessments.history import SHOWN_FIELDS
from assessments.models import Assessment, Result

RECENT_CHANGES = 15
CHANGE_DAYS = 20


@dataclass
class ChangeDay:
    day: date
    who: str
    count: int


@dataclass
class ChangeRow:
    when: datetime
    who: str
    requirement: str
    target: str
    changes: list[tuple[str, str, str]]


def change_summary(
    assessment: Assessment, refs: dict[uuid.UUID, str], names: dict[uuid.UUID, tuple[str, str]]
) -> tuple[list[ChangeDay], int, list[ChangeRow]]:
    """Edits of results (not their creation): counts per person and day, and the latest few with
    what they changed. Four queries whatever the history's length."""
    history_model: Any = Result.history.model
    history = history_model.objects.filter(assessment_id=assessment.pk, history_type="~")
    # Who: the request's user when the change came through a page or the API, else the service's updated_by.
    per_day = list(
        history.annotate(day=TruncDate("history_date"), who=Coalesce("history_user_id", "updated_by_id"))
        .values("day", "who")
        .annotate(n=Count("history_id"))
        .order_by("-day", "-n")
    )
    total = sum(row["n"] for row in per_day)
    recent = list(history.order_by("-history_date", "-history_id")[:RECENT_CHANGES])
    # The rows before each recent one, to diff against: the full histories of those few results.
    result_ids = {r.id for r in recent}
    earlier: dict[uuid.UUID, list[Any]] = defaultdict(list)
    if result_ids:
        for row in history_model.objects.filter(id__in=result_ids).order_by("history_date", "history_id"):
            earlier[row.id].append(row)
    user_ids = {row["who"] for row in per_day if row["who"]}
    user_ids |= {r.history_user_id or r.updated_by_id for r in recent} - {None}
    people = {u.pk: str(u.get_full_name() or u.get_username()) for u in User.objects.filter(pk__in=user_ids)}
    days = [ChangeDay(day=row["day"], who=people.get(row["who"], "—"), count=row["n"]) for row in per_day[:CHANGE_DAYS]]
    rows = []
    for record in recent:
        chain = earlier[record.id]
        position = next(i for i, r in enumerate(chain) if r.history_id == record.history_id)
        changes: list[tuple[str, str, str]] = []
        if position > 0:
            delta = record.diff_against(chain[position - 1], included_fields=list(SHOWN_FIELDS))
            for change in sorted(delta.changes, key=lambda c: SHOWN_FIELDS.index(c.field)):
                changes.append(
                    (_label(change.field), _shown(change.field, change.old), _shown(change.field, change.new))
                )
        target_id = record.zone_id or record.conduit_id
        rows.append(
            ChangeRow(
                when=record.history_date,
                who=people.get(record.history_user_id or record.updated_by_id, "—"),
                requirement=refs.get(record.requirement_id, ""),
                target=names.get(target_id, ("", ""))[0],
                changes=changes,
            )
        )
    return days, total, rows


def _label(name: str) -> str:
    return {"countermeasure": "Countermeasure", "assignee": "Assignee", "in_scope": "Scope"}.get(
        name, name.capitalize()
    )


def _shown(name: str, value: Any, limit: int = 90) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return str(ResultStatus(value).label) if value in ResultStatus.values else str(value)
    if name == "in_scope":
        return "in scope" if value else "out of scope"
    if name == "assignee":
        return "someone"  # who is assigned is not part of the change summary
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
