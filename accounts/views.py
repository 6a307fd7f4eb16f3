"""Home page and organization pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import selectors
from accounts.access import Action, role_in
from accounts.models import Organization


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from assessments.selectors import assessments_with_progress

    open_assessments = assessments_with_progress(request.user).exclude(status="final")[:10]
    context = {"rows": selectors.organizations_with_roles(request.user), "assessments": open_assessments}
    return render(request, "accounts/home.html", context)


@login_required
def organization_detail(request: HttpRequest, pk: str) -> HttpResponse:
    from zones.models import Site

    organization = get_object_or_404(Organization.objects.restrict(request.user, Action.VIEW), pk=pk)
    sites = Site.objects.restrict(request.user, Action.VIEW).filter(organization=organization)
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "sites": sites,
            "role": role_in(request.user, organization.pk),
            "members": selectors.members_of(organization.pk),
        },
    )
