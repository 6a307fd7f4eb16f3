"""Who is on a risk assessment's register and which scenario each person is editing (core.presence's logic
over the RiskPresence table). Plain synchronous functions; the consumer calls them in a worker thread."""

from __future__ import annotations

import uuid

from accounts.access import Action, AnyUser, can
from core.presence import Access, PresenceRegistry
from risk.models import RiskAssessment, RiskPresence, ThreatScenario

registry = PresenceRegistry(
    model=RiskPresence, scope="risk_assessment", row_model=ThreatScenario, row_scope="risk_assessment"
)


def access_for(user: AnyUser, risk_assessment_id: uuid.UUID) -> Access | None:
    """None unless the permission door lets `user` see the risk assessment; whether they may edit it."""
    if not user.is_authenticated:
        return None
    found = RiskAssessment.objects.restrict(user, Action.VIEW).filter(pk=risk_assessment_id).first()
    if found is None:
        return None
    return Access(found.pk, can_edit=can(user, Action.CHANGE, found))
