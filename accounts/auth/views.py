"""Logging in (password, then the code for people who set up two-factor authentication), the profile page
and two-factor authentication set up, recovery codes and switched off.

Between the two login steps nobody is logged in: the password step leaves only the person's id in the
session, for MFA_PENDING_SECONDS, and auth.login runs once the code is right. So no page can be reached
with the password alone, and Django's user_logged_in fires once, for a complete login."""

from __future__ import annotations

import time
from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import selectors
from accounts.auth import mfa, services
from accounts.auth.forms import CodeForm, MfaDisableForm
from accounts.models import User
from core.http import AuthenticatedHttpRequest

PENDING = "auth_pending"  # {"user": id, "backend": path, "until": Unix time, "next": url}
SETUP_SECRET = "mfa_setup_secret"  # noqa: S105  (a session key, not a secret)
NEW_CODES = "mfa_new_codes"


class LoginView(auth_views.LoginView):
    """The password step. People without two-factor authentication are logged in at once."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not mfa.has_mfa(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": str(user.pk),
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[1]),
            "until": time.time() + settings.MFA_PENDING_SECONDS,
            "next": self.get_success_url(),
        }
        return redirect("login-verify")


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = User.objects.filter(pk=str(pending.get("user")), is_active=True).first()
    return (user, pending) if user else None


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or a recovery code. Wrong codes count as failed
    logins for the lockout (user_login_failed, which django-axes and the security log listen to)."""
    found = _pending_user(request)
    if found is None:
        if request.session.pop(PENDING, None) is not None:
            messages.info(request, "The login timed out: enter your username and password again.")
        return redirect("login")
    user, pending = found
    credentials = {"username": user.get_username()}
    if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING]
            auth.login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            return redirect(pending["next"])
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(
            "code", "That code is not right. Enter the current code from your app, or one of your recovery codes."
        )
    return render(request, "registration/login_verify.html", {"form": form})


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own page: who they are, where they work, their password and second factor."""
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "person": user,
            "organizations": selectors.organizations_with_roles(user),
            "has_mfa": mfa.has_mfa(user),
            "recovery_codes_left": mfa.recovery_codes_left(user),
            "requiring": mfa.organizations_requiring_mfa(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then prove it with a code.

    The secret waits in the session until confirmed: no unconfirmed device rows, and one secret for the
    page and its POST whatever happens in between."""
    user = request.user
    if mfa.has_mfa(user):
        messages.info(request, "Two-factor authentication is already set up.")
        return redirect("profile")
    secret = request.session.get(SETUP_SECRET) or mfa.new_secret()
    request.session[SETUP_SECRET] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.mfa_enable(user=user, secret_hex=secret, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            django_otp.login(request, device)  # this session has just proven the second factor
            del request.session[SETUP_SECRET]
            request.session[NEW_CODES] = codes
            messages.success(request, "Two-factor authentication is on.")
            return redirect("mfa-recovery-codes")
    uri = mfa.provisioning_uri(user, secret)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mfa.qr_svg(uri),
            "secret": mfa.secret_for_humans(secret),
            "requiring": mfa.organizations_requiring_mfa(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New recovery codes are shown here once (then only their number); POST makes ten new ones."""
    user = request.user
    if not mfa.has_mfa(user):
        return redirect("mfa-setup")
    if request.method == "POST":
        request.session[NEW_CODES] = services.recovery_codes_regenerate(user=user)
        messages.success(request, "New recovery codes made: the old ones no longer work.")
        return redirect("mfa-recovery-codes")
    codes = request.session.pop(NEW_CODES, None)
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "codes_left": mfa.recovery_codes_left(user)},
    )


@sensitive_post_parameters("code", "password")
@login_required
@require_http_methods(["GET", "POST"])
def mfa_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Switch two-factor authentication off, with a current code or the password as proof."""
    user = request.user
    if not mfa.has_mfa(user):
        return redirect("profile")
    form = MfaDisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_disable(user=user, code=form.cleaned_data["code"], password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Two-factor authentication is off.")
            return redirect("profile")
    return render(
        request,
        "accounts/mfa_disable.html",
        {"form": form, "requiring": mfa.organizations_requiring_mfa(user)},
    )


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's password change (validators applied; the session stays logged in, others end)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("profile")
    success_message = "Your password was changed. Other sessions of yours have been logged out."
