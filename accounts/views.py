"""The organization page and its admin's actions on people's logins. (The home page composes organizations
and assessments: assessments.views.home.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors, services
from accounts.access import Action, can, role_in
from accounts.auth.lockout import locked_usernames
from accounts.models import Organization, User
from core.http import AuthenticatedHttpRequest


@login_required
def organization_detail(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """An organization: the sites the person may see in it, and its people."""
    organization = get_object_or_404(Organization.objects.restrict(request.user, Action.VIEW), pk=pk)
    members = list(selectors.members_of(organization.pk))
    can_manage = can(request.user, Action.MANAGE, organization)
    context = {
        "organization": organization,
        "sites": selectors.sites_of(request.user, organization.pk),
        "role": selectors.role_label(role_in(request.user, organization.pk)),
        "members": members,
        "can_add_site": can(request.user, Action.CHANGE, organization),
        "can_manage": can_manage,
    }
    if can_manage:  # who is locked out and who has a second factor: the admin's business only
        context["locked"] = locked_usernames(m.user.username for m in members)
        context["with_mfa"] = set(
            TOTPDevice.objects.filter(user__in=[m.user for m in members], confirmed=True).values_list(
                "user_id", flat=True
            )
        )
    return render(request, "accounts/organization_detail.html", context)


def _organization(request: AuthenticatedHttpRequest, pk: str) -> Organization:
    return get_object_or_404(Organization.objects.restrict(request.user, Action.VIEW), pk=pk)


@login_required
@require_POST
def organization_require_mfa(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """The admin's switch: every member must (or need no longer) use two-factor authentication."""
    organization = _organization(request, pk)
    require = request.POST.get("require_mfa") == "on"
    services.organization_require_mfa_set(actor=request.user, organization=organization, require=require)
    if require:
        messages.success(
            request,
            f"{organization.name} now requires two-factor authentication: members without it are sent to set it up.",
        )
    else:
        messages.success(request, f"{organization.name} no longer requires two-factor authentication.")
    return redirect("organization-detail", pk=organization.pk)


@login_required
@require_POST
def member_unlock(request: AuthenticatedHttpRequest, pk: str, user_pk: str) -> HttpResponse:
    """Lift a member's lockout after failed login attempts."""
    organization = _organization(request, pk)
    member = get_object_or_404(User, pk=user_pk, memberships__organization=organization)
    try:
        services.member_unlock(actor=request.user, organization=organization, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{member} can log in again.")
    return redirect("organization-detail", pk=organization.pk)
