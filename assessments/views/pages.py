"""Assessment list, creation, overview with the heat-map, editing, status and re-sync."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from assessments import selectors, services
from assessments.choices import TRANSITIONS, AssessmentStatus, ResultStatus
from assessments.forms import AssessmentForm
from assessments.models import Assessment
from assessments.views.common import errors_to_form, get_for
from core.versioning import StaleObjectError
from zones.models import Site


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    assessments = selectors.assessments_with_progress(request.user)
    sites = Site.objects.restrict(request.user, Action.CHANGE).order_by("name")
    return render(request, "assessments/list.html", {"assessments": assessments, "sites": sites})


@login_required
def assessment_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = AssessmentForm(request.POST or None, site=site, initial={"lead": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                site=site,
                by=request.user,  # type: ignore[arg-type]
                zones=form.cleaned_data["zones"],
                conduits=form.cleaned_data["conduits"],
                team=form.cleaned_data["team"],
                **form.scalar_fields(),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Assessment “{assessment.title}” created with {assessment.results.count()} "
                             "requirements to assess.")  # fmt: skip
            return redirect(assessment)
    return render(request, "assessments/form.html", {"form": form, "site": site, "title": "New gap assessment"})


def _context(request: HttpRequest, assessment: Assessment, tab: str) -> dict[str, Any]:
    can_change = can(request.user, Action.CHANGE, assessment) and not assessment.is_final
    return {
        "assessment": assessment,
        "site": assessment.site,
        "tab": tab,
        "can_change": can_change,
        "can_sign_off": can(request.user, Action.SIGN_OFF, assessment),
    }


@login_required
def assessment_detail(request: HttpRequest, pk: Any) -> HttpResponse:
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
def assessment_heatmap(request: HttpRequest, pk: Any) -> HttpResponse:
    """The heat-map alone, for live refreshes."""
    assessment = get_for(request, Assessment, pk)
    return render(
        request, "assessments/_heatmap.html", {"assessment": assessment, "summary": selectors.summary(assessment)}
    )


@login_required
def assessment_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE, select=("site",))
    form = AssessmentForm(request.POST or None, instance=assessment, site=assessment.site)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment,
                by=request.user,  # type: ignore[arg-type]
                fields=form.scalar_fields(),
                zones=form.cleaned_data["zones"],
                conduits=form.cleaned_data["conduits"],
                team=form.cleaned_data["team"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, f"Someone else changed this assessment meanwhile (now version {exc.obj.version}). "
                           "Reload the page to see their change, then edit again.")  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Assessment saved.")
            return redirect(assessment)
    return render(
        request,
        "assessments/form.html",
        {"form": form, "site": assessment.site, "assessment": assessment, "title": f"Edit “{assessment.title}”"},
    )


@login_required
@require_POST
def assessment_status(request: HttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE)
    to = request.POST.get("status", "")
    version = request.POST.get("version", "")
    try:
        services.assessment_transition(
            assessment=assessment,
            to=to,
            by=request.user,  # type: ignore[arg-type]
            expected_version=int(version) if version.isdigit() else None,
        )
    except StaleObjectError:
        messages.error(request, "Someone else changed this assessment meanwhile; check the page and try again.")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = AssessmentStatus(to).label.lower()
        messages.success(request, "Assessment signed off: it is now final and read-only." if to == "final"
                         else f"Assessment moved to {label}.")  # fmt: skip
    return redirect(assessment)


@login_required
@require_POST
def assessment_resync(request: HttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE)
    try:
        plan = services.assessment_resync(assessment=assessment, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Re-synced with the current targets: {len(plan.add)} requirements added, "
                         f"{len(plan.retire)} marked out of scope, {len(plan.restore)} back in scope.")  # fmt: skip
    return redirect(assessment)
