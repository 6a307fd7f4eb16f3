"""The scenario register: one table per zone and conduit, rows edited in place with htmx (a row swaps for its
form and back), saved through risk.services with the version the form started from; a stale save shows the
other person's values beside the user's. Everyone on the page hears of changes over the WebSocket
(risk/consumers.py) and fetches the changed row from `scenario_row`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from core.forms import ConflictForm, errors_to_form
from core.http import AuthenticatedHttpRequest
from core.pages import get_for, posted_version
from core.versioning import StaleObjectError
from risk import selectors, services
from risk.forms import ScenarioForm
from risk.models import RiskAssessment, ThreatScenario
from risk.views.pages import _page

COLUMNS = 12  # the register table's columns, for a form row that spans them
F = TypeVar("F", bound=ConflictForm)
T = TypeVar("T")


def conflict_save(form: F, save: Callable[[F], T]) -> T | None:
    """core.pages.form_save for a plain (not model) ConflictForm: validate, run `save`; on a stale version show
    the other person's values beside the input, on a refusal put the service's errors on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form)
    except StaleObjectError as exc:
        form.show_conflict(exc.obj)
    except ValidationError as exc:
        errors_to_form(form, exc)
    return None


@login_required
def register(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, RiskAssessment, pk, select=("site__organization",))
    matrix_row = selectors.matrix_for(assessment.site.organization_id)
    matrix = matrix_row.as_rule()
    context = _page(request, assessment, "register")
    context.update(groups=selectors.register(assessment, matrix), matrix=matrix_row, columns=COLUMNS)
    return render(request, "risk/register.html", context)


def _row_context(request: AuthenticatedHttpRequest, scenario: ThreatScenario) -> dict[str, Any]:
    matrix = selectors.matrix_for(scenario.risk_assessment.site.organization_id).as_rule()
    return {
        "row": selectors.evaluated(scenario, matrix),
        "can_change": can(request.user, Action.CHANGE, scenario.risk_assessment),
        "columns": COLUMNS,
    }


def _form_response(
    request: AuthenticatedHttpRequest, form: ScenarioForm, assessment: RiskAssessment, status: int = 200
) -> HttpResponse:
    scenario = form.instance
    context = {"form": form, "assessment": assessment, "columns": COLUMNS, "scenario": scenario,
               "adding": scenario._state.adding}  # fmt: skip
    return render(request, "risk/_scenario_form.html", context, status=status)


@login_required
def scenario_row(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """One register row as it stands (after a live message, or Cancel on its form)."""
    scenario = get_for(
        request,
        ThreatScenario,
        pk,
        select=("threat_source", "risk_assessment__site", "zone", "conduit", "remediation_action"),
    )
    return render(request, "risk/_scenario_row.html", _row_context(request, scenario))


@login_required
def scenario_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The form row of a new scenario (GET, for a zone or conduit given as `target`) and its save (POST)."""
    assessment = get_for(request, RiskAssessment, pk, Action.CHANGE, select=("site__organization",))
    matrix = selectors.matrix_for(assessment.site.organization_id)
    form = ScenarioForm(
        request.POST or None, assessment=assessment, matrix=matrix, target=request.GET.get("target", "")
    )
    if request.method == "POST":
        saved = conflict_save(
            form,
            lambda f: services.threat_scenario_save(
                scenario=ThreatScenario(), fields={"risk_assessment": assessment, **f.service_fields()}, by=request.user
            ),
        )
        if saved is not None:
            return render(request, "risk/_scenario_row.html", {**_row_context(request, saved), "fresh": True})
    return _form_response(request, form, assessment)


@login_required
def scenario_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The form row of a scenario (GET) and its save (POST, with the version the form started from)."""
    scenario = get_for(request, ThreatScenario, pk, Action.CHANGE, select=("threat_source", "risk_assessment__site"))
    assessment = scenario.risk_assessment
    matrix = selectors.matrix_for(assessment.site.organization_id)
    form = ScenarioForm(request.POST or None, assessment=assessment, matrix=matrix, instance=scenario)
    status = 200
    if request.method == "POST":
        saved = conflict_save(
            form,
            lambda f: services.threat_scenario_save(
                scenario=scenario, fields=f.service_fields(), expected_version=f.expected_version, by=request.user
            ),
        )
        if saved is not None:
            return render(request, "risk/_scenario_row.html", _row_context(request, saved))
        if form.current is not None:
            status = 412  # static/js/risk-register.js lets htmx swap it in: the form with both versions
    return _form_response(request, form, assessment, status)


@login_required
@require_POST
def scenario_delete(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    scenario = get_for(request, ThreatScenario, pk, Action.CHANGE, select=("risk_assessment__site",))
    try:
        services.threat_scenario_delete(scenario=scenario, expected_version=posted_version(request), by=request.user)
    except StaleObjectError:
        response = render(request, "risk/_scenario_row.html", _row_context(request, scenario))
        response["HX-Trigger"] = '{"risk:stale": "Someone changed this scenario meanwhile; it was not deleted."}'
        return response
    return HttpResponse("")


@login_required
@require_POST
def scenario_create_action(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Make the scenario's remediation action (ZCR 5.12) and show it; a second click shows the same action."""
    scenario = get_for(request, ThreatScenario, pk, Action.CHANGE, select=("risk_assessment__site", "threat_source"))
    try:
        result = services.threat_scenario_create_action(scenario=scenario, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/risk/{scenario.risk_assessment_id}/register/#r-{scenario.pk}")
    if result.created:
        messages.success(request, f"Remediation action “{result.action.title}” added to the roadmap as proposed.")
    else:
        messages.info(request, "This scenario already has its remediation action: here it is.")
    return redirect(result.action)
