"""The "Record as a finding" button of an asset or zone page: the asset's capability gap becomes a finding on
its zone (remediation.capability_gaps), then the finding's page; pressed twice, the same finding."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, get_for
from remediation.capability_gaps import capability_gap_finding_create
from zones.models import Asset


@login_required
@require_POST
def capability_finding(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    asset = get_for(request, Asset, pk, select=("zone__site",))
    if not can(request.user, Action.CHANGE, asset.zone.site):
        raise PermissionDenied("Your role lets you read this site's remediation, not change it.")
    outcome = button_write(
        request,
        lambda: capability_gap_finding_create(asset=asset, by=request.user),
        done=lambda result: "Finding recorded." if result[1] else "This gap already has an open finding (updated).",
    )
    if outcome is None:
        return redirect(asset)
    finding, _created = outcome
    messages.info(request, "Plan the upgrade, replacement or boundary countermeasure from the roadmap's suggestions.")
    return redirect(finding)
