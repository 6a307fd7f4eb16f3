"""Assessment list, creation, overview with the heat-map, editing, status (with the sign-off confirmation and
the reopening), re-sync and the assessment's history."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from assessments import live, selectors, services
from assessments.choices import REOPENED_TO, TRANSITIONS, AssessmentStatus, ResultStatus
from assessments.forms import AssessmentForm
from assessments.models import Assessment, SignOff
from compliance.overrides import pinned_overrides
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import button_write, form_view, get_for, posted_version, status_move, updating
from core.versioning import StaleObjectError
from zones.models import Site

SIGNED_OFF = "Assessment signed off: it is now final and read-only. Its report of record is being prepared."
REOPENED = "Assessment reopened: it is in review again. The earlier sign-off stays on record."


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


HEATMAP_ROWS = 40  # a first screen and more; a 200-zone site's 500 rows took a second to render (decision 0040)


def _heatmap_rows(request: AuthenticatedHttpRequest, summary: selectors.Summary) -> dict[str, Any]:
    """The heat-map rows to render: the first HEATMAP_ROWS zones and conduits, all of them with ?heatmap=all."""
    rows = summary.targets if request.GET.get("heatmap") == "all" else summary.targets[:HEATMAP_ROWS]
    return {"heatmap_rows": rows, "heatmap_more": len(summary.targets) - len(rows)}


@login_required
def assessment_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, select=("site", "lead", "catalogue", "signed_off_by"))
    live_seq = live.last_seq(assessment.pk)  # before the reads: a change meanwhile is caught up, not lost
    summary, counts = selectors.summary_and_resync(assessment)  # one grouped query for both (decision 0040)
    plan = counts if not assessment.is_final else None
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
        sign_offs=_sign_offs(assessment),
        **_heatmap_rows(request, summary),
        pinned=pinned_overrides(assessment),  # the level overrides it uses (decision 0032)
        live_seq=live_seq,
    )
    return render(request, "assessments/detail.html", context)


@login_required
def assessment_heatmap(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The heat-map alone, for live refreshes."""
    assessment = get_for(request, Assessment, pk)
    summary = selectors.summary(assessment)
    context = {"assessment": assessment, "summary": summary, **_heatmap_rows(request, summary)}
    return render(request, "assessments/_heatmap.html", context)


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


def _sign_offs(assessment: Assessment) -> list[SignOff]:
    """The assessment's sign-offs, newest first, each with its report of record (`report`, or None)."""
    records = list(assessment.sign_offs.select_related("signed_off_by", "reopened_by").prefetch_related("report_jobs"))
    for record in records:
        jobs = sorted(record.report_jobs.all(), key=lambda job: job.created)
        record.report = jobs[0] if jobs else None  # type: ignore[attr-defined]
    return records


@login_required
@require_POST
def assessment_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, Action.CHANGE)
    to, reason = request.POST.get("status", ""), request.POST.get("reason", "")
    if to == AssessmentStatus.FINAL and not reason.strip() and selectors.unassessed_results(assessment).exists():
        return redirect("assessment-sign-off", assessment.pk)  # say how many and which, and ask why
    if assessment.is_final and to == REOPENED_TO and not reason.strip():
        return redirect("assessment-reopen", assessment.pk)
    move = partial(services.assessment_transition, assessment=assessment, reason=reason)  # to the posted status
    said: dict[str, str] = {AssessmentStatus.FINAL: SIGNED_OFF}
    if assessment.is_final:
        said[REOPENED_TO] = REOPENED
    return status_move(request, assessment, move, AssessmentStatus, said=said)


def _reason_page(
    request: AuthenticatedHttpRequest, assessment: Assessment, to: str, template: str, done: str, **context: Any
) -> HttpResponse:
    """The confirmation page of a sign-off or a reopening: on a POST, move to `to` with the reason given;
    a refusal comes back on the page, under the reason (or above the form)."""
    errors: dict[str, list[str]] = {}
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            services.assessment_transition(
                assessment=assessment, to=to, by=request.user, expected_version=posted_version(request), reason=reason
            )
        except StaleObjectError:
            errors["__all__"] = ["Someone else changed this assessment meanwhile; check the page and confirm again."]
            assessment.refresh_from_db()
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, done)
            return redirect(assessment)
    page = {"assessment": assessment, "site": assessment.site, "tab": "overview", "reason": reason, "errors": errors}
    return render(request, template, {**page, **context})


@login_required
def assessment_sign_off(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Confirm a sign-off: how many required items are not assessed and which (by zone and conduit); with
    any, the sign-off needs a reason."""
    assessment = get_for(request, Assessment, pk, Action.SIGN_OFF, select=("site", "lead", "catalogue"))
    if assessment.status != AssessmentStatus.IN_REVIEW:
        messages.error(request, "Only an assessment in review can be signed off; send it for review first.")
        return redirect(assessment)
    groups = selectors.unassessed_by_target(assessment)
    unassessed = sum(len(g.refs) for g in groups)
    return _reason_page(
        request, assessment, AssessmentStatus.FINAL, "assessments/signoff.html", SIGNED_OFF,
        groups=groups, unassessed=unassessed, total=selectors.summary(assessment).progress.total,
    )  # fmt: skip


@login_required
def assessment_reopen(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Reopen a final assessment (back to in review), with a reason; its sign-off stays on record."""
    assessment = get_for(request, Assessment, pk, Action.SIGN_OFF, select=("site", "signed_off_by"))
    if not assessment.is_final:
        messages.error(request, "Only a final (signed-off) assessment can be reopened.")
        return redirect(assessment)
    return _reason_page(request, assessment, REOPENED_TO, "assessments/reopen.html", REOPENED)


@login_required
def assessment_history(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Who changed what in the assessment, its results, evidence and sign-offs, newest first; `?as_of=<sign-off
    id>` shows the history as it stood at that sign-off."""
    assessment = get_for(request, Assessment, pk, select=("site", "catalogue"))
    sign_offs = list(assessment.sign_offs.select_related("signed_off_by"))
    as_of: SignOff | None = None
    if request.GET.get("as_of"):
        wanted = parse_uuid(request.GET["as_of"])
        as_of = next((s for s in sign_offs if s.pk == wanted), None)
        if as_of is None:
            raise Http404("No such sign-off of this assessment.")
    entries = selectors.assessment_history(assessment, as_of=as_of)
    context = {**_context(request, assessment, "history"), "entries": entries, "sign_offs": sign_offs, "as_of": as_of}
    return render(request, "assessments/history.html", context)


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
