"""What django-axes needs from us: the client's address behind our proxies, the page or JSON a locked-out
person gets, and which people are locked out right now (for the organization page's Unlock button)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The address a login attempt came from (AXES_CLIENT_IP_CALLABLE).

    Without proxies (TRUSTED_PROXY_COUNT 0) REMOTE_ADDR. Behind N reverse proxies, each appending the
    address it received from to X-Forwarded-For, the entry N places from the right: what the outermost
    trusted proxy saw. Entries further left are written by the client and never trusted, else anyone could
    reset their counter by sending a new header with each attempt.
    """
    remote = request.META.get("REMOTE_ADDR")
    count: int = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # a request that did not come through all the proxies (a health check, say)
    return forwarded[-count]


def cooloff_seconds() -> int:
    """How long a lockout lasts; each attempt during a lockout restarts it."""
    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message() -> str:
    minutes = max(1, round(cooloff_seconds() / 60))
    return (
        f"Too many failed login attempts: this account or address is locked for {minutes} minutes. "
        "Wait and try again, or ask an administrator of your organization to unlock your account."
    )


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """The answer to a locked-out login attempt (AXES_LOCKOUT_CALLABLE): 429 with Retry-After, JSON on the API
    (`{"detail": ...}` like every other API error), a page that says what happened and what to do elsewhere."""
    retry_after = str(cooloff_seconds())
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429, headers={"Retry-After": retry_after})
    minutes = max(1, round(cooloff_seconds() / 60))
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = retry_after
    return response


def flag_api_lockout(request: Any) -> None:
    """Copy axes's lockout flag from a DRF request onto the Django request under it.

    axes marks the request it was given (DRF's wrapper, in the token endpoint) and AxesMiddleware looks at
    the Django request: without this a locked-out token request would be a plain 400."""
    django_request = getattr(request, "_request", None)
    if django_request is not None and getattr(request, "axes_locked_out", False):
        django_request.axes_locked_out = True
        django_request.axes_credentials = getattr(request, "axes_credentials", None)


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these usernames are locked out now (whatever address they tried from)."""
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.filter(username__in=list(usernames))
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    limit = get_failure_limit(HttpRequest(), None)
    return set(
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=limit)
        .values_list("username", flat=True)
    )
