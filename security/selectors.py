"""Reads of the security app: a token by its key, a person's tokens, an organization's security log."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from security.models import ApiToken, SecurityEvent, key_hash

if TYPE_CHECKING:
    from accounts.models import Organization


def token_for_key(key: str) -> ApiToken | None:
    """The token whose key is `key` (any state), with its owner, or None."""
    return ApiToken.objects.select_related("owner").filter(key_hash=key_hash(key)).first()


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The person's own tokens, newest first; nobody sees another person's tokens."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(owner_id=user.pk)


def organization_events(
    organization: Organization,
    *,
    kind: str = "",
    person: Any = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[SecurityEvent]:
    """The organization's security log, newest first: events about the organization itself, and the
    person-level events (logins, MFA, passwords, tokens) of its current members. Events another
    organization recorded about a shared member stay with that organization."""
    from accounts.models import Membership

    members = Membership.objects.filter(organization=organization).values("user_id")
    personal = Q(organization__isnull=True) & (Q(actor_id__in=members) | Q(subject_id__in=members))
    events = SecurityEvent.objects.filter(Q(organization=organization) | personal)
    if kind:
        events = events.filter(kind=kind)
    if person is not None:
        events = events.filter(Q(actor=person) | Q(subject=person))
    if since is not None:
        events = events.filter(at__date__gte=since)
    if until is not None:
        events = events.filter(at__date__lte=until)
    return events.select_related("actor", "subject").order_by("-at", "-id")


def organizations_requiring_mfa(user: Any) -> list[Organization]:
    """The person's organizations that require two-factor authentication (none before the field exists)."""
    from accounts.models import Organization

    if not any(field.name == "require_mfa" for field in Organization._meta.get_fields()):
        return []
    return list(Organization.objects.filter(memberships__user_id=user.pk, require_mfa=True).order_by("name"))
