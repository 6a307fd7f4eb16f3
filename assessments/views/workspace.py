"""The workspace: one zone or conduit at a time, its requirements grouped by FR, edited in place
(the page saves through the API with If-Match and listens on the assessment's WebSocket)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import Action, can
from accounts.selectors import people_of
from assessments import history, live, selectors, services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Comment, Result
from compliance.choices import FR_CODES
from compliance.licensed import texts_of
from compliance.models import FoundationalRequirement
from compliance.overrides import pinned_overrides
from core.http import AuthenticatedHttpRequest
from core.ids import is_uuid
from core.pages import get_for
from core.panels import comments_panel


def _filters(request: AuthenticatedHttpRequest) -> dict[str, str]:
    keys = ("fr", "status", "assignee", "todo", "scope")
    return {k: request.GET.get(k, "") for k in keys}


def _filtered(queryset: Any, f: dict[str, str], user: Any) -> Any:
    if f["fr"] in FR_CODES:
        queryset = queryset.filter(requirement__fr_id=f["fr"])
    if f["status"] in ResultStatus.values:
        queryset = queryset.filter(status=f["status"])
    if f["assignee"] == "me":
        queryset = queryset.filter(assignee=user)
    elif f["assignee"] == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif f["assignee"]:
        queryset = queryset.filter(assignee_id=f["assignee"]) if is_uuid(f["assignee"]) else queryset.none()
    if f["todo"]:
        queryset = queryset.filter(status=ResultStatus.NOT_ASSESSED)
    if f["scope"] != "all":
        queryset = queryset.filter(in_scope=True)
    return queryset


NAV_ROWS = 40  # zones (and as many conduits) listed before "Show all": 500 links took a tenth of the page's time


def _nav(request: AuthenticatedHttpRequest, summary: selectors.Summary, current_id: str) -> dict[str, Any]:
    """The zones and conduits the list shows (decision 0040): the first NAV_ROWS of each and the current one,
    all of them with ?nav=all (kept by the list's live refresh)."""
    show_all = request.GET.get("nav") == "all"

    def first(targets: list[selectors.TargetSummary]) -> list[selectors.TargetSummary]:
        if show_all or len(targets) <= NAV_ROWS:
            return targets
        return [t for n, t in enumerate(targets) if n < NAV_ROWS or str(t.id) == current_id]

    zones, conduits = first(summary.zones), first(summary.conduits)
    more = len(summary.zones) + len(summary.conduits) - len(zones) - len(conduits)
    return {"nav_zones": zones, "nav_conduits": conduits, "nav_more": more, "nav_all": show_all}


@login_required
def workspace(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, select=("site", "catalogue"))
    live_seq = live.last_seq(assessment.pk)  # before the reads: a change meanwhile is caught up, not lost
    summary = selectors.summary(assessment)
    targets = {str(t.id): t for t in summary.targets}
    current = targets.get(request.GET.get("target", "")) or (summary.targets[0] if summary.targets else None)
    f = _filters(request)
    groups: OrderedDict[str, list[Result]] = OrderedDict()
    if current is not None:
        lookup = {"zone_id": current.id} if current.kind == "zone" else {"conduit_id": current.id}
        rows = _filtered(selectors.results_for(assessment).filter(**lookup), f, request.user)
        rows = rows.annotate(comment_count=Count("comments"))
        for result in rows:
            groups.setdefault(result.requirement.fr_id or "", []).append(result)
    frs = {fr.code: fr for fr in FoundationalRequirement.objects.all()}
    cells = {c.fr: c for c in current.cells} if current else {}
    members = list(people_of(assessment.site.organization_id))
    can_change = can(request.user, Action.CHANGE, assessment) and not assessment.is_final
    return render(
        request,
        "assessments/workspace.html",
        {
            "assessment": assessment,
            "site": assessment.site,
            "tab": "workspace",
            "summary": summary,
            "current": current,
            "groups": [(frs[fr], cells.get(fr), results) for fr, results in groups.items()],
            "filters": f,
            "filtering": any(v for k, v in f.items()),
            "statuses": ResultStatus.choices,
            "fr_codes": FR_CODES,
            "members": members,
            "can_change": can_change,
            "final": assessment.is_final,
            "today": timezone.localdate(),
            # The level overrides it pinned and its own organization's licensed text only (decision 0032).
            "pinned": pinned_overrides(assessment),
            "licensed": texts_of(assessment.site.organization_id),
            "live_seq": live_seq,
            **_nav(request, summary, str(current.id) if current else ""),
        },
    )


@login_required
def workspace_nav(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The list of zones and conduits with their progress, for live refreshes."""
    assessment = get_for(request, Assessment, pk)
    summary, current_id = selectors.summary(assessment), request.GET.get("target", "")
    context = {"assessment": assessment, "summary": summary, "current_id": current_id, "filters": _filters(request),
               **_nav(request, summary, current_id)}  # fmt: skip
    return render(request, "assessments/_targets.html", context)


@login_required
def result_history(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """A result's history: the workspace dialog's content for htmx, a page of its own opened directly."""
    result = get_for(request, Result, pk, select=("requirement", "zone", "conduit", "assessment__site"))
    context = {"result": result, "entries": history.result_history(result)}
    if request.headers.get("HX-Request"):
        return render(request, "assessments/_result_history.html", context)
    assessment = result.assessment
    page = {"assessment": assessment, "site": assessment.site, "tab": "workspace"}
    return render(request, "assessments/result_history_page.html", {**context, **page})


@login_required
def result_comments(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    result = get_for(request, Result, pk, select=("assessment",))
    can_comment = can(request.user, Action.CHANGE, result) and not result.assessment.is_final

    def add(body: str) -> Comment:
        return services.comment_add(result=result, author=request.user, body=body)

    return comments_panel(request, result, can_comment=can_comment, add=add)
