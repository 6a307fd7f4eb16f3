"""Supplier questionnaire pages (decision 0036).

- `/q/<token>/`: the supplier's page, without an account and without the app's navigation. It is rendered
  here and answered through the token API by static/js/questionnaire.js; nothing is posted to this view.
- `/component-assessments/<id>/questionnaires/`: the consultant invites suppliers, follows their links,
  revokes them and reviews the answers beside the current results (accept or reject with a reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.access import Action, can
from components.models import ComponentAssessment, ComponentResult, Invitation, SupplierAnswer
from components.services import questionnaires as services
from core.forms import DateInput, errors_to_form
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, get_for
from core.uploads import allowed_extensions, evidence_file_response, max_megabytes


# --- the supplier's page ------------------------------------------------------------------------------------
def _by_fr(items: Iterable[ComponentResult]) -> list[tuple[Any, list[ComponentResult]]]:
    """Items grouped by foundational requirement, in catalogue order (items are already in that order)."""
    return [(fr, list(group)) for fr, group in groupby(items, key=lambda item: item.requirement.fr)]


@require_safe
def questionnaire_page(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire behind a link; a bare 404 page for an unknown, expired or revoked one."""
    try:
        invitation = services.questionnaire_for_token(token)
    except Http404:
        response = render(request, "components/questionnaire_gone.html", {"message": services.GONE}, status=404)
    else:
        items = list(invitation.items())
        context = {
            "invitation": invitation,
            "product": invitation.assessment.product,
            "groups": _by_fr(items),
            "answered": sum(1 for item in items if getattr(item, "mine", None)),
            "total": len(items),
            "statuses": services.SUPPLIER_STATUSES,
            "comment_required": [s.value for s in services.COMMENT_REQUIRED],
            "read_only": not invitation.open_for_answers,
            "api": reverse("components-api:questionnaire", args=[token]),
            "accept": ",".join(allowed_extensions()),
            "max_mb": max_megabytes(),
        }
        response = render(request, "components/questionnaire_page.html", context)
    for name, value in services.PRIVATE_HEADERS.items():
        response[name] = value
    return response


# --- the consultant's review page ---------------------------------------------------------------------------
class InvitationForm(forms.Form):
    email = forms.EmailField(label="Supplier's email", max_length=254)
    expires = forms.DateField(
        label="Link works until",
        widget=DateInput(),
        help_text=f"The end of that day (UTC); at most {services.MAX_VALIDITY.days} days ahead.",
    )

    def expires_at(self) -> datetime.datetime:
        day: datetime.date = self.cleaned_data["expires"]
        return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=datetime.UTC)


def _review_context(assessment: ComponentAssessment) -> dict[str, Any]:
    answers = SupplierAnswer.objects.select_related("result__requirement", "reviewed_by")
    invitations = (
        assessment.invitations.select_related("created_by", "revoked_by")
        .annotate(answer_count=Count("answers"))
        .prefetch_related(Prefetch("answers", queryset=answers))
    )
    return {"assessment": assessment, "product": assessment.product, "invitations": invitations}


# The new link waits in the (server-side) session for the one page view after the redirect, then is gone: a
# reload of the POST would otherwise invite the supplier twice.
NEW_LINK = "components.new_questionnaire_link"


@login_required
def questionnaire_review(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The invitations of a component assessment and their answers; POST invites a supplier."""
    assessment = get_for(request, ComponentAssessment, pk, select=("product__organization",))
    can_change = can(request.user, Action.CHANGE, assessment)
    form = InvitationForm(initial={"expires": timezone.localdate() + services.DEFAULT_VALIDITY})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Your role lets you read this component assessment, not invite a supplier.")
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                new = services.invitation_create(
                    assessment=assessment,
                    email=form.cleaned_data["email"],
                    expires=form.expires_at(),
                    by=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                request.session[NEW_LINK] = {"assessment": str(assessment.pk), "link": new.link}
                messages.success(request, f"Invitation sent to {new.invitation.email}.")
                return redirect(reverse("component-questionnaires", args=[assessment.pk]))
    shown = request.session.pop(NEW_LINK, None) if request.method == "GET" else None
    new_link = shown["link"] if shown and shown["assessment"] == str(assessment.pk) else None
    context = {**_review_context(assessment), "form": form, "new_link": new_link, "can_change": can_change}
    response = render(request, "components/review_questionnaires.html", context)
    if new_link:
        response["Cache-Control"] = "no-store"
    return response


def _back(invitation: Invitation) -> HttpResponse:
    url = reverse("component-questionnaires", args=[invitation.assessment_id])
    return redirect(f"{url}#invitation-{invitation.pk}")


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    invitation = get_for(request, Invitation, pk, Action.CHANGE)
    button_write(
        request,
        lambda: services.invitation_revoke(invitation=invitation, by=request.user),
        done=f"The link sent to {invitation.email} no longer works.",
    )
    return _back(invitation)


@login_required
@require_POST
def answer_accept(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    answer = get_for(request, SupplierAnswer, pk, Action.CHANGE, select=("invitation", "result__requirement"))
    button_write(
        request,
        lambda: services.answer_accept(answer=answer, by=request.user),
        done=f"{answer.result.requirement.ref}: the supplier's answer is now the result (supplier claim).",
    )
    return _back(answer.invitation)


@login_required
@require_POST
def answer_reject(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    answer = get_for(request, SupplierAnswer, pk, Action.CHANGE, select=("invitation", "result__requirement"))
    button_write(
        request,
        lambda: services.answer_reject(answer=answer, by=request.user, reason=request.POST.get("reason", "")),
        done=f"{answer.result.requirement.ref}: the supplier's answer is rejected.",
    )
    return _back(answer.invitation)


@login_required
def answer_file(request: AuthenticatedHttpRequest, pk: Any) -> FileResponse:
    """The file a supplier attached to an answer, for those who may read the assessment."""
    answer = get_for(request, SupplierAnswer, pk)
    if not answer.file:
        raise Http404("This answer has no file.")
    return evidence_file_response(answer)
