"""The verify flow: a done action's addressed results, each updated with a small form (status, text,
evidence) through the assessment services, then the verification recorded. So the assessment and
the roadmap never disagree silently (docs/decisions/0011-verification-and-final-assessments.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import Action as Can
from accounts.access import can
from assessments import services as assessment_services
from assessments.models import Assessment, Result
from assessments.selectors import summary
from core.forms import errors_to_form
from core.http import AuthenticatedHttpRequest
from core.pages import get_for
from core.uploads import EvidenceTooLarge, allowed_extensions, max_megabytes
from core.versioning import StaleObjectError
from remediation import selectors, services
from remediation.choices import ActionStatus
from remediation.forms import VerifyForm, VerifyResultForm
from remediation.models import Action
from remediation.views.common import page_context


def _result_form(result: Result, data: Any = None, files: Any = None) -> VerifyResultForm:
    initial = {
        "status": result.status,
        "observations": result.observations,
        "countermeasure": result.countermeasure,
        "justification": result.justification,
        "version": result.version,
    }
    return VerifyResultForm(data, files, initial=initial, prefix=f"r{result.pk.hex[:8]}")


def _standings(items: list[selectors.VerifyItem]) -> list[dict[str, Any]]:
    """Where the zones and conduits the action touches stand now, per assessment (SL-T, SL-A, gap)."""
    rows = []
    seen_assessments = {i.result.assessment_id: i.result.assessment for i in items}
    wanted = {i.result.target_id for i in items}
    for assessment in seen_assessments.values():
        for target in summary(assessment).targets:
            if target.id in wanted:
                rows.append({"assessment": assessment, "target": target})
    return rows


def _page(
    request: AuthenticatedHttpRequest,
    action: Action,
    forms_by_result: dict[Any, VerifyResultForm] | None = None,
    verify_form: VerifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    items = selectors.verify_items(action)
    forms_by_result = forms_by_result or {}
    can_change = can(request.user, Can.CHANGE, action)
    rows = [{"item": item, "form": forms_by_result.get(item.result.pk) or _result_form(item.result)} for item in items]
    open_results = services.unsatisfied_results(action)
    context = page_context(request, action.site, "actions")
    context.update(
        action=action,
        rows=rows,
        standings=_standings(items),
        open_results=open_results,
        final_assessments=sorted({i.result.assessment.title for i in items if not i.editable}),
        verify_form=verify_form or VerifyForm(initial={"version": action.version}),
        can_change=can_change,
        can_verify=can_change and action.status == ActionStatus.DONE,
        max_mb=max_megabytes(),
        extensions=", ".join(allowed_extensions()),
        today=timezone.localdate(),
    )
    return render(request, "remediation/verify.html", context, status=status)


@login_required
def action_verify(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    action = get_for(request, Action, pk, select=("site", "owner", "verified_by"))
    if request.method != "POST":
        return _page(request, action)
    if not can(request.user, Can.CHANGE, action):
        raise PermissionDenied("Your role lets you read this, not verify it.")
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _page(request, action, verify_form=form, status=400)
    try:
        outcome = services.action_verify(
            action=action,
            by=request.user,
            note=form.cleaned_data["note"],
            accept_open_results=form.cleaned_data["accept_open_results"],
            expected_version=form.cleaned_data.get("version"),
        )
    except StaleObjectError as exc:
        form.show_conflict(exc.obj)
        action.refresh_from_db()  # the page shows the action as the other person left it
        return _page(request, action, verify_form=form)
    except ValidationError as exc:
        errors_to_form(form, exc)
        return _page(request, action, verify_form=form, status=400)
    text = "Action verified."
    if outcome.resolved:
        text += f" {len(outcome.resolved)} finding{'s' if len(outcome.resolved) != 1 else ''} resolved."
    if outcome.still_open:
        text += f" {len(outcome.still_open)} stay open (results still unsatisfied or other actions pending)."
    if outcome.pending_confirmation:
        text += " The assessment is final: confirm the fix in the next assessment."
    messages.success(request, text)
    return redirect(action)


@login_required
@require_POST
def verify_result(request: AuthenticatedHttpRequest, pk: Any, result_pk: Any) -> HttpResponse:
    """Update one addressed result (and add evidence to it) from the verify page."""
    action = get_for(request, Action, pk, Can.CHANGE, select=("site",))
    result = get_object_or_404(
        Result.objects.restrict(request.user, Can.VIEW).filter(findings__actions=action).distinct(), pk=result_pk
    )
    form = _result_form(result, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in ("status", "observations", "countermeasure", "justification")}
        try:
            with transaction.atomic():
                # The assessment before the live counter that result_update takes, as evidence_add and the
                # other writers of the assessment do: no deadlock on the counter (decision 0037).
                list(Assessment.objects.select_for_update().filter(pk=result.assessment_id).values_list("pk"))
                assessment_services.result_update(
                    result=result,
                    by=request.user,
                    fields=fields,
                    expected_version=data["version"],
                )
                if data.get("evidence_file") or (data.get("evidence_reference") or "").strip():
                    assessment_services.evidence_add(
                        assessment=result.assessment,
                        by=request.user,
                        file=data.get("evidence_file"),
                        reference=data.get("evidence_reference") or "",
                        description=data.get("evidence_description") or f"Verification of “{action.title}”",
                        results=[result],
                    )
        except StaleObjectError as exc:
            form.show_conflict(exc.obj)
        except EvidenceTooLarge as exc:
            form.add_error("evidence_file", exc.messages)
        except ValidationError as exc:
            _evidence_errors(form, exc)
        else:
            messages.success(request, f"{result.requirement.ref} on {result.target} saved.")
            return redirect(reverse("action-verify", args=[action.pk]) + f"#r-{result.pk}")
    return _page(request, action, forms_by_result={result.pk: form}, status=200 if form.current else 400)


def _evidence_errors(form: VerifyResultForm, exc: ValidationError) -> None:
    errors_to_form(form, exc, rename={"file": "evidence_file", "reference": "evidence_reference"})
