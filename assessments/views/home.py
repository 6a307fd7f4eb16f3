"""The home page: what each person should do next, by their roles in their organizations.

It composes reads of every app (each app's own selectors): organizations and roles (accounts), the first
steps of an empty organization or site (zones), open and final assessments, assigned results and expiring
evidence (assessments), actions due and maintenance windows (remediation) and evidence bundles (reports).
A view is the top of the stack, so it may; accounts, the bottom layer, imports no domain app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import Action
from accounts.choices import Role
from accounts.selectors import organizations_with_roles
from assessments import selectors
from assessments.choices import AssessmentStatus
from components.models import Certificate
from components.models.products import EXPIRY_WARNING_DAYS, certificates_expired, certificates_expiring
from core.http import AuthenticatedHttpRequest
from remediation.selectors import actions_due, maintenance_windows
from reports.selectors import recent_bundles
from zones.models import Site

SHOWN = 8  # rows per list: the page is a to-do list, the full lists are one click away
SOON_DAYS = 30  # "due soon", "expires soon"
OPEN_STATUSES = (AssessmentStatus.DRAFT, AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW)

# Which parts of the page each role reads; an admin reads them all.
PARTS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"owner", "consultant", "auditor"}),
    Role.CONSULTANT: frozenset({"consultant"}),
    Role.ASSET_OWNER: frozenset({"owner"}),
    Role.AUDITOR: frozenset({"auditor"}),
}


@dataclass(frozen=True)
class FirstStep:
    """Something to set up before the real work can start: a site in an empty organization, a zone in an
    empty site."""

    text: str
    url: str
    label: str


def _parts(rows: list[dict[str, Any]], user: Any) -> frozenset[str]:
    roles = {row["role"] for row in rows if row["role"]}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return frozenset().union(*(PARTS.get(role, frozenset()) for role in roles))


def _first_steps(rows: list[dict[str, Any]], user: Any) -> list[FirstStep]:
    """Organizations the person may add sites to that have none, and sites they may change without zones."""
    from django.urls import reverse

    steps = [
        FirstStep(
            f"{row['organization'].name} has no sites yet.",
            f"{reverse('site-create')}?organization={row['organization'].pk}",
            "Add your first site",
        )
        for row in rows
        if row["can_add_site"] and not row["site_count"]
    ]
    for site in Site.objects.restrict(user, Action.CHANGE).filter(zones__isnull=True).order_by("name")[:SHOWN]:
        steps.append(
            FirstStep(f"{site.name} has no zones yet.", reverse("zone-create", args=[site.pk]), "Add your first zone")
        )
    return steps


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a person lands after signing in: their next steps by role, then their organizations."""
    user, today = request.user, timezone.localdate()
    rows = organizations_with_roles(user)
    parts = _parts(rows, user)
    context: dict[str, Any] = {"rows": rows, "parts": parts, "today": today, "soon_days": SOON_DAYS}
    context["first_steps"] = _first_steps(rows, user) if rows else []
    if "owner" in parts:
        context["actions_due"] = actions_due(user, today, days=SOON_DAYS, limit=SHOWN)
        context["windows"] = maintenance_windows(user, limit=5)
        # The product library's certificates running out within 90 days (issue 16), and how many have.
        certificates = Certificate.objects.restrict(user)
        expiring = certificates_expiring(certificates, today=today).select_related("product")
        context["certificates_expiring"] = list(expiring[:SHOWN])
        context["certificates_expired"] = certificates_expired(certificates, today=today).count()
        context["certificate_days"] = EXPIRY_WARNING_DAYS
    if "consultant" in parts:
        context["assessments"] = list(selectors.home_assessments(user, OPEN_STATUSES)[:SHOWN])
        context["assigned"] = selectors.assigned_results(user, limit=SHOWN)
    if "auditor" in parts:
        context["final_assessments"] = list(selectors.home_assessments(user, (AssessmentStatus.FINAL,))[:SHOWN])
        context["expiring"] = list(selectors.expiring_evidence(user, today, days=SOON_DAYS, limit=SHOWN))
        context["bundles"] = recent_bundles(user, limit=5)
    return render(request, "accounts/home.html", context)
