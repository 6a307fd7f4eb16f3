"""The component assessment pages: start one for a product, its page (header, SL-C per FR, the workspace),
and applying its SL-C to the product after a confirmation. The workspace saves through the API with If-Match
and listens on the assessment's WebSocket (static/js/workspace.js, as on a gap assessment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import Action, can
from accounts.selectors import people_of
from compliance.choices import ResultStatus
from compliance.fields import SLVectorFormField
from compliance.models import FoundationalRequirement
from compliance.sl import SLVector
from components import selectors
from components.choices import ResultSource
from components.models import ComponentAssessment, ComponentResult, Product
from components.services.assessments import component_assessment_apply, component_assessment_create
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, form_view, get_for, posted_version


class ComponentAssessmentForm(forms.Form):
    """What a new component assessment needs: a title and the level to assess up to per FR."""

    title = forms.CharField(max_length=200)
    sl_target = SLVectorFormField(
        label="Assess up to",
        help_text="The highest security level to assess per FR: the items above it are left out (and SL-C "
        "cannot go above it where the component type has items above it).",
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_assessment_create_page(request: AuthenticatedHttpRequest, product_pk: Any) -> HttpResponse:
    product = get_for(request, Product, product_pk, Action.CHANGE)
    form = ComponentAssessmentForm(
        request.POST or None,
        initial={"title": f"{product} IEC 62443-4-2 assessment", "sl_target": SLVector.uniform(4)},
    )
    return form_view(
        request,
        form,
        lambda f: component_assessment_create(
            product=product, title=f.cleaned_data["title"], sl_target=f.cleaned_data["sl_target"], by=request.user
        ),
        template="components/assessment_form.html",
        done=lambda a: f"Component assessment “{a.title}” created with {a.results.count()} items to assess.",
        context={"product": product, "title": "New component assessment", "cancel_url": product.get_absolute_url()},
    )


def _groups(results: list[ComponentResult]) -> list[tuple[Any, list[tuple[ComponentResult, list[ComponentResult]]]]]:
    """Results grouped by FR, then by CR: in catalogue order each CR opens a group, and the component-type
    items and requirement enhancements that follow it belong to it."""
    frs = {fr.code: fr for fr in FoundationalRequirement.objects.all()}
    by_fr: dict[str, list[tuple[ComponentResult, list[ComponentResult]]]] = {}
    for result in results:
        fr = result.requirement.fr_id or ""
        groups = by_fr.setdefault(fr, [])
        if result.requirement.kind == "CR" or not groups:
            groups.append((result, []))
        else:
            groups[-1][1].append(result)
    return [(frs.get(fr), groups) for fr, groups in by_fr.items()]


def _page(request: AuthenticatedHttpRequest, assessment: ComponentAssessment) -> dict[str, Any]:
    summary = selectors.component_summary(assessment)
    return {
        "assessment": assessment,
        "product": assessment.product,
        "summary": summary,
        "can_change": can(request.user, Action.CHANGE, assessment),
    }


@login_required
def component_assessment_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, ComponentAssessment, pk, select=("product__organization", "catalogue"))
    results = list(selectors.workspace_results(assessment))
    return render(
        request,
        "components/assessment_detail.html",
        {
            **_page(request, assessment),
            "groups": _groups(results),
            "statuses": ResultStatus.choices,
            "sources": ResultSource.choices,
            "members": list(people_of(assessment.product.organization_id)),
            "final": False,
        },
    )


@login_required
def component_assessment_summary(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The header's SL-C row and counts, for live refreshes."""
    assessment = get_for(request, ComponentAssessment, pk, select=("product", "catalogue"))
    return render(request, "components/_assessment_summary.html", _page(request, assessment))


@login_required
@require_http_methods(["GET", "POST"])
def component_assessment_apply_page(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """GET: the confirmation (the product's SL-C now and the derived one, what is not assessed yet);
    POST: apply it."""
    assessment = get_for(request, ComponentAssessment, pk, Action.CHANGE, select=("product", "catalogue"))
    if request.method == "POST":
        button_write(
            request,
            lambda: component_assessment_apply(
                assessment=assessment, by=request.user, expected_version=posted_version(request)
            ),
            done=lambda product: f"SL-C {product.sl_capability} set on {product}.",
        )
        return redirect(assessment)
    return render(request, "components/assessment_apply.html", _page(request, assessment))
