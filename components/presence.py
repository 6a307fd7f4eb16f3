"""Who is on a component assessment's workspace and which result each person is editing (core.presence's
logic over the ComponentPresence table). Plain synchronous functions; the consumer calls them in a worker
thread."""

from __future__ import annotations

import uuid

from accounts.access import AnyUser
from components.models import ComponentAssessment, ComponentPresence, ComponentResult
from core.presence import Access, PresenceRegistry, access_through_door

registry = PresenceRegistry(
    model=ComponentPresence, scope="assessment", row_model=ComponentResult, row_scope="assessment"
)


def access_for(user: AnyUser, assessment_id: uuid.UUID) -> Access | None:
    """None unless the permission door lets `user` see the component assessment; whether they may edit it."""
    return access_through_door(ComponentAssessment, user, assessment_id)
