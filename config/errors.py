"""The error pages people see with DEBUG off: 400, 403 and 404 inside the product's layout, with a way back,
and a 403 that says what the person may do instead. The 500 page is Django's own handler rendering the static
templates/500.html (no request, no database: whatever broke may be either)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import ROLE_ACTIONS, Action
from accounts.choices import Role
from accounts.models import Membership
from accounts.selectors import role_label
from core.people import person_name

# What each action lets a person do, in the words of the 403 page.
ACTION_WORDS = {
    Action.VIEW: "read its sites, assessments, evidence and reports",
    Action.CHANGE: "create and edit its compliance data",
    Action.SIGN_OFF: "sign assessments off",
    Action.MANAGE: "manage its members and their access",
}


def back_url(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours and not this one; "" otherwise."""
    referer = request.headers.get("referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the very reason of a 400: no way back to a host we do not serve
        return ""
    same_site = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure())
    return referer if same_site and not referer.endswith(request.get_full_path()) else ""


def what_you_may_do(request: HttpRequest) -> list[dict[str, Any]]:
    """Per organization of the person: their role, what it lets them do, and whom to ask for more."""
    user = request.user
    if not user.is_authenticated:
        return []
    mine = Membership.objects.filter(user_id=user.pk).select_related("organization").order_by("organization__name")
    admins: dict[Any, list[str]] = {}
    for membership in Membership.objects.filter(
        organization__in=[m.organization_id for m in mine], role=Role.ADMIN
    ).select_related("user"):
        if membership.user_id != user.pk:
            admins.setdefault(membership.organization_id, []).append(person_name(membership.user))
    return [
        {
            "organization": m.organization,
            "role": role_label(m.role),
            "can": [ACTION_WORDS[action] for action in Action if action in ROLE_ACTIONS[m.role]],
            "all_sites": m.all_sites,
            "admins": admins.get(m.organization_id, []),
        }
        for m in mine
    ]


def _page(request: HttpRequest, template: str, status: int, context: dict[str, Any]) -> HttpResponse:
    body = loader.get_template(template).render({**context, "back_url": back_url(request)}, request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: Django's own handler renders without the request, which leaves the page without navigation."""
    return _page(request, "400.html", 400, {})


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: why (the refusal's own words) and what the person's roles let them do instead."""
    reason = str(exception) or "Your role does not allow this."
    return _page(request, "403.html", 403, {"reason": reason, "roles": what_you_may_do(request)})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: also what anything outside the person's organizations and sites answers (it does not exist).
    Under /api/ the answer is JSON like every other API error (no route matched the address)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return _page(request, "404.html", 404, {"request_path": request.path})
