"""The numbered log of what was published on each gap assessment's live channel (decision 0037).

Every message that assessments.live.publishes takes the assessment's next sequence number in the
transaction that made the change, and is written down here, so that a browser that missed some (a gap
in the numbers, a reconnect, a tab in the background) asks for what changed since the last number it saw
instead of reading the whole page again. The log is kept LIVE_CHANGES_RETENTION_HOURS; older than that,
a reload is the answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

# The messages whose subject is results: the log keeps their ids, and a catch-up answers their current
# representation (not the version sent then). Every other message is kept as it was sent.
RESULT_MESSAGES = {"result.updated": "result", "results.updated": "results"}


class LiveCounter(models.Model):
    """The last sequence number given out on one assessment's live channel. A row of its own, not a field of
    Assessment: Assessment.save() writes every field and would put an old number back."""

    assessment = models.OneToOneField(
        "assessments.Assessment", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.last}"


class LiveChange(models.Model):
    """One numbered message sent to everyone on an assessment: which results it was about, or (for the
    others: comments, evidence, the assessment itself) the message as sent."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=40)
    result_ids = models.JSONField(default=list, blank=True)
    payload = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "seq"], name="live_change_unique_seq")]

    def __str__(self) -> str:
        return f"{self.assessment_id} #{self.seq} {self.type}"


def _db_id(assessment_id: uuid.UUID | str) -> Any:
    field = LiveCounter._meta.get_field("assessment")
    return field.get_db_prep_value(uuid.UUID(str(assessment_id)), connection)


def allocate(assessment_id: uuid.UUID | str, count: int = 1) -> int:
    """Take `count` numbers; returns the last of them. One statement, in the caller's transaction: the
    counter row stays locked until commit, so numbers commit in the order they were given out, and a
    rollback gives them back. Call it last in the transaction (results first, counter last: no deadlock)."""
    table = connection.ops.quote_name(LiveCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (assessment_id, last) VALUES (%s, %s) "  # noqa: S608 (names are ours)
        f"ON CONFLICT (assessment_id) DO UPDATE SET last = {table}.last + excluded.last RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_db_id(assessment_id), count])
        return int(cursor.fetchone()[0])


def record(assessment_id: uuid.UUID | str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number `messages` (in order) and log them: two statements. Returns them with their `seq`."""
    last = allocate(assessment_id, len(messages))
    numbered = [{**message, "seq": last - len(messages) + 1 + i} for i, message in enumerate(messages)]
    now = timezone.now()
    LiveChange.objects.bulk_create([_row(assessment_id, message, now) for message in numbered], batch_size=500)
    return numbered


def _row(assessment_id: uuid.UUID | str, message: dict[str, Any], now: Any) -> LiveChange:
    key = RESULT_MESSAGES.get(message["type"])
    if key == "result":
        ids, payload = [str(message["result"]["id"])], None
    elif key == "results":
        ids, payload = [str(r["id"]) for r in message["results"]], None
    else:
        ids, payload = [], message
    return LiveChange(
        assessment_id=assessment_id, seq=message["seq"], type=message["type"], result_ids=ids, payload=payload,
        created=now,
    )  # fmt: skip


def last_seq(assessment_id: uuid.UUID | str) -> int:
    """The last number given out on the assessment (0 when nothing was ever published)."""
    found = LiveCounter.objects.filter(assessment_id=assessment_id).values_list("last", flat=True).first()
    return int(found or 0)


def prune(*, older_than: timedelta | None = None) -> int:
    """Forget the changes older than the retention. Per assessment it deletes up to the newest number that
    is old enough, so that what is kept always runs without holes up to the last number."""
    if older_than is None:
        older_than = timedelta(hours=settings.LIVE_CHANGES_RETENTION_HOURS)
    cutoff = timezone.now() - older_than
    newest_old = (
        LiveChange.objects.filter(assessment_id=OuterRef("assessment_id"), created__lt=cutoff)
        .values("assessment_id")
        .annotate(top=Max("seq"))
        .values("top")
    )
    deleted, _ = LiveChange.objects.filter(seq__lte=Subquery(newest_old)).delete()
    return deleted


class TooOld(Exception):
    """The changes since N cannot be told (pruned, unknown or too many): the client reloads."""


@dataclass(frozen=True)
class Changes:
    """What changed on an assessment's channel in (since, last]: the results touched (ids, each once, in the
    order first touched) and the other messages as they were sent, in order."""

    last: int
    result_ids: list[str]
    messages: list[dict[str, Any]]


def changes_since(assessment_id: uuid.UUID | str, since: int) -> Changes:
    """The changes numbered after `since`; TooOld when the log cannot tell them completely (pruned, a number
    beyond the last, or more than LIVE_CHANGES_MAX_RESULTS results: a reload is cheaper then)."""
    last = last_seq(assessment_id)
    if since > last:
        raise TooOld
    rows = (
        LiveChange.objects.filter(assessment_id=assessment_id, seq__gt=since, seq__lte=last)
        .order_by("seq")
        .values_list("seq", "result_ids", "payload")
    )
    expected = since + 1
    result_ids: dict[str, None] = {}
    messages: list[dict[str, Any]] = []
    for seq, ids, payload in rows.iterator(chunk_size=2000):
        if seq != expected:  # the oldest changes asked for were pruned
            raise TooOld
        expected += 1
        result_ids.update(dict.fromkeys(ids))
        if len(result_ids) > settings.LIVE_CHANGES_MAX_RESULTS:
            raise TooOld
        if payload is not None:
            messages.append(payload)
    if expected != last + 1:
        raise TooOld
    return Changes(last=last, result_ids=list(result_ids), messages=messages)
