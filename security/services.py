"""Writes of the security app: tokens created, used and revoked, and security events recorded."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from security.choices import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, EventKind, TokenState
from security.middleware import current_request
from security.models import KEY_PREFIX, SHOWN_PREFIX_LENGTH, ApiToken, SecurityEvent, key_hash, password_fingerprint

if TYPE_CHECKING:
    from accounts.models import Organization, User

# A request a minute is enough to tell whether a token is in use; a write on every request is not worth it.
LAST_USED_RESOLUTION = timedelta(minutes=1)
USER_AGENT_MAX = 200
DETAIL_TEXT_MAX = 200


# --- events ---------------------------------------------------------------------------------------------------
def client_ip(request: HttpRequest | Any) -> str | None:
    """The client address as django-axes resolved it (it knows the proxy settings), else REMOTE_ADDR."""
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    return address or None


def security_event_record(
    *,
    kind: EventKind,
    actor: User | None = None,
    subject: User | None = None,
    organization: Organization | None = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | Any | None = None,
) -> SecurityEvent:
    """Append one event. The request (the signal's own, else the one being served) gives the address, the
    user agent and, when no actor is named, the signed-in person who did it."""
    request = request if request is not None else current_request.get()
    ip, agent = None, ""
    if request is not None:
        ip = client_ip(request)
        agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
    person = actor or subject
    if not username and person is not None:
        username = person.get_username()
    short = {key: value[:DETAIL_TEXT_MAX] if isinstance(value, str) else value for key, value in (detail or {}).items()}
    return SecurityEvent.objects.create(
        kind=kind,
        actor=actor,
        subject=subject,
        organization=organization,
        username=username[:150],
        ip_address=ip,
        user_agent=agent,
        detail=short,
    )


# --- tokens ---------------------------------------------------------------------------------------------------
def token_expiry(*, days: int | None = None, until: datetime | None = None) -> datetime:
    """The expiry of a new token: `until`, or `days` from now (default 90); refused past 365 days or in the past."""
    now = timezone.now()
    if days is not None and days < 1:
        raise ValidationError({"expires_at": "A token lives at least one day."})
    expires = until if until is not None else now + timedelta(days=days or TOKEN_DEFAULT_DAYS)
    if expires <= now:
        raise ValidationError({"expires_at": "Pick an expiry in the future."})
    if expires > now + timedelta(days=TOKEN_MAX_DAYS, minutes=1):
        raise ValidationError({"expires_at": f"A token lives at most {TOKEN_MAX_DAYS} days."})
    return expires


@transaction.atomic
def api_token_create(
    *, owner: User, name: str, expires_at: datetime, request: HttpRequest | Any | None = None
) -> tuple[ApiToken, str]:
    """A new token for `owner`; returns it with its key, which is not stored and cannot be shown again."""
    key = f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"
    token = ApiToken(
        owner=owner,
        name=name.strip(),
        prefix=key[:SHOWN_PREFIX_LENGTH],
        key_hash=key_hash(key),
        password_fingerprint=password_fingerprint(owner),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    security_event_record(
        kind=EventKind.TOKEN_CREATED,
        actor=owner,
        detail={"token": token.name, "prefix": token.prefix, "expires_at": expires_at.isoformat(timespec="minutes")},
        request=request,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None, request: HttpRequest | Any | None = None) -> ApiToken:
    """Revoke `token` (the row stays, for the list and the log); revoking a revoked token changes nothing."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.state == TokenState.REVOKED:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    security_event_record(
        kind=EventKind.TOKEN_REVOKED,
        actor=by,
        subject=locked.owner,
        detail={"token": locked.name, "prefix": locked.prefix},
        request=request,
    )
    return locked


def api_token_touch(token: ApiToken) -> None:
    """Note that `token` was just used, at most once a minute (a conditional UPDATE, no read)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now


def api_tokens_follow_rehash(*, user: User, old_fingerprint: str) -> int:
    """After Django re-hashed the same password (a hasher upgrade at login, which Django says is no password
    change), move the person's tokens to the new hash's fingerprint so their scripts keep working."""
    return ApiToken.objects.filter(owner=user, password_fingerprint=old_fingerprint).update(
        password_fingerprint=password_fingerprint(user)
    )
