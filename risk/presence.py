"""Who is on a risk assessment's register and which scenario each person is editing (core.presence's logic
over the RiskPresence table). Plain synchronous functions; the consumer calls them in a worker thread."""

from __future__ import annotations

import uuid

from accounts.access import AnyUser
from core.presence import Access, PresenceRegistry, access_through_door
from risk.models import RiskAssessment, RiskPresence, ThreatScenario

registry = PresenceRegistry(
    model=RiskPresence, scope="risk_assessment", row_model=ThreatScenario, row_scope="risk_assessment"
)


def access_for(user: AnyUser, risk_assessment_id: uuid.UUID) -> Access | None:
    """None unless the permission door lets `user` see the risk assessment; whether they may edit it."""
    return access_through_door(RiskAssessment, user, risk_assessment_id)
