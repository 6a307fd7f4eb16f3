"""Evidence: the assessment's register, uploads (from the register or a result), and the one
permission-checked way a file leaves the server."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import Action, can
from assessments import services
from assessments.forms import EvidenceForm
from assessments.models import Assessment, Evidence, Result
from core.http import AuthenticatedHttpRequest
from core.pages import get_for
from core.panels import evidence_from_form, refused_status, upload_limits
from core.uploads import evidence_file_response


def _add(
    request: AuthenticatedHttpRequest, assessment: Assessment, form: EvidenceForm, results: list[Result]
) -> Evidence | None:
    return evidence_from_form(form, services.evidence_add, assessment=assessment, by=request.user, results=results)


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
            **upload_limits(),
        },
    )


@login_required
def result_evidence(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The evidence panel of one result: what supports it, upload a new file, link an existing one.

    Every answer to a POST carries the result's evidence chips out of band, so the workspace row
    shows what now supports it without a reload; `?part=chips` answers the chips alone (live refreshes).
    """
    result = get_for(request, Result, pk, select=("assessment",))
    assessment = result.assessment
    if request.method == "GET" and request.GET.get("part") == "chips":
        return render(request, "assessments/_evidence_chips.html", _chips(result))
    can_change = can(request.user, Action.CHANGE, result) and not assessment.is_final
    form, done, error = EvidenceForm(None), "", ""
    if request.method == "POST":
        if not can_change:
            return HttpResponse("Your role lets you read evidence, not add it.", status=403)
        form, done, error = _panel_action(request, result)
    chips = _chips(result)
    others = assessment.evidence.exclude(pk__in=[e.pk for e in chips["evidence"]])
    return render(
        request,
        "assessments/_result_evidence.html",
        {
            **chips,
            "others": others,
            "form": form,
            "error": error,
            "done": done,
            "oob": request.method == "POST",
            "can_change": can_change,
            **upload_limits(),
        },
        status=refused_status(request) if error or form.errors else 200,
    )


def _panel_action(request: AuthenticatedHttpRequest, result: Result) -> tuple[EvidenceForm, str, str]:
    """Do what the panel's form asks (link, unlink or add); return the form to show again, what was
    done and what was refused, in words."""
    if link_id := request.POST.get("link"):
        evidence = get_for(request, Evidence, link_id)
        return EvidenceForm(None), *_relink(request, evidence, [*evidence.results.all(), result], "Linked")
    if unlink_id := request.POST.get("unlink"):
        evidence = get_for(request, Evidence, unlink_id)
        return EvidenceForm(None), *_relink(request, evidence, evidence.results.exclude(pk=result.pk), "Unlinked")
    form = EvidenceForm(request.POST, request.FILES)
    if (added := _add(request, result.assessment, form, [result])) is None:
        return form, "", ""  # the reasons are on the form
    return EvidenceForm(None), f"Added “{added}”.", ""


def _relink(
    request: AuthenticatedHttpRequest, evidence: Evidence, results: Iterable[Result], verb: str
) -> tuple[str, str]:
    try:
        services.evidence_link(evidence=evidence, results=results, by=request.user)
    except ValidationError as exc:
        return "", " ".join(exc.messages)
    return f"{verb} “{evidence}”.", ""


def _chips(result: Result) -> dict[str, Any]:
    """What the chips partial needs: the result, its evidence and today (to mark expired evidence)."""
    return {"result": result, "evidence": list(result.evidence.all()), "today": timezone.localdate()}


@login_required
def evidence_download(request: AuthenticatedHttpRequest, pk: Any) -> FileResponse:
    return evidence_file_response(get_for(request, Evidence, pk))
