"""Session limits and the second factor, enforced for every request.

- SessionTimeoutMiddleware: a session ends after SESSION_IDLE_TIMEOUT seconds without a request (the
  session's expiry, SESSION_COOKIE_AGE, pushed forward at most once per SESSION_TOUCH_INTERVAL rather than
  by a session write on every request) and SESSION_MAX_AGE seconds after login whatever the activity.
- MfaMiddleware: a session of someone who has an authenticator app but was logged in without it (the admin
  site's own login form, say) is ended; someone whose organization requires two-factor authentication and
  who has not set it up reaches only the setup pages (the API answers 403).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.auth import mfa

AUTH_AT = "auth_at"  # when the person logged in (Unix time)
TOUCHED = "touched"  # when the session's expiry was last pushed forward


def session_started(request: HttpRequest) -> None:
    """Record a fresh login in the session (the absolute limit counts from here, and the first requests
    need not write the session again)."""
    now = int(time.time())
    request.session[AUTH_AT] = now
    request.session[TOUCHED] = now


@receiver(user_logged_in, dispatch_uid="accounts.auth.session_started")
def _on_login(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    # Every way in (our views, the admin site's form, the test client's force_login) goes through auth.login.
    if request is not None and hasattr(request, "session"):
        session_started(request)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`; an htmx request is told to load it as a whole page."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=403)
    messages.info(request, message)
    if request.headers.get("HX-Request"):
        return _go(request, reverse(settings.LOGIN_URL))
    return redirect_to_login(request.get_full_path())


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        max_age: int = settings.SESSION_MAX_AGE
        if max_age and request.user.is_authenticated:
            auth_at = request.session.get(AUTH_AT)
            if auth_at is not None and time.time() - auth_at > max_age:
                logout(request)
                hours = max(1, round(max_age / 3600))
                return _to_login(request, f"Sessions last at most {hours} hours: log in again.")
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            # Saving the session is what pushes its expiry forward (idle timeout); a write per request would
            # put every page view, htmx poll included, in the queue for SQLite's single write lock.
            now = int(time.time())
            if AUTH_AT not in session:
                session[AUTH_AT] = now
            if now - session.get(TOUCHED, 0) >= settings.SESSION_TOUCH_INTERVAL:
                session[TOUCHED] = now
        return response


class MfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def exempt_paths(self) -> tuple[str, ...]:
        """Where someone who must set up two-factor authentication may still go."""
        names = ("mfa-setup", "mfa-recovery-codes", "logout", "healthz", "password_change")
        static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
        return (static, *(reverse(name) for name in names))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        if user.is_authenticated and not verified:
            has_device, requiring = mfa.mfa_state(user)
            if has_device:
                logout(request)
                return _to_login(request, "Log in with your code from your authenticator app.")
            if requiring and not request.path.startswith(self.exempt_paths):
                return self._setup_required(request, requiring)
        return self.get_response(request)

    def _setup_required(self, request: HttpRequest, organization: str) -> HttpResponse:
        message = f"{organization} requires two-factor authentication: set it up to continue."
        if _is_api(request):
            return JsonResponse({"detail": f"{message} Open {reverse('mfa-setup')} in a browser first."}, status=403)
        # No flash message: the setup page itself names the organizations that require it.
        return _go(request, reverse("mfa-setup"))
