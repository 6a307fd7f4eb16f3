"""Risk assessment list, creation, overview (status buttons, initial risk), edit, heat maps and the proposal
with the apply form."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import Action, can, role_in
from compliance.choices import FR_CODES
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, form_view, get_for, posted_version
from core.versioning import StaleObjectError
from reports.choices import ReportKind
from reports.selectors import jobs_for
from risk import rules, selectors, services
from risk.choices import TRANSITIONS, RiskStatus
from risk.forms import ApplyForm, RiskAssessmentForm
from risk.models import RiskAssessment
from zones.models import Site

CRS_JOBS = 4  # how many of the latest requirements specifications the overview lists
MOVES = {
    RiskStatus.IN_REVIEW: "Submit for review",
    RiskStatus.APPROVED: "Approve",
    RiskStatus.DRAFT: "Back to draft",
}
RULE = (
    "A scenario exceeds tolerable risk when its rank (likelihood by consequence in the matrix) is above the "
    "tolerable rank. Per FR, the proposed SL-T is the highest capability of the threat sources of the exceeding "
    "scenarios that name that FR, and never below the assessment's baseline SL."
)


def _page(request: AuthenticatedHttpRequest, assessment: RiskAssessment, tab: str) -> dict[str, Any]:
    role = role_in(request.user, assessment.site.organization_id)
    return {
        "assessment": assessment,
        "site": assessment.site,
        "tab": tab,
        "can_change": can(request.user, Action.CHANGE, assessment),
        "can_approve": role in services.APPROVERS,
    }


@login_required
def risk_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    assessments = (
        RiskAssessment.objects.restrict(request.user, Action.VIEW)
        .select_related("site__organization", "approved_by")
        .order_by("site__name", "-created")
    )
    site_filter = request.GET.get("site", "")
    sites = Site.objects.restrict(request.user, Action.VIEW).select_related("organization").order_by("name")
    if site_filter:
        try:
            assessments = assessments.filter(site_id=uuid.UUID(site_filter))
        except ValueError:
            assessments = assessments.none()
    writable = Site.objects.restrict(request.user, Action.CHANGE).order_by("name")
    organizations = {s.organization_id: s.organization for s in sites}
    context = {
        "assessments": assessments,
        "sites": sites,
        "writable": writable,
        "site_filter": site_filter,
        "organizations": sorted(organizations.values(), key=lambda o: o.name),
    }
    return render(request, "risk/list.html", context)


@login_required
def risk_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = RiskAssessmentForm(request.POST or None, initial={"baseline_sl": 1})
    return form_view(
        request,
        form,
        lambda f: services.risk_assessment_create(site=site, by=request.user, fields=f.service_fields()),
        template="risk/form.html",
        done="Risk assessment “{obj.title}” created. Add threat scenarios in its register.",
        after=lambda a: f"/risk/{a.pk}/",
        context={"site": site, "title": f"New risk assessment of {site.name}", "cancel_url": "/risk/"},
    )


@login_required
def risk_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, RiskAssessment, pk, select=("site__organization", "approved_by", "created_by"))
    proposal = selectors.site_proposal(assessment)
    context = _page(request, assessment, "overview")
    moves = [(RiskStatus(s), MOVES[RiskStatus(s)]) for s in TRANSITIONS[assessment.status]]
    if not context["can_approve"]:
        moves = [m for m in moves if m[0] != RiskStatus.APPROVED]
    context.update(
        proposal=proposal,
        moves=moves if context["can_change"] else [],
        scenario_count=assessment.scenarios.count(),
        applied=assessment.applied_targets.select_related("zone", "conduit", "applied_by")[:20],
        # The latest CRS jobs of this assessment, each linking to its job page (reports owns the rest).
        crs_jobs=list(jobs_for(request.user).filter(risk_assessment=assessment, kind=ReportKind.CRS)[:CRS_JOBS]),
    )
    return render(request, "risk/detail.html", context)


@login_required
def risk_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, RiskAssessment, pk, Action.CHANGE, select=("site",))
    form = RiskAssessmentForm(request.POST or None, instance=assessment)
    return form_view(
        request,
        form,
        lambda f: services.risk_assessment_update(
            assessment=assessment, by=request.user, fields=f.service_fields(), expected_version=f.expected_version
        ),
        template="risk/form.html",
        done="Risk assessment saved.",
        after=lambda a: f"/risk/{a.pk}/",
        context={"site": assessment.site, "title": f"Edit {assessment.title}", "cancel_url": f"/risk/{assessment.pk}/"},
    )


@login_required
@require_POST
def risk_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, RiskAssessment, pk, Action.CHANGE, select=("site",))
    to = request.POST.get("status", "")
    said: dict[str, str] = {
        RiskStatus.IN_REVIEW: "Submitted for review: the asset owner or an admin approves it.",
        RiskStatus.APPROVED: "Approved (ZCR 7). The proposal can now be applied to the zones and conduits.",
        RiskStatus.DRAFT: "Back in draft.",
    }
    button_write(
        request,
        lambda: services.risk_assessment_update(
            assessment=assessment, by=request.user, fields={"status": to}, expected_version=posted_version(request)
        ),
        done=lambda _: said.get(to, "Status changed."),
        stale="Someone else changed this risk assessment meanwhile; check the page and try again.",
    )
    return redirect(f"/risk/{assessment.pk}/")


@login_required
def risk_heatmap(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, RiskAssessment, pk, select=("site__organization",))
    matrix_row = selectors.matrix_for(assessment.site.organization_id)
    matrix = matrix_row.as_rule()
    groups = selectors.register(assessment, matrix)
    rows = [row for g in groups for row in g.rows]

    def grid(residual: bool) -> list[dict[str, Any]]:
        cells: dict[tuple[int, int], list[Any]] = {}
        for row in rows:
            s, likelihood, consequence = row.scenario, row.scenario.likelihood, row.scenario.worst_consequence
            if residual:
                likelihood = s.residual_likelihood or likelihood
                consequence = s.residual_consequence if s.residual_consequence is not None else consequence
            cells.setdefault((likelihood, consequence), []).append(row)
        lines = []
        for lk in range(rules.LEVELS, 0, -1):  # most likely on top, as risk maps are read
            lines.append(
                {
                    "likelihood": lk,
                    "label": matrix_row.likelihood_labels[lk - 1],
                    "cells": [
                        {"consequence": c, "rank": matrix.rank(lk, c), "rows": cells.get((lk, c), [])}
                        for c in range(1, rules.LEVELS + 1)
                    ],
                }
            )
        none = [r for (lk, c), found in cells.items() if c == 0 for r in found]
        return [{"lines": lines, "none": none}]

    context = _page(request, assessment, "heatmap")
    context.update(
        matrix=matrix_row,
        rule_matrix=matrix,
        groups=groups,
        rows=rows,
        maps=[("Before countermeasures", "before", grid(False)[0]), ("After countermeasures", "after", grid(True)[0])],
    )
    return render(request, "risk/heatmap.html", context)


@login_required
def risk_proposal(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The proposal beside today's SL-T with its reasons and the rule; the apply form (approved only)."""
    assessment = get_for(request, RiskAssessment, pk, select=("site__organization", "approved_by"))
    proposal = selectors.site_proposal(assessment)
    ids = [str(t.id) for t in proposal.targets()]
    form = ApplyForm(request.POST or None, target_ids=ids, initial={"targets": ids, "version": assessment.version})
    result = None
    status = 200
    if request.method == "POST":
        if not can(request.user, Action.CHANGE, assessment):
            raise PermissionDenied("Your role lets you read this, not change it.")
        if form.is_valid():
            overrides = {
                uuid.UUID(t): services.Override(vector, justification)
                for t, (vector, justification) in form.cleaned_data["overrides"].items()
            }
            try:
                result = services.risk_apply(
                    assessment=assessment,
                    by=request.user,
                    targets=[uuid.UUID(t) for t in form.cleaned_data["targets"]],
                    overrides=overrides,
                    expected_version=form.cleaned_data.get("version"),
                )
            except StaleObjectError:
                form.add_error(None, "Someone changed this risk assessment meanwhile; check the proposal again.")
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                n = len(result.changed)
                messages.success(request, f"Applied: {n} SL-T vector{'s' if n != 1 else ''} changed.")
                proposal = selectors.site_proposal(assessment)
        if result is None:
            status = 400
    sources: dict[Any, Any] = {s.pk: s for s in assessment.site.organization.threat_sources.all()}
    titles: dict[Any, str] = dict(assessment.scenarios.values_list("pk", "title"))
    entries = []
    for t in proposal.targets():
        # One line per scenario that sets levels: which FRs it sets, to what (the capability of its source).
        why: dict[tuple[Any, Any, int], list[str]] = {}
        for r in t.proposal.reasons:
            why.setdefault((r.scenario, r.threat_source, r.level), []).append(r.fr)
        reasons = [
            {"scenario": titles.get(scenario, "?"), "source": sources.get(source), "level": level, "frs": frs}
            for (scenario, source, level), frs in why.items()
        ]
        frs = [
            {"fr": fr, "current": t.current[fr] if t.current else None, "proposed": t.proposed[fr]} for fr in FR_CODES
        ]
        entries.append(
            {
                "t": t,
                "frs": frs,
                "reasons": reasons,
                "partial": len({fr for frs_set in why.values() for fr in frs_set}) < len(FR_CODES),
                "differs": t.current != t.proposed,
                "override": form[f"override_{t.id}"],
                "justification": form[f"justification_{t.id}"],
            }
        )
    context = _page(request, assessment, "proposal")
    context.update(
        proposal=proposal,
        entries=entries,
        form=form,
        result=result,
        rule=RULE,
        fr_codes=FR_CODES,
        selected=set(form["targets"].value() or []),
    )
    return render(request, "risk/proposal.html", context, status=status)
