"""The security pages: the API tokens section of the profile page, and an organization's security log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import Action
from accounts.models import Organization, User
from core.csv_pages import csv_download
from core.csvio import csv_text
from core.forms import errors_to_form
from core.http import AuthenticatedHttpRequest
from security.forms import ApiTokenForm, SecurityLogFilterForm
from security.models import SecurityEvent
from security.selectors import organization_events, tokens_of
from security.services import api_token_create, api_token_revoke, token_expiry

SECTION = "security/_tokens_section.html"
LOG_PAGE_SIZE = 50


def tokens_context(user: Any, form: ApiTokenForm | None = None, **extra: Any) -> dict[str, Any]:
    """What the tokens section shows: the person's tokens and the create form."""
    return {"tokens": list(tokens_of(user)), "token_form": form or ApiTokenForm(), **extra}


def _profile_tokens() -> str:
    return reverse("profile") + "#api-tokens"


def _section(request: HttpRequest, context: dict[str, Any], page: str, status: int = 200) -> HttpResponse:
    """The section alone for htmx (it swaps itself), else a whole page around it."""
    template = SECTION if request.headers.get("HX-Request") else page
    return render(request, template, context, status=status)


@login_required
@require_POST
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create a token from the profile page and show its key, this once."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            expires = token_expiry(**form.expiry())
            token, key = api_token_create(
                owner=request.user, name=form.cleaned_data["name"], expires_at=expires, request=request
            )
        except ValidationError as exc:
            errors_to_form(form, exc, rename={"expires_at": "expires_on"})
        else:
            context = tokens_context(request.user, new_token=token, new_key=key)
            return _section(request, context, "security/token_created.html")
    return _section(request, tokens_context(request.user, form), "security/token_created.html", status=400)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """Revoke one of the person's own tokens (another person's is 404)."""
    token = get_object_or_404(tokens_of(request.user), pk=pk)
    api_token_revoke(token=token, by=request.user, request=request)
    if request.headers.get("HX-Request"):
        return render(request, SECTION, tokens_context(request.user, revoked=token))
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect(_profile_tokens())


def _members(organization: Organization) -> list[User]:
    return list(User.objects.filter(memberships__organization=organization).order_by("username"))


@login_required
def security_log(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """The organization's security log, for its admins (anyone else: 404), filtered and paged, or as CSV."""
    organization = get_object_or_404(Organization.objects.restrict(request.user, Action.MANAGE), pk=pk)
    form = SecurityLogFilterForm(request.GET or None, people=_members(organization))
    events = organization_events(organization, **form.filters())
    if request.GET.get("format") == "csv":
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return csv_download(events_csv(events), f"{organization.name} security log {stamp}.csv")
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    context = {
        "organization": organization,
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "csv_query": csv_query.urlencode(),
    }
    return render(request, "security/security_log.html", context)


CSV_HEADER = ["at", "event", "kind", "actor", "subject", "username", "ip_address", "user_agent", "detail"]


def events_csv(events: QuerySet[SecurityEvent]) -> str:
    """The events as CSV (every cell through the formula-safe writer: a typed username is attacker input)."""
    rows = (
        [
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.get_kind_display(),
            event.kind,
            event.actor.get_username() if event.actor else "",
            event.subject.get_username() if event.subject else "",
            event.username,
            event.ip_address or "",
            event.user_agent,
            "; ".join(f"{key}={value}" for key, value in event.detail.items()),
        ]
        for event in events.iterator(chunk_size=500)
    )
    return csv_text(CSV_HEADER, rows)
