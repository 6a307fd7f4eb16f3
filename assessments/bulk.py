"""Bulk edit of results (decision 0028): one status, assignee or not-applicable justification set on many
results of one assessment at once, all or nothing.

The rules are the single edit's (services.result_fields_check and result_fields_apply); what is added is
the batch: every result locked and checked against the version the client read before anything is written,
one UPDATE and one history INSERT for the lot, and one `results.updated` live message per chunk of results.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from accounts.models import User
from assessments import live
from assessments.models import Assessment, Evidence, Result
from assessments.services import result_fields_apply, result_fields_check

# What a bulk edit may set: the fields that make sense for many results at once (observations and
# countermeasures are about one result each).
BULK_FIELDS = ("status", "assignee", "justification")
# A whole zone at SL 4 has about 100 items; 2,000 covers the largest real selection (every result of a
# 20-zone plant is 1,820) while keeping one request's locks and live messages bounded.
BULK_LIMIT = 2000
# Results per live message: a few hundred kilobytes of JSON at most per WebSocket frame.
LIVE_CHUNK = 200
# How many failing results a 400 names by reference before it just counts the rest.
NAMED_IN_ERRORS = 5


@dataclass(frozen=True)
class BulkItem:
    """One selected result and the version the client read it at."""

    id: uuid.UUID
    version: int


class BulkStale(Exception):
    """Some selected results changed since the client read them (HTTP 412): nothing was written."""

    def __init__(self, stale: list[Result]) -> None:
        self.stale = stale
        super().__init__(f"{len(stale)} of the selected results were changed by someone else meanwhile.")


def _target_label(result: Result) -> str:
    return f"{result.requirement.ref} · {result.zone or result.conduit}"


def _selection_errors(assessment: Assessment, items: Sequence[BulkItem], fields: dict[str, Any]) -> None:
    if not items:
        raise ValidationError({"results": "Select at least one result."})
    if len(items) > BULK_LIMIT:
        raise ValidationError(
            {"results": f"At most {BULK_LIMIT} results per bulk edit ({len(items)} were sent); edit in parts."}
        )
    if len({item.id for item in items}) != len(items):
        raise ValidationError({"results": "A result is listed twice; send each selected result once."})
    if not fields:
        raise ValidationError({"set": f"Say what to set: one or more of {', '.join(BULK_FIELDS)}."})


def _merged_errors(failures: dict[Result, ValidationError]) -> ValidationError:
    """One error per field for the whole selection, naming the first results that fail it."""
    by_field: dict[str, list[tuple[str, Result]]] = {}
    for result, error in failures.items():
        for field, messages in error.message_dict.items():
            by_field.setdefault(field, []).extend((message, result) for message in messages)
    merged: dict[str, list[str]] = {}
    for field, pairs in by_field.items():
        for message in dict.fromkeys(m for m, _ in pairs):
            failing = [r for m, r in pairs if m == message]
            named = ", ".join(_target_label(r) for r in failing[:NAMED_IN_ERRORS])
            more = f" and {len(failing) - NAMED_IN_ERRORS} more" if len(failing) > NAMED_IN_ERRORS else ""
            merged.setdefault(field, []).append(
                f"{message} ({len(failing)} selected result{'s' if len(failing) != 1 else ''}: {named}{more})"
            )
    return ValidationError(merged)


@transaction.atomic
def results_bulk_update(
    *, assessment: Assessment, items: Sequence[BulkItem], fields: dict[str, Any], by: User
) -> list[Result]:
    """Set `fields` (status, assignee, justification) on every selected result of `assessment`.

    All or nothing: results of another assessment, a field the single edit would refuse, or more than
    BULK_LIMIT results are a ValidationError; a result whose version is not the one the client read raises
    BulkStale naming all such results. Each changed result gets a new version and a history row credited
    to `by`; everyone on the assessment is told after commit. Returns the results in the order asked."""
    _selection_errors(assessment, items, fields)
    assessment = Assessment.objects.select_related("site").get(pk=assessment.pk)
    result_fields_check(assessment=assessment, fields=fields, allowed=BULK_FIELDS)
    wanted = {item.id: item.version for item in items}
    locked = Result.objects.select_for_update(of=("self",)).filter(assessment=assessment, pk__in=list(wanted))
    found = {r.pk: r for r in locked.select_related("requirement", "zone", "conduit", "assignee")}
    foreign = [str(pk) for pk in wanted if pk not in found]
    if foreign:
        raise ValidationError(
            {"results": f"{len(foreign)} of the selected results are not results of this assessment: "
                        f"{', '.join(foreign[:NAMED_IN_ERRORS])}{' …' if len(foreign) > NAMED_IN_ERRORS else ''}"}
        )  # fmt: skip
    results = [found[item.id] for item in items]
    stale = [r for r in results if r.version != wanted[r.pk]]
    if stale:
        raise BulkStale(stale)
    failures: dict[Result, ValidationError] = {}
    for result in results:
        try:
            result_fields_apply(result=result, fields=fields, by=by)
        except ValidationError as exc:
            failures[result] = exc
    if failures:
        raise _merged_errors(failures)
    now = timezone.now()
    for result in results:
        # What Versioned.save and auto_now do; the write goes around save() (below).
        result.version += 1
        result.updated_at = now
    # Every selected row gets the same values: one UPDATE for the lot (bulk_update's CASE per row is
    # ten times slower), under the locks taken above; then one history row each, credited to `by`.
    Result.objects.filter(pk__in=[r.pk for r in results]).update(
        **fields, updated_by=by, updated_at=now, version=F("version") + 1
    )
    Result.history.bulk_history_create(
        results, batch_size=500, update=True, default_user=by, default_change_reason="bulk edit", default_date=now
    )
    saved = _represented(results)
    _publish(assessment, saved, by)
    return saved


def _represented(results: list[Result]) -> list[Result]:
    """The saved results read back with what their representation needs (two queries for the lot), in the
    order asked, each serialized once (live.represent keeps it) for the live message and the answer."""
    rows = (
        Result.objects.filter(pk__in=[r.pk for r in results])
        .select_related("requirement", "assignee", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.only("pk")))
    )
    by_pk = {r.pk: r for r in rows}
    ordered = [by_pk[r.pk] for r in results]
    live.represent_many(ordered)
    return ordered


def _publish(assessment: Assessment, results: list[Result], by: User) -> None:
    """One `results.updated` per LIVE_CHUNK results, each as GET /api/v1/results/<id>/ shows it."""
    represented = [live.represent(r) for r in results]
    for start in range(0, len(represented), LIVE_CHUNK):
        chunk = represented[start : start + LIVE_CHUNK]
        live.publish(assessment.pk, {"type": "results.updated", "results": chunk, "by": live.person(by)})
