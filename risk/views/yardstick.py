"""An organization's yardstick: the risk matrix editor (a coloured 5x5 grid saved with its version) and the
threat sources (list, add, edit, delete). Admins and consultants edit; everyone else in the organization
reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import role_in
from accounts.models import Organization
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, form_view, get_for, posted_version
from core.versioning import InUse
from risk import rules, selectors, services
from risk.forms import MatrixForm, ThreatSourceForm
from risk.models import ThreatSource
from risk.views.register import conflict_save


def _can_edit(request: AuthenticatedHttpRequest, organization_id: Any) -> bool:
    return role_in(request.user, organization_id) in services.EDITORS_OF_MATRIX


@login_required
def matrix_edit(request: AuthenticatedHttpRequest, org_pk: Any) -> HttpResponse:
    organization = get_for(request, Organization, org_pk)
    matrix = selectors.matrix_for(organization)
    can_edit = _can_edit(request, organization.pk)
    form = MatrixForm(request.POST or None, matrix=matrix)
    status = 200
    if request.method == "POST" and can_edit:
        saved = conflict_save(
            form,
            lambda f: services.risk_matrix_update(
                matrix=matrix, by=request.user, fields=f.service_fields(), expected_version=f.expected_version
            ),
        )
        if saved is not None:
            messages.success(request, "Risk matrix saved. Every risk assessment of the organization uses it.")
            return redirect(request.path)
        status = 412 if form.current is not None else 400
    elif request.method == "POST":
        return HttpResponse("Only the organization's admins and consultants edit its risk matrix.", status=403)
    levels = range(1, rules.LEVELS + 1)
    grid = [
        {"likelihood": lk, "label": form[f"likelihood_label_{lk}"], "cells": [form[f"rank_{lk}_{c}"] for c in levels]}
        for lk in reversed(levels)
    ]
    theirs = None
    if form.current is not None:
        current: Any = form.current
        theirs = [{"likelihood": lk, "ranks": current.ranks[lk - 1]} for lk in reversed(levels)]
    context = {"organization": organization, "matrix": matrix, "form": form, "grid": grid, "can_edit": can_edit,
               "consequence_labels": [form[f"consequence_label_{c}"] for c in levels], "theirs": theirs,
               "ranks": range(1, rules.LEVELS + 1)}  # fmt: skip
    return render(request, "risk/matrix.html", context, status=status)


@login_required
def source_list(request: AuthenticatedHttpRequest, org_pk: Any) -> HttpResponse:
    organization = get_for(request, Organization, org_pk)
    selectors.matrix_for(organization)  # the usual sources come with the organization's first matrix
    sources = ThreatSource.objects.filter(organization=organization).order_by("capability", "name")
    context = {"organization": organization, "sources": sources, "can_edit": _can_edit(request, organization.pk)}
    return render(request, "risk/sources.html", context)


@login_required
def source_create(request: AuthenticatedHttpRequest, org_pk: Any) -> HttpResponse:
    organization = get_for(request, Organization, org_pk)
    form = ThreatSourceForm(request.POST or None)
    back = f"/risk/organizations/{organization.pk}/threat-sources/"
    return form_view(
        request,
        form,
        lambda f: services.threat_source_save(
            source=ThreatSource(), by=request.user, fields={"organization": organization, **f.service_fields()}
        ),
        template="risk/form.html",
        done="Threat source “{obj.name}” added.",
        after=lambda _: back,
        context={"title": f"New threat source of {organization.name}", "cancel_url": back},
    )


@login_required
def source_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    source = get_for(request, ThreatSource, pk, select=("organization",))
    form = ThreatSourceForm(request.POST or None, instance=source)
    back = f"/risk/organizations/{source.organization_id}/threat-sources/"
    return form_view(
        request,
        form,
        lambda f: services.threat_source_save(
            source=source, by=request.user, fields=f.service_fields(), expected_version=f.expected_version
        ),
        template="risk/form.html",
        done="Threat source “{obj.name}” saved.",
        after=lambda _: back,
        context={"title": f"Edit threat source {source.name}", "cancel_url": back},
    )


@login_required
@require_POST
def source_delete(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    source = get_for(request, ThreatSource, pk)
    try:
        button_write(
            request,
            lambda: services.threat_source_delete(
                source=source, by=request.user, expected_version=posted_version(request)
            ),
            done=f"Threat source “{source.name}” deleted.",
        )
    except InUse as exc:  # scenarios name it: they are part of a (perhaps approved) record
        messages.error(request, str(exc))
    return redirect(f"/risk/organizations/{source.organization_id}/threat-sources/")
