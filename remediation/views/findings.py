"""Findings: the list with its filters, generating from an assessment, entering and editing by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import Action as Can
from accounts.access import can
from assessments.models import Assessment
from assessments.views.common import errors_to_form, get_for
from core.versioning import StaleObjectError
from remediation import selectors, services
from remediation.choices import FindingSource, FindingStatus, Severity
from remediation.forms import FindingForm
from remediation.models import Finding
from remediation.views.common import chosen_site, page_context, parse_uuid
from zones.history import object_history
from zones.models import Site

PAGE_SIZE = 100


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
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
def findings_generate(request: HttpRequest) -> HttpResponse:
    assessment = get_for(request, Assessment, parse_uuid(request.POST.get("assessment")), Can.CHANGE)
    back = reverse("finding-list") + f"?site={assessment.site_id}"
    try:
        report = services.findings_generate(assessment=assessment, by=request.user)  # type: ignore[arg-type]
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
def finding_detail(request: HttpRequest, pk: Any) -> HttpResponse:
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


def _form_page(request: HttpRequest, form: FindingForm, site: Site, title: str, cancel: str) -> HttpResponse:
    context = page_context(request, site, "findings")
    context.update(form=form, title=title, cancel_url=cancel)
    return render(request, "remediation/form.html", context)


@login_required
def finding_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Can.CHANGE)
    form = FindingForm(
        request.POST or None, instance=Finding(site=site), site=site, initial={"identified": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_create(site=site, by=request.user, fields=form.service_fields())  # type: ignore[arg-type]
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Finding “{finding.title}” recorded.")
            return redirect(finding)
    cancel = reverse("finding-list") + f"?site={site.pk}"
    return _form_page(request, form, site, f"New finding at {site.name}", cancel)


@login_required
def finding_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    finding = get_for(request, Finding, pk, Can.CHANGE, select=("site",))
    form = FindingForm(request.POST or None, instance=finding, site=finding.site)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(
                finding=finding,
                by=request.user,  # type: ignore[arg-type]
                fields=form.service_fields(),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, f"Someone else changed this finding meanwhile (now version {exc.obj.version}). "
                           "Reload the page to see their change, then edit again.")  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Finding saved.")
            return redirect(finding)
    return _form_page(request, form, finding.site, f"Edit finding “{finding.title}”", finding.get_absolute_url())
