"""Who is connected to an assessment and which result each person is editing.

Presence lives in the database (one `Presence` row per open socket) rather than in a process's
memory, so that every web process behind the load balancer sees the same people. A socket
refreshes its row with a heartbeat; rows of a process that died without saying goodbye stop
counting after `PRESENCE_TIMEOUT_SECONDS` and are swept on the next connect; the embedded single
process clears them all when it lets in its first socket (`presence_clear`, from the consumer).

These are plain synchronous functions; the WebSocket consumer calls them through
`database_sync_to_async`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone

from accounts.access import Action, AnyUser, can
from assessments import live
from assessments.models import Assessment, Presence, Result


class Person(TypedDict):
    """One person in a `presence` message, aggregated over all their open sockets."""

    id: str
    name: str
    editing: str | None
    connections: int


@dataclass(frozen=True)
class Access:
    """What a person may do on the assessment they are connecting to."""

    assessment_id: uuid.UUID
    can_edit: bool


def access_for(user: AnyUser, assessment_id: uuid.UUID) -> Access | None:
    """None unless the permission door lets `user` see the assessment; whether they may edit it."""
    if not user.is_authenticated:
        return None
    assessment = Assessment.objects.restrict(user, Action.VIEW).filter(pk=assessment_id).first()
    if assessment is None:
        return None
    return Access(assessment.pk, can_edit=not assessment.is_final and can(user, Action.CHANGE, assessment))


def _cutoff() -> datetime:
    return timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS)


def presence_sweep(*, assessment_id: uuid.UUID) -> int:
    """Delete the rows of sockets that have not been heard of within the timeout; how many went."""
    deleted, _ = Presence.objects.filter(assessment_id=assessment_id, seen__lt=_cutoff()).delete()
    return deleted


def presence_join(
    *, channel_name: str, assessment_id: uuid.UUID, user_id: Any, editing: uuid.UUID | None = None
) -> None:
    """Record a newly opened socket and sweep the assessment's stale ones."""
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"assessment_id": assessment_id, "user_id": user_id, "editing_id": editing, "seen": timezone.now()},
    )
    presence_sweep(assessment_id=assessment_id)


def presence_touch(*, channel_name: str, assessment_id: uuid.UUID, user_id: Any) -> bool:
    """Heartbeat: refresh `seen`. True when the row had been swept meanwhile and was recorded again
    (the others no longer saw this person and must be told)."""
    updated = Presence.objects.filter(channel_name=channel_name).update(seen=timezone.now())
    if updated:
        return False
    presence_join(channel_name=channel_name, assessment_id=assessment_id, user_id=user_id)
    return True


def presence_focus(*, channel_name: str, assessment_id: uuid.UUID, user_id: Any, result_id: Any) -> bool:
    """Set which result this socket is editing (None: none). False, changing nothing, when
    `result_id` is not a result of this assessment."""
    editing: uuid.UUID | None = None
    if result_id is not None:
        try:
            editing = uuid.UUID(str(result_id))
        except ValueError:
            return False
        if not Result.objects.filter(pk=editing, assessment_id=assessment_id).exists():
            return False
    updated = Presence.objects.filter(channel_name=channel_name).update(editing_id=editing, seen=timezone.now())
    if not updated:  # swept while idle: the socket is still open, so record it again
        presence_join(channel_name=channel_name, assessment_id=assessment_id, user_id=user_id, editing=editing)
    return True


def presence_leave(*, channel_name: str) -> None:
    """Forget a closed socket."""
    Presence.objects.filter(channel_name=channel_name).delete()


def presence_clear() -> int:
    """Forget every socket (a process that held them all has restarted); how many went."""
    deleted, _ = Presence.objects.all().delete()
    return deleted


def presence_people(*, assessment_id: uuid.UUID) -> list[Person]:
    """The people connected to the assessment, one entry per person whatever the number of their
    sockets, sorted by name. `editing` is the result of their most recently active socket that
    edits one."""
    rows = (
        Presence.objects.filter(assessment_id=assessment_id, seen__gte=_cutoff())
        .select_related("user")
        .order_by("seen")
    )
    people: dict[Any, Person] = {}
    for row in rows:
        person = people.get(row.user_id)
        if person is None:
            who = live.person(row.user)
            person = people[row.user_id] = Person(id=who["id"], name=who["name"], editing=None, connections=0)
        person["connections"] += 1
        if row.editing_id is not None:
            person["editing"] = str(row.editing_id)
    return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["id"]))


def presence_message(*, assessment_id: uuid.UUID) -> dict[str, Any]:
    """The `presence` message broadcast to everyone on the assessment."""
    return {"type": "presence", "people": presence_people(assessment_id=assessment_id)}
