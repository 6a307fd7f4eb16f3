"""Findings: the list with its filters, generating from an assessment, entering and editing by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import Action as Can
from accounts.access import can
from assessments.models import Assessment
from core.history import object_history
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import creating, get_for
from remediation import selectors, services
from remediation.choices import FindingSource, FindingStatus, Severity
from remediation.forms import FindingForm
from remediation.models import Finding
from remediation.views.common import chosen_site, edit_page, form_page, page_context
from zones.models import Site

PAGE_SIZE = 100


@login_required
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    site = chosen_site(request)
    findings = selectors.findings_for(request.user)
    zone_id = parse_uuid(request.GET.get("zone"))
    chosen = {name: request.GET.get(name, "") for name in ("severity", "status", "source")}
    if site is not None:
        findings = findings.filter(site=site)
    if zone_id:
        findings = findings.filter(zone_id=zone_id)
    if chosen["severity"] in Severity.values:
        findings = findings.filter(severity=chosen["severity"])
    if chosen["status"] in FindingStatus.values:
        findings = findings.filter(status=chosen["status"])
    if chosen["source"] in FindingSource.values:
        findings = findings.filter(source=chosen["source"])
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = page_context(request, site, "findings")
    context.update(
        page=page,
        findings=page.object_list,
        zones=site.zones.order_by("purdue_level", "name") if site else [],
        zone_id=zone_id,
        chosen=chosen,
        severities=Severity.choices,
        statuses=FindingStatus.choices,
        sources=FindingSource.choices,
        generate_from=(
            Assessment.objects.filter(site=site, status__in=services.GENERATE_FROM).order_by("-created")
            if site is not None
            else []
        ),
        writable_sites=Site.objects.restrict(request.user, Can.CHANGE).order_by("name"),
    )
    return render(request, "remediation/finding_list.html", context)


@login_required
@require_POST
def findings_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    assessment = get_for(request, Assessment, parse_uuid(request.POST.get("assessment")), Can.CHANGE)
    back = reverse("finding-list") + f"?site={assessment.site_id}"
    try:
        report = services.findings_generate(assessment=assessment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    parts = [f"{len(report.created)} new finding{'s' if len(report.created) != 1 else ''}"]
    if report.linked:
        parts.append(f"{len(report.linked)} existing updated with new results")
    if report.unchanged:
        parts.append(f"{report.unchanged} already up to date")
    if report.resolved:
        parts.append(f"{len(report.resolved)} resolved (the assessment now shows them met)")
    message = f"Findings generated from “{assessment.title}”: {', '.join(parts)}."
    if report.not_assessed:
        message += f" {report.not_assessed} required results are not assessed yet; they are not findings."
    messages.success(request, message)
    return redirect(back)


@login_required
def finding_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    finding = get_for(request, Finding, pk, select=("site", "zone", "conduit", "requirement", "assessment"))
    results = finding.results.select_related("requirement", "assessment", "zone", "conduit").order_by(
        "requirement__position"
    )
    actions = finding.actions.select_related("owner").order_by("due_date", "title")
    context = page_context(request, finding.site, "findings")
    context.update(
        finding=finding,
        results=results,
        actions=actions,
        today=timezone.localdate(),
        history=object_history(finding, limit=30),
    )
    context["can_change"] = can(request.user, Can.CHANGE, finding)
    return render(request, "remediation/finding_detail.html", context)


@login_required
def finding_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Can.CHANGE)
    form = FindingForm(
        request.POST or None, instance=Finding(site=site), site=site, initial={"identified": timezone.localdate()}
    )
    return form_page(
        request,
        form,
        creating(services.finding_create, site=site, by=request.user),
        site=site,
        tab="findings",
        title=f"New finding at {site.name}",
        cancel=reverse("finding-list") + f"?site={site.pk}",
        done="Finding “{obj.title}” recorded.",
    )


@login_required
def finding_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    finding = get_for(request, Finding, pk, Can.CHANGE, select=("site",))
    return edit_page(request, finding, FindingForm, services.finding_update, tab="findings")
