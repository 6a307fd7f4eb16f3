"""A site's remediation as an OSCAL plan of action and milestones (report kind oscal_poam).

Each remediation action is a poam-item. The findings it addresses are observations (every finding) and
OSCAL findings on the item's control (findings that name a requirement; OSCAL's finding needs a target).
OSCAL keeps milestones on risks: each action has a risk whose planned remediation holds the milestones
(planned start, due date, completion, verification) as tasks of type milestone on their dates.
"""

from __future__ import annotations

import uuid
from typing import Any, BinaryIO

from django.db.models import Max, Prefetch

from compliance.oscal import OSCAL_VERSION, PROP_NS, control_id, prop, timestamp, validated
from remediation.choices import ActionStatus
from remediation.models import Action, Finding
from reports.oscal import EmptyExport, day, ids, write_json
from zones.models import Site

# OSCAL's risk statuses for our action statuses.
RISK_STATUS = {
    ActionStatus.PROPOSED: "open",
    ActionStatus.PLANNED: "open",
    ActionStatus.IN_PROGRESS: "remediating",
    ActionStatus.DONE: "remediating",  # done but not yet verified: the risk is not closed until checked
    ActionStatus.VERIFIED: "closed",
    ActionStatus.DEFERRED: "deviation-requested",
    ActionStatus.REJECTED: "open",
}


def _observation(finding: Finding) -> dict[str, Any]:
    props = [prop("finding-id", finding.pk), prop("severity", finding.severity), prop("finding-status", finding.status)]
    props.append(prop("source", finding.source))
    if finding.requirement is not None:
        props.append(prop("control-id", control_id(finding.requirement.ref)))
    return {
        "uuid": ids.site_observation(finding.pk),
        "title": finding.title,
        "description": finding.description.strip() or finding.title,
        "props": props,
        "methods": ["UNKNOWN"],
        "types": ["finding"],
        "collected": day(finding.identified),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    assert finding.requirement is not None
    resolved = finding.status == "resolved"
    return {
        "uuid": ids.site_finding(finding.pk),
        "title": finding.title,
        "description": finding.description.strip() or finding.title,
        "props": [prop("finding-id", finding.pk), prop("severity", finding.severity)],
        "target": {
            "type": "objective-id",
            "target-id": control_id(finding.requirement.ref),
            "status": {"state": "satisfied" if resolved else "not-satisfied"},
        },
        "related-observations": [{"observation-uuid": ids.site_observation(finding.pk)}],
    }


def _milestones(action: Action) -> list[dict[str, Any]]:
    dates = [
        ("planned-start", "Planned start", action.planned_start),
        ("due", "Due", action.due_date),
        ("completed", "Completed", action.completed_on),
        ("verified", "Verified", action.verified_on),
    ]
    return [
        {
            "uuid": ids.milestone(action.pk, what),
            "type": "milestone",
            "title": title,
            "timing": {"on-date": {"date": day(when)}},
        }
        for what, title, when in dates
        if when is not None
    ]


def _risk(action: Action, findings: list[Finding]) -> dict[str, Any]:
    remediation: dict[str, Any] = {
        "uuid": ids.remediation(action.pk),
        "lifecycle": "completed" if action.is_finished else "planned",
        "title": action.title,
        "description": action.description.strip() or action.title,
        "props": [prop("phase", action.phase)],
    }
    if milestones := _milestones(action):
        remediation["tasks"] = milestones
    statement = "; ".join(f.title for f in findings) or "No finding is linked to this action yet."
    risk: dict[str, Any] = {
        "uuid": ids.risk(action.pk),
        "title": action.title,
        "description": action.description.strip() or action.title,
        "statement": statement,
        "status": RISK_STATUS.get(ActionStatus(action.status), "open"),
        "remediations": [remediation],
    }
    if action.due_date:
        risk["deadline"] = day(action.due_date)
    if findings:
        risk["related-observations"] = [{"observation-uuid": ids.site_observation(f.pk)} for f in findings]
    return risk


def _item(action: Action, findings: list[Finding]) -> dict[str, Any]:
    props = [
        prop("action-id", action.pk),
        prop("action-status", action.status),
        prop("priority", action.priority),
        prop("phase", action.phase),
    ]
    if action.effort_days is not None:
        props.append(prop("effort-days", action.effort_days))
    item: dict[str, Any] = {
        "uuid": ids.poam_item(action.pk),
        "title": action.title,
        "description": action.description.strip() or action.title,
        "props": props,
        "related-risks": [{"risk-uuid": ids.risk(action.pk)}],
    }
    with_target = [f for f in findings if f.requirement is not None]
    if with_target:
        item["related-findings"] = [{"finding-uuid": ids.site_finding(f.pk)} for f in with_target]
    if findings:
        item["related-observations"] = [{"observation-uuid": ids.site_observation(f.pk)} for f in findings]
    if action.owner is not None:
        item["remarks"] = f"Owner: {action.owner.get_full_name() or action.owner.get_username()}"
    return item


def poam_document(site: Site) -> dict[str, Any]:
    """The OSCAL plan of action and milestones of a site's remediation actions, validated by trestle."""
    findings_qs = Finding.objects.select_related("requirement").order_by("identified", "title", "pk")
    actions = list(
        Action.objects.filter(site=site)
        .select_related("owner")
        .prefetch_related(Prefetch("findings", queryset=findings_qs))
        .order_by("priority", "-priority_score", "due_date", "title", "pk")
    )
    if not actions:
        raise EmptyExport("The site has no remediation actions, and a plan of action needs at least one.")
    findings_of = {a.pk: list(a.findings.all()) for a in actions}
    findings: dict[uuid.UUID, Finding] = {f.pk: f for fs in findings_of.values() for f in fs}
    ordered = sorted(findings.values(), key=lambda f: (f.identified, f.title, str(f.pk)))
    changed = Action.history.filter(site_id=site.pk).aggregate(last=Max("history_date"))["last"]
    last_modified = max(filter(None, [changed, site.created]))
    document: dict[str, Any] = {
        "uuid": ids.document("poam", site.pk),
        "metadata": {
            "title": f"Plan of action and milestones: {site.name}",
            "last-modified": timestamp(last_modified),
            "version": last_modified.strftime("%Y%m%d%H%M%S"),
            "oscal-version": OSCAL_VERSION,
            "props": [prop("site-id", site.pk)],
        },
        # No system security plan to import: the site is the system, named by its id in our namespace.
        "system-id": {"identifier-type": PROP_NS, "id": str(site.pk)},
        "risks": [_risk(a, findings_of[a.pk]) for a in actions],
        "poam-items": [_item(a, findings_of[a.pk]) for a in actions],
    }
    if ordered:
        document["observations"] = [_observation(f) for f in ordered]
    if with_target := [_finding(f) for f in ordered if f.requirement is not None]:
        document["findings"] = with_target
    return {"plan-of-action-and-milestones": validated("plan-of-action-and-milestones", document)}


def write_poam(site: Site, out: BinaryIO) -> None:
    """Write the site's OSCAL plan of action and milestones as JSON to `out`."""
    write_json(poam_document(site), out)
