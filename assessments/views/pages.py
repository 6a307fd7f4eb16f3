"""Assessment list, creation, overview with the heat-map, editing, status and re-sync."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from assessments import selectors, services
from assessments.choices import TRANSITIONS, AssessmentStatus, ResultStatus
from assessments.forms import AssessmentForm
from assessments.models import Assessment
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, form_view, get_for, status_move, updating
from zones.models import Site

SIGNED_OFF = "Assessment signed off: it is now final and read-only."


@login_required
def assessment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    assessments = selectors.assessments_with_progress(request.user)
    sites = Site.objects.restrict(request.user, Action.CHANGE).order_by("name")
    return render(request, "assessments/list.html", {"assessments": assessments, "sites": sites})


@login_required
def assessment_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = AssessmentForm(request.POST or None, site=site, initial={"lead": request.user.pk})
    return form_view(
        request,
        form,
        lambda f: services.assessment_create(site=site, by=request.user, **f.relations(), **f.service_fields()),
        template="assessments/form.html",
        done=lambda a: f"Assessment “{a.title}” created with {a.results.count()} requirements to assess.",
        context={"site": site, "title": "New gap assessment", "cancel_url": site.get_absolute_url()},
    )


def _context(request: AuthenticatedHttpRequest, assessment: Assessment, tab: str) -> dict[str, Any]:
    can_change = can(request.user, Action.CHANGE, assessment) and not assessment.is_final
    return {
        "assessment": assessment,
        "site": assessment.site,
        "tab": tab,
        "can_change": can_change,
        "can_sign_off": can(request.user, Action.SIGN_OFF, assessment),
    }


@login_required
def assessment_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, select=("site", "lead", "catalogue", "signed_off_by"))
    summary = selectors.summary(assessment)
    plan = selectors.resync_plan(assessment) if not assessment.is_final else None
    context = _context(request, assessment, "overview")
    context.update(
        summary=summary,
        plan=plan,
        transitions=[AssessmentStatus(s) for s in TRANSITIONS[assessment.status]],
        team=list(assessment.team.order_by("username")),
        can_generate=can(request.user, Action.CHANGE, assessment.site),
        status_totals=[
            (s.value, {"label": s.label, "n": sum(t.counts.get(s.value, 0) for t in summary.targets)})
            for s in ResultStatus
        ],
    )
    return render(request, "assessments/detail.html", context)


@login_required
def assessment_heatmap(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The heat-map alone, for live refreshes."""
    assessment = get_for(request, Assessment, pk)
    return render(
        request, "assessments/_heatmap.html", {"assessment": assessment, "summary": selectors.summary(assessment)}
    )


@login_required
def assessment_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE, select=("site",))
    form = AssessmentForm(request.POST or None, instance=assessment, site=assessment.site)
    return form_view(
        request,
        form,
        updating(services.assessment_update, assessment=assessment, by=request.user),
        template="assessments/form.html",
        done="Assessment saved.",
        context={
            "site": assessment.site,
            "assessment": assessment,
            "title": f"Edit “{assessment.title}”",
            "cancel_url": assessment.get_absolute_url(),
        },
    )


@login_required
@require_POST
def assessment_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE)
    move = partial(services.assessment_transition, assessment=assessment)  # to the posted status
    return status_move(request, assessment, move, AssessmentStatus, said={AssessmentStatus.FINAL: SIGNED_OFF})


@login_required
@require_POST
def assessment_resync(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE)
    button_write(
        request,
        lambda: services.assessment_resync(assessment=assessment, by=request.user),
        done=lambda plan: (
            f"Re-synced with the current targets: {len(plan.add)} requirements added, "
            f"{len(plan.retire)} marked out of scope, {len(plan.restore)} back in scope."
        ),
    )
    return redirect(assessment)
