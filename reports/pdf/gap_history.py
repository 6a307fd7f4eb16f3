"""The summary of changes in the gap-assessment PDF: edits of results per person and day, and the latest
few with what they changed, from django-simple-history's rows in a fixed number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import User
from assessments.history import RESULT_SUMMARY
from assessments.models import Assessment, Result
from core.history import entries_for
from core.people import person_name

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
    what they changed, in a fixed number of queries whatever the history's length."""
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
    user_ids = {row["who"] for row in per_day if row["who"]}
    people = {u.pk: person_name(u) for u in User.objects.filter(pk__in=user_ids)}
    days = [ChangeDay(day=row["day"], who=people.get(row["who"], "—"), count=row["n"]) for row in per_day[:CHANGE_DAYS]]
    # core.history pairs each with the save before it and reads the diff: a fixed number of queries.
    entries = entries_for([(history_model, recent, RESULT_SUMMARY)])
    rows = []
    for record, entry in zip(recent, entries, strict=True):
        target_id = record.zone_id or record.conduit_id
        rows.append(
            ChangeRow(
                when=entry.when,
                who=entry.who if entry.who_id else "—",
                requirement=refs.get(record.requirement_id, ""),
                target=names.get(target_id, ("", ""))[0],
                changes=entry.changes,
            )
        )
    return days, total, rows
