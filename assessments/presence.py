"""Who is connected to an assessment and which result each person is editing.

One `Presence` row per open socket; the logic (heartbeat, sweeping, the embedded process's clear on
its first socket) is core.presence's, kept behind these functions so that the consumer, the tests and
the docs name one thing. Plain synchronous functions; the consumer calls them through
`database_sync_to_async`.
"""

from __future__ import annotations

import uuid
from typing import Any

from accounts.access import Action, AnyUser, can
from assessments.models import Assessment, Presence, Result
from core.presence import Access, Person, PresenceRegistry

__all__ = ["Access", "Person", "access_for", "presence_clear", "presence_focus", "presence_join", "presence_leave",
           "presence_message", "presence_people", "presence_sweep", "presence_touch"]  # fmt: skip

registry = PresenceRegistry(model=Presence, scope="assessment", row_model=Result, row_scope="assessment")


def access_for(user: AnyUser, assessment_id: uuid.UUID) -> Access | None:
    """None unless the permission door lets `user` see the assessment; whether they may edit it."""
    if not user.is_authenticated:
        return None
    assessment = Assessment.objects.restrict(user, Action.VIEW).filter(pk=assessment_id).first()
    if assessment is None:
        return None
    return Access(assessment.pk, can_edit=not assessment.is_final and can(user, Action.CHANGE, assessment))


def presence_sweep(*, assessment_id: uuid.UUID) -> int:
    """Delete the rows of sockets that have not been heard of within the timeout; how many went."""
    return registry.sweep(scope_id=assessment_id)


def presence_join(
    *, channel_name: str, assessment_id: uuid.UUID, user_id: Any, editing: uuid.UUID | None = None
) -> None:
    """Record a newly opened socket and sweep the assessment's stale ones."""
    registry.join(channel_name=channel_name, scope_id=assessment_id, user_id=user_id, editing=editing)


def presence_touch(*, channel_name: str, assessment_id: uuid.UUID, user_id: Any) -> bool:
    """Heartbeat; True when the row had been swept and was recorded again (tell the others)."""
    return registry.touch(channel_name=channel_name, scope_id=assessment_id, user_id=user_id)


def presence_focus(*, channel_name: str, assessment_id: uuid.UUID, user_id: Any, result_id: Any) -> bool:
    """Set which result this socket is editing (None: none); False when it is not one of the assessment."""
    return registry.focus(channel_name=channel_name, scope_id=assessment_id, user_id=user_id, row_id=result_id)


def presence_leave(*, channel_name: str) -> None:
    """Forget a closed socket."""
    registry.leave(channel_name=channel_name)


def presence_clear() -> int:
    """Forget every socket (a process that held them all has restarted); how many went."""
    return registry.clear()


def presence_people(*, assessment_id: uuid.UUID) -> list[Person]:
    """The people connected to the assessment, one entry per person, sorted by name."""
    return registry.people(scope_id=assessment_id)


def presence_message(*, assessment_id: uuid.UUID) -> dict[str, Any]:
    """The `presence` message broadcast to everyone on the assessment."""
    return registry.message(scope_id=assessment_id)
