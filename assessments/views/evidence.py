"""Evidence: the assessment's register, uploads (from the register or a result), and the one
permission-checked way a file leaves the server."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import Action, can
from assessments import services
from assessments.evidence_files import allowed_extensions, evidence_file_response, max_megabytes
from assessments.forms import EvidenceForm
from assessments.models import Assessment, Evidence, Result
from core.forms import errors_to_form
from core.http import AuthenticatedHttpRequest
from core.pages import get_for


def _add(
    request: AuthenticatedHttpRequest, assessment: Assessment, form: EvidenceForm, results: list[Result]
) -> Evidence | None:
    if not form.is_valid():
        return None
    try:
        return services.evidence_add(
            assessment=assessment,
            by=request.user,
            file=form.cleaned_data.get("file"),
            reference=form.cleaned_data.get("reference") or "",
            description=form.cleaned_data.get("description") or "",
            expires=form.cleaned_data.get("expires"),
            results=results,
        )
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None


def _limits() -> dict[str, Any]:
    return {"max_mb": max_megabytes(), "extensions": ", ".join(allowed_extensions())}


@login_required
def evidence_list(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, select=("site",))
    can_change = can(request.user, Action.CHANGE, assessment) and not assessment.is_final
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_change:
            return HttpResponse("Your role lets you read evidence, not add it.", status=403)
        if evidence := _add(request, assessment, form, []):
            messages.success(request, f"Evidence “{evidence}” added.")
            return redirect("assessment-evidence", pk=assessment.pk)
    items = assessment.evidence.select_related("added_by").prefetch_related(
        "results__requirement", "results__zone", "results__conduit"
    )
    return render(
        request,
        "assessments/evidence.html",
        {
            "assessment": assessment,
            "site": assessment.site,
            "tab": "evidence",
            "items": items,
            "form": form,
            "can_change": can_change,
            "today": timezone.localdate(),
            **_limits(),
        },
    )


@login_required
def result_evidence(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The evidence panel of one result: what supports it, upload a new file, link an existing one."""
    result = get_for(request, Result, pk, select=("assessment",))
    assessment = result.assessment
    can_change = can(request.user, Action.CHANGE, result) and not assessment.is_final
    form = EvidenceForm(None)
    status = 200
    if request.method == "POST":
        if not can_change:
            return HttpResponse("Your role lets you read evidence, not add it.", status=403)
        if link_id := request.POST.get("link"):
            evidence = get_for(request, Evidence, link_id)
            try:
                services.evidence_link(evidence=evidence, results=[*evidence.results.all(), result], by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        elif unlink_id := request.POST.get("unlink"):
            evidence = get_for(request, Evidence, unlink_id)
            services.evidence_link(evidence=evidence, results=evidence.results.exclude(pk=result.pk), by=request.user)
        else:
            form = EvidenceForm(request.POST, request.FILES)
            if _add(request, assessment, form, [result]) is None:
                status = 400
            else:
                form = EvidenceForm(None)
    linked = list(result.evidence.all())
    others = assessment.evidence.exclude(pk__in=[e.pk for e in linked])
    return render(
        request,
        "assessments/_result_evidence.html",
        {
            "result": result,
            "linked": linked,
            "others": others,
            "form": form,
            "can_change": can_change,
            "today": timezone.localdate(),
            **_limits(),
        },
        status=status,
    )


@login_required
def evidence_download(request: AuthenticatedHttpRequest, pk: Any) -> FileResponse:
    return evidence_file_response(get_for(request, Evidence, pk))
