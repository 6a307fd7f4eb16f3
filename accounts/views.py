"""The organization page. (The home page composes organizations and assessments: assessments.views.home.)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import selectors
from accounts.access import Action, can, role_in
from accounts.models import Organization
from core.http import AuthenticatedHttpRequest


@login_required
def organization_detail(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """An organization: the sites the person may see in it, and its people."""
    organization = get_object_or_404(Organization.objects.restrict(request.user, Action.VIEW), pk=pk)
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "sites": selectors.sites_of(request.user, organization.pk),
            "role": selectors.role_label(role_in(request.user, organization.pk)),
            "members": selectors.members_of(organization.pk),
            "can_add_site": can(request.user, Action.CHANGE, organization),
        },
    )
