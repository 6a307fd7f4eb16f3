"""The compare page: this assessment beside another of the same site (decision 0027)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import Action
from assessments.compare import comparable, compare, previous_assessment
from assessments.models import Assessment
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import get_for


@login_required
def assessment_compare(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """`?with=<id>` picks the other assessment (404 unless the user may see it and it is of the same site);
    without it, the one this assessment follows, when the user may see it."""
    assessment = get_for(request, Assessment, pk, select=("site", "catalogue", "lead", "signed_off_by"))
    candidates = comparable(assessment, Assessment.objects.restrict(request.user, Action.VIEW))
    choices = list(candidates)
    chosen = parse_uuid(request.GET.get("with"))
    other: Assessment | None
    if chosen is not None:
        other = get_object_or_404(candidates, pk=chosen)
    else:
        previous = previous_assessment(assessment)
        other = next((a for a in choices if previous is not None and a.pk == previous.pk), None)
    return render(
        request,
        "assessments/compare.html",
        {
            "assessment": assessment,
            "site": assessment.site,
            "tab": "compare",
            "choices": choices,
            "other": other,
            "c": compare(assessment, other) if other is not None else None,
        },
    )
