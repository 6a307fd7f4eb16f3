"""The panels of a component result in the workspace: its history, its comments and its evidence, and the one
permission-checked way a component evidence file leaves the server."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import Action, can
from components.history import component_result_history
from components.models import ComponentComment, ComponentEvidence, ComponentResult
from components.services import results as services
from core.forms import EvidenceForm
from core.http import AuthenticatedHttpRequest
from core.pages import get_for
from core.panels import comments_panel, evidence_from_form, refused_status, upload_limits
from core.uploads import evidence_file_response


@login_required
def result_history(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    result = get_for(request, ComponentResult, pk, select=("requirement", "assessment__product"))
    return render(
        request,
        "assessments/_result_history.html",
        {"result": result, "entries": component_result_history(result)},
    )


@login_required
def result_comments(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    result = get_for(request, ComponentResult, pk, select=("assessment",))

    def add(body: str) -> ComponentComment:
        return services.component_comment_add(result=result, author=request.user, body=body)

    can_comment = can(request.user, Action.CHANGE, result)
    return comments_panel(request, result, can_comment=can_comment, add=add, post_url=request.path)


def _evidence_action(request: AuthenticatedHttpRequest, result: ComponentResult) -> tuple[EvidenceForm, str, str]:
    """Upload, link or unlink from the panel: (the form, what was done, what went wrong)."""
    assessment = result.assessment
    form = EvidenceForm(None)
    try:
        if unlink := request.POST.get("unlink"):
            evidence = assessment.evidence.get(pk=unlink)
            rest = [r for r in evidence.results.all() if r.pk != result.pk]
            services.component_evidence_link(evidence=evidence, results=rest, by=request.user)
            return form, f"Unlinked “{evidence}”.", ""
        if link := request.POST.get("link"):
            evidence = assessment.evidence.get(pk=link)
            services.component_evidence_link(evidence=evidence, results=[*evidence.results.all(), result],
                                             by=request.user)  # fmt: skip
            return form, f"Linked “{evidence}”.", ""
    except (ComponentEvidence.DoesNotExist, ValidationError):
        return form, "", "That evidence is not part of this assessment."
    form = EvidenceForm(request.POST, request.FILES)
    add = services.component_evidence_add
    if (added := evidence_from_form(form, add, assessment=assessment, by=request.user, results=[result])) is None:
        return form, "", ""  # the reasons are on the form
    return EvidenceForm(None), f"Added “{added}”.", ""


@login_required
def result_evidence(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The evidence panel of one component result; `?part=chips` answers the row's chips alone."""
    result = get_for(request, ComponentResult, pk, select=("assessment",))
    today = timezone.localdate()
    if request.method == "GET" and request.GET.get("part") == "chips":
        chips = {"result": result, "evidence": result.evidence.all(), "today": today}
        return render(request, "assessments/_evidence_chips.html", chips)
    can_change = can(request.user, Action.CHANGE, result)
    form, done, error = EvidenceForm(None), "", ""
    status = 200
    if request.method == "POST":
        if not can_change:
            return HttpResponse("Your role lets you read evidence, not add it.", status=403)
        form, done, error = _evidence_action(request, result)
        if form.errors or error:
            status = refused_status(request)
    evidence = list(result.evidence.all())
    others = result.assessment.evidence.exclude(pk__in=[e.pk for e in evidence])
    context = {
        "result": result,
        "evidence": evidence,
        "others": others,
        "form": form,
        "done": done,
        "error": error,
        "can_change": can_change,
        "today": today,
        "oob": request.method == "POST",
        "panel_url": request.path,
        **upload_limits(),
    }
    return render(request, "assessments/_result_evidence.html", context, status=status)


@login_required
def evidence_download(request: AuthenticatedHttpRequest, pk: Any) -> FileResponse:
    return evidence_file_response(get_for(request, ComponentEvidence, pk))
