"""Who is connected to a live page (an assessment, a risk assessment...) and which row each person edits.

Presence lives in the database (one row per open socket) rather than in a process's memory, so that every
web process behind the load balancer sees the same people. A socket refreshes its row with a heartbeat;
rows of a process that died without saying goodbye stop counting after `PRESENCE_TIMEOUT_SECONDS` and are
swept on the next connect; the embedded single process clears them all when it lets in its first socket.

Each domain app keeps its own presence table (its rows cascade with the thing they are on) with the same
shape: `channel_name` (primary key), a foreign key to the scope (`scope`), `user`, a nullable foreign key
`editing` to the row being edited, and `seen`. `PresenceRegistry` holds the logic for such a table. These
are plain synchronous functions; WebSocket consumers call them through `database_sync_to_async`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from accounts.access import Action, AnyUser, can, restrict
from core.live import person


class Person(TypedDict):
    """One person in a `presence` message, aggregated over all their open sockets."""

    id: str
    name: str
    editing: str | None
    connections: int


@dataclass(frozen=True)
class Access:
    """What a person may do on the page they are connecting to (`scope_id`: the assessment's id...)."""

    scope_id: uuid.UUID
    can_edit: bool


def access_through_door(
    model: type[Model], user: AnyUser, scope_id: uuid.UUID, *, editable: Callable[[Any], bool] | None = None
) -> Access | None:
    """None unless the permission door lets `user` see the `model` object `scope_id` (the page a socket
    connects to); whether they may edit it: CHANGE through the door and, when given, `editable(obj)` (e.g. not
    signed off). One read through the door, then the role check, as every page does."""
    if not user.is_authenticated:
        return None
    found = restrict(model._default_manager.all(), user, Action.VIEW).filter(pk=scope_id).first()
    if found is None:
        return None
    may_edit = (editable is None or editable(found)) and can(user, Action.CHANGE, found)
    return Access(found.pk, can_edit=may_edit)


def _cutoff() -> datetime:
    return timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class PresenceRegistry:
    """The presence rows of one kind of live page: `model` is the table, `scope` the name of its foreign key
    to the page's object, `row_model` the model that `editing` points at and `row_scope` that model's
    foreign key to the same object (what a person may say they edit)."""

    model: type[Model]
    scope: str
    row_model: type[Model]
    row_scope: str

    def _rows(self, scope_id: uuid.UUID) -> Any:
        return self.model._default_manager.filter(**{f"{self.scope}_id": scope_id})

    def sweep(self, *, scope_id: uuid.UUID) -> int:
        """Delete the rows of sockets not heard of within the timeout; how many went."""
        deleted, _ = self._rows(scope_id).filter(seen__lt=_cutoff()).delete()
        return deleted

    def join(self, *, channel_name: str, scope_id: uuid.UUID, user_id: Any, editing: uuid.UUID | None = None) -> None:
        """Record a newly opened socket and sweep the scope's stale ones."""
        self.model._default_manager.update_or_create(
            channel_name=channel_name,
            defaults={f"{self.scope}_id": scope_id, "user_id": user_id, "editing_id": editing, "seen": timezone.now()},
        )
        self.sweep(scope_id=scope_id)

    def touch(self, *, channel_name: str, scope_id: uuid.UUID, user_id: Any) -> bool:
        """Heartbeat: refresh `seen`. True when the row had been swept meanwhile and was recorded again
        (the others no longer saw this person and must be told)."""
        updated = self.model._default_manager.filter(channel_name=channel_name).update(seen=timezone.now())
        if updated:
            return False
        self.join(channel_name=channel_name, scope_id=scope_id, user_id=user_id)
        return True

    def focus(self, *, channel_name: str, scope_id: uuid.UUID, user_id: Any, row_id: Any) -> bool:
        """Set which row this socket is editing (None: none). False, changing nothing, when `row_id` is not
        a row of this scope."""
        editing: uuid.UUID | None = None
        if row_id is not None:
            try:
                editing = uuid.UUID(str(row_id))
            except ValueError:
                return False
            rows = self.row_model._default_manager.filter(pk=editing, **{f"{self.row_scope}_id": scope_id})
            if not rows.exists():
                return False
        updated = self.model._default_manager.filter(channel_name=channel_name).update(
            editing_id=editing, seen=timezone.now()
        )
        if not updated:  # swept while idle: the socket is still open, so record it again
            self.join(channel_name=channel_name, scope_id=scope_id, user_id=user_id, editing=editing)
        return True

    def leave(self, *, channel_name: str) -> None:
        """Forget a closed socket."""
        self.model._default_manager.filter(channel_name=channel_name).delete()

    def clear(self) -> int:
        """Forget every socket (a process that held them all has restarted); how many went."""
        deleted, _ = self.model._default_manager.all().delete()
        return deleted

    def people(self, *, scope_id: uuid.UUID) -> list[Person]:
        """The people connected, one entry per person whatever the number of their sockets, sorted by name.
        `editing` is the row of their most recently active socket that edits one."""
        rows = self._rows(scope_id).filter(seen__gte=_cutoff()).select_related("user").order_by("seen")
        people: dict[Any, Person] = {}
        for row in rows:
            entry = people.get(row.user_id)
            if entry is None:
                who = person(row.user)
                entry = people[row.user_id] = Person(id=who["id"], name=who["name"], editing=None, connections=0)
            entry["connections"] += 1
            if row.editing_id is not None:
                entry["editing"] = str(row.editing_id)
        return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["id"]))

    def message(self, *, scope_id: uuid.UUID) -> dict[str, Any]:
        """The `presence` message broadcast to everyone on the page."""
        return {"type": "presence", "people": self.people(scope_id=scope_id)}
