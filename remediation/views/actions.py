"""Actions: the list, detail, create and edit pages, status moves, and suggested actions."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import Action as Can
from accounts.access import can
from accounts.selectors import people_of
from core.history import object_history
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import creating, get_for, status_move
from remediation import selectors, services
from remediation.choices import ACTION_TRANSITIONS, ActionStatus, Phase
from remediation.forms import ActionForm
from remediation.models import Action, Finding
from remediation.rules import phase_window
from remediation.views.common import chosen_site, edit_page, form_page, page_context
from zones.models import Site

HISTORY_LIMIT = 30
DONE_NEXT = "Action marked done. Verify it next: check the fix and update the results it addressed."


def action_filters(request: HttpRequest, site: Site | None) -> dict[str, Any]:
    """The list and roadmap filters, validated: anything unknown is ignored."""
    status = request.GET.get("status", "")
    phase = request.GET.get("phase", "")
    return {
        "site": site,
        "zone": parse_uuid(request.GET.get("zone")),
        "owner": parse_uuid(request.GET.get("owner")),
        "status": status if status in ActionStatus.values else None,
        "phase": phase if phase in Phase.values else None,
    }


def filter_context(request: HttpRequest, site: Site | None, filters: dict[str, Any]) -> dict[str, Any]:
    return {
        "zones": site.zones.order_by("purdue_level", "name") if site else [],
        "owners": people_of(site.organization_id) if site else [],
        "statuses": ActionStatus.choices,
        "phases": Phase.choices,
        "filters": filters,
    }


@login_required
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    site = chosen_site(request)
    filters = action_filters(request, site)
    actions = selectors.filter_actions(selectors.actions_for(request.user), **filters)
    context = page_context(request, site, "actions")
    context.update(filter_context(request, site, filters))
    context.update(actions=actions, today=timezone.localdate())
    return render(request, "remediation/action_list.html", context)


@login_required
def action_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    action = get_for(request, Action, pk, select=("site", "owner", "verified_by"))
    findings = action.findings.select_related("zone", "conduit", "assessment").order_by("title")
    can_change = can(request.user, Can.CHANGE, action)
    context = page_context(request, action.site, "actions")
    context.update(
        action=action,
        findings=findings,
        zones=action.zones.order_by("purdue_level", "name"),
        conduits=action.conduits.order_by("name"),
        assets=action.assets.select_related("zone").order_by("name"),
        moves=[move_button(action.status, s) for s in ACTION_TRANSITIONS[action.status]] if can_change else [],
        today=timezone.localdate(),
        can_change=can_change,
        history=object_history(action, limit=HISTORY_LIMIT),
        guidance=selectors.action_guidance(action),
    )
    return render(request, "remediation/action_detail.html", context)


def move_button(current: str, to: str) -> tuple[str, str, bool]:
    """(status, button text, whether it is the next step) for a status move on the action page."""
    forward: dict[tuple[str, str], str] = {
        (ActionStatus.PROPOSED, ActionStatus.PLANNED): "Plan it",
        (ActionStatus.DEFERRED, ActionStatus.PLANNED): "Plan it",
        (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS): "Start work",
        (ActionStatus.PLANNED, ActionStatus.DONE): "Mark done",
        (ActionStatus.IN_PROGRESS, ActionStatus.DONE): "Mark done",
    }
    other = {
        ActionStatus.PLANNED: "Back to planned",
        ActionStatus.PROPOSED: "Back to proposed",
        ActionStatus.IN_PROGRESS: "Reopen",
        ActionStatus.DEFERRED: "Defer",
        ActionStatus.REJECTED: "Reject",
    }
    if (current, to) in forward:
        return to, forward[(current, to)], True
    return to, other.get(ActionStatus(to), ActionStatus(to).label), False


def _initial_from_suggestion(site: Site, finding_ids: list[Any]) -> dict[str, Any]:
    """Edit a suggestion before accepting it: the form starts from what the platform proposed."""
    findings = Finding.objects.filter(site=site, pk__in=finding_ids)
    found = selectors.suggestions(site, timezone.localdate(), findings)
    if not found:
        return {"findings": list(findings)}
    suggestion = found[0]
    return {
        **suggestion.fields(),
        "status": ActionStatus.PLANNED,
        "findings": suggestion.findings,
        "zones": suggestion.zones,
        "conduits": suggestion.conduits,
    }


@login_required
def action_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Can.CHANGE)
    finding_ids = [i for i in map(parse_uuid, request.GET.getlist("findings")) if i]
    initial = _initial_from_suggestion(site, finding_ids) if finding_ids else {}
    form = ActionForm(request.POST or None, instance=Action(site=site), site=site, initial=initial)
    return form_page(
        request,
        form,
        creating(services.action_create, site=site, by=request.user),
        site=site,
        tab="actions",
        title=f"New action at {site.name}",
        cancel=reverse("action-list") + f"?site={site.pk}",
        done="Action “{obj.title}” added to the roadmap.",
        wide=True,
    )


@login_required
def action_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    action = get_for(request, Action, pk, Can.CHANGE, select=("site",))
    return edit_page(request, action, ActionForm, services.action_update, tab="actions", wide=True)


@login_required
@require_POST
def action_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    action = get_for(request, Action, pk, Can.CHANGE)
    return status_move(
        request,
        action,
        partial(services.action_transition, action=action),
        ActionStatus,
        said={ActionStatus.DONE: DONE_NEXT},
    )


# --- suggestions ---------------------------------------------------------------------------------
@login_required
def suggestion_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    site = chosen_site(request, required=True)
    items = selectors.suggestions(site, timezone.localdate()) if site else []
    context = page_context(request, site, "suggestions")
    context.update(suggestions=items, phases=Phase.choices)
    return render(request, "remediation/suggestions.html", context)


@login_required
@require_POST
def suggestion_decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accept a suggestion as a planned action, or drop it (kept as a rejected action, so the same
    findings are not suggested again and the decision stays on record)."""
    site = get_for(request, Site, parse_uuid(request.POST.get("site")), Can.CHANGE)
    back = reverse("suggestion-list") + f"?site={site.pk}"
    ids = [i for i in map(parse_uuid, request.POST.getlist("findings")) if i]
    findings = Finding.objects.filter(site=site, pk__in=ids)
    current = {s.key: s for s in selectors.suggestions(site, timezone.localdate(), findings)}
    suggestion = current.get(request.POST.get("key", ""))
    if suggestion is None:
        messages.error(request, "That suggestion has changed meanwhile (someone acted on its findings). "
                       "Here is the current list.")  # fmt: skip
        return redirect(back)
    decision = request.POST.get("decision")
    if decision not in ("accept", "drop"):
        raise PermissionDenied("Unknown decision.")
    fields = suggestion.fields()
    if decision == "accept":
        phase = request.POST.get("phase", "")
        if phase in Phase.values and phase != suggestion.phase:
            fields["phase"] = phase
            fields["planned_start"], fields["due_date"] = phase_window(phase, timezone.localdate())
        fields["status"] = ActionStatus.PLANNED
        fields["owner"] = request.user
    else:
        fields["status"] = ActionStatus.REJECTED
    action = services.action_create(
        site=site,
        by=request.user,
        fields=fields,
        findings=suggestion.findings,
        zones=suggestion.zones,
        conduits=suggestion.conduits,
    )
    if decision == "accept":
        messages.success(request, f"Planned: “{action.title}”, owned by you. Adjust it on its page.")
    else:
        messages.success(request, f"Dropped: “{action.title}” (kept as a rejected action).")
    return redirect(back)
