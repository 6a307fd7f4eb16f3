"""The roadmap page: the Gantt chart by quarter and phase, progress per phase, overdue work, and the
projection of each zone's SL-A."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.http import AuthenticatedHttpRequest
from remediation import selectors
from remediation.choices import FindingStatus, Severity
from remediation.models import Finding
from remediation.timeline import gantt_svg
from remediation.views.actions import action_filters, filter_context
from remediation.views.common import chosen_site, page_context


@login_required
def roadmap(request: AuthenticatedHttpRequest) -> HttpResponse:
    site = chosen_site(request, required=True)
    today = timezone.localdate()
    context = page_context(request, site, "roadmap")
    if site is None:
        return render(request, "remediation/roadmap.html", context)
    filters = action_filters(request, site)
    actions = list(selectors.filter_actions(selectors.actions_for(request.user), **filters))
    road = selectors.roadmap(actions, today)
    projection = selectors.site_projection(site, today)
    open_findings = Finding.objects.filter(site=site, status__in=[FindingStatus.OPEN, FindingStatus.IN_REMEDIATION])
    context.update(filter_context(request, site, filters))
    context.update(
        road=road,
        svg=gantt_svg(actions, today, road),
        projection=projection,
        today=today,
        open_findings=open_findings.count(),
        open_severe=open_findings.filter(severity__in=[Severity.CRITICAL, Severity.HIGH]).count(),
        unaddressed=selectors.unaddressed_count(site),
        filtered=any(filters[k] for k in ("zone", "owner", "status", "phase")),
    )
    return render(request, "remediation/roadmap.html", context)
