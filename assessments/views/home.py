"""The home page: the person's organizations (accounts) and the assessments still open (this app).

It lives here, the higher of the two apps, so that accounts imports no domain app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.selectors import organizations_with_roles
from assessments.choices import AssessmentStatus
from assessments.selectors import assessments_with_progress
from core.http import AuthenticatedHttpRequest

OPEN_ASSESSMENTS_SHOWN = 10


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a person lands after signing in."""
    open_assessments = assessments_with_progress(request.user).exclude(status=AssessmentStatus.FINAL)
    context = {
        "rows": organizations_with_roles(request.user),
        "assessments": open_assessments[:OPEN_ASSESSMENTS_SHOWN],
    }
    return render(request, "accounts/home.html", context)
