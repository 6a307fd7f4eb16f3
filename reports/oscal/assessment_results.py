"""An assessment as an OSCAL assessment-results document (report kind oscal_assessment_results).

One OSCAL result per zone and conduit in scope (with at least one item in scope): the zone or conduit is a
component of the result's local definitions, its in-scope items are the reviewed controls, each assessed
item is an observation (status, observations text, evidence), and each item not met or partially met is a
finding on the item's control, naming the remediation findings raised from it. Evidence documents are
back-matter resources with their SHA-256. OSCAL requires an assessment plan to import and Zonewise keeps
none apart from the assessment, so import-ap points at a back-matter resource that describes the scope and
the catalogue (decision 0029).

A constant number of queries whatever the number of results; SL-T and SL-A come from
assessments.selectors.summary (the one SL arithmetic), never from here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any, BinaryIO

from django.db.models import Max

from assessments.choices import ResultStatus, TargetKind
from assessments.models import Assessment, Evidence, Result
from assessments.selectors import TargetSummary, assessment_evidence, scope_targets, summary
from compliance.oscal import OSCAL_VERSION, control_id, prop, timestamp, validated
from remediation.models import Finding
from reports.oscal import EmptyExport, day, ids, write_json
from zones.models import Conduit, Zone

# Our statuses that make an OSCAL finding: the item is a gap (not-satisfied) that someone has to deal with.
GAP_STATUSES = frozenset({ResultStatus.NOT_MET, ResultStatus.PARTIALLY_MET})


def _evidence_resource(evidence: Evidence) -> dict[str, Any]:
    resource: dict[str, Any] = {"uuid": ids.evidence(evidence.pk), "title": evidence.filename or evidence.reference}
    if evidence.description.strip():
        resource["description"] = evidence.description
    props = [prop("evidence-id", evidence.pk)]
    if evidence.expires:
        props.append(prop("expires", evidence.expires.isoformat()))
    resource["props"] = props
    if evidence.is_file:
        link: dict[str, Any] = {"href": evidence.get_download_url()}
        if evidence.content_type:
            link["media-type"] = evidence.content_type
        if evidence.sha256:
            link["hashes"] = [{"algorithm": "SHA-256", "value": evidence.sha256}]
        resource["rlinks"] = [link]
    elif evidence.reference.startswith(("http://", "https://")):
        resource["rlinks"] = [{"href": evidence.reference}]
    else:  # a drawing number, a DMS id: cited, not linked
        resource["citation"] = {"text": evidence.reference}
    return resource


def _plan_resource(assessment: Assessment, zones: list[Zone], conduits: list[Conduit]) -> dict[str, Any]:
    scope = ", ".join([z.name for z in zones] + [c.name for c in conduits]) or "nothing yet"
    return {
        "uuid": ids.plan(assessment.pk),
        "title": f"Assessment plan of {assessment.title}",
        "description": (
            f"Gap assessment of {assessment.site.name} against {assessment.catalogue.edition} "
            f"(catalogue data {assessment.catalogue.version}). In scope: {scope}."
        ),
        "props": [prop("assessment-id", assessment.pk), prop("catalogue-version", assessment.catalogue.version)],
        "rlinks": [{"href": assessment.get_absolute_url(), "media-type": "text/html"}],
    }


def _observation(result: Result, component: str, evidence: list[uuid.UUID], labels: dict[uuid.UUID, str]) -> Any:
    status = ResultStatus(result.status)
    observation: dict[str, Any] = {
        "uuid": ids.observation(result.pk),
        "title": f"{result.requirement.ref}: {status.label}",
        "description": result.observations.strip() or f"{status.label}; no observations recorded.",
        "props": [
            prop("control-id", control_id(result.requirement.ref)),
            prop("result-status", status.value),
            prop("result-id", result.pk),
            prop("result-version", result.version),
        ],
        # Zonewise does not record how an item was assessed (examined, interviewed, tested).
        "methods": ["UNKNOWN"],
        "types": ["control-objective"],
        "subjects": [{"subject-uuid": component, "type": "component"}],
        "collected": timestamp(result.updated_at),
    }
    if evidence:
        observation["relevant-evidence"] = [
            {"href": f"#{ids.evidence(pk)}", "description": labels[pk]} for pk in sorted(evidence, key=str)
        ]
    remarks = []
    if result.countermeasure.strip():
        remarks.append(f"Compensating countermeasure: {result.countermeasure.strip()}")
    if result.justification.strip():
        remarks.append(f"Not applicable because: {result.justification.strip()}")
    if remarks:
        observation["remarks"] = "\n\n".join(remarks)
    return observation


def _finding(result: Result, raised: list[Finding]) -> dict[str, Any]:
    status = ResultStatus(result.status)
    item = result.requirement
    finding: dict[str, Any] = {
        "uuid": ids.finding(result.pk),
        "title": f"{item.ref} {item.title}: {status.label.lower()} on {result.target.name}",
        "description": result.observations.strip() or f"{item.ref} is {status.label.lower()}.",
        "props": [prop("result-status", status.value)]
        + [prop("remediation-finding-id", f.pk) for f in raised]
        + [prop("severity", f.severity) for f in raised[:1]],
        # Our catalog has no separate objectives: the target is the item's control itself.
        "target": {
            "type": "objective-id",
            "target-id": control_id(item.ref),
            "status": {"state": "not-satisfied"},
        },
        "related-observations": [{"observation-uuid": ids.observation(result.pk)}],
    }
    if raised:
        finding["remarks"] = "Remediation: " + "; ".join(f"{f.title} ({f.get_status_display()})" for f in raised)
    return finding


def _result(
    assessment: Assessment,
    target: Zone | Conduit,
    kind: str,
    standing: TargetSummary | None,
    results: list[Result],
    evidence_of: dict[uuid.UUID, list[uuid.UUID]],
    labels: dict[uuid.UUID, str],
    raised_of: dict[uuid.UUID, list[Finding]],
) -> dict[str, Any]:
    component = ids.component(target.pk)
    started = assessment.actual_start or assessment.planned_start
    props = [prop("target-kind", kind), prop("target-id", target.pk)]
    if standing is not None:
        props += [
            prop("sl-target", standing.standing.target),
            prop("sl-achieved", standing.standing.achieved),
            prop("sl-gap", standing.standing.gap),
        ]
    oscal: dict[str, Any] = {
        "uuid": ids.result(assessment.pk, target.pk),
        "title": f"{TargetKind(kind).label} {target.name}",
        "description": f"Results of {assessment.title} for the {kind} {target.name}, one per item in scope.",
        "start": day(started) if started else timestamp(assessment.created),
        "props": props,
        "local-definitions": {
            "components": [
                {
                    "uuid": component,
                    # OSCAL's own component types: a zone is a system, a conduit an interconnection.
                    "type": "system" if kind == TargetKind.ZONE else "interconnection",
                    "title": target.name,
                    "description": target.description.strip() or f"The {kind} {target.name}.",
                    "props": [prop("target-id", target.pk)],
                    "status": {"state": "operational"},
                }
            ]
        },
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": control_id(r.requirement.ref)} for r in results]}
            ]
        },
    }
    if assessment.actual_end:
        oscal["end"] = day(assessment.actual_end)
    observations = [
        _observation(r, component, evidence_of.get(r.pk, []), labels)
        for r in results
        if r.status != ResultStatus.NOT_ASSESSED
    ]
    if observations:
        oscal["observations"] = observations
    findings = [_finding(r, raised_of.get(r.pk, [])) for r in results if r.status in GAP_STATUSES]
    if findings:
        oscal["findings"] = findings
    return oscal


def assessment_results_document(assessment: Assessment) -> dict[str, Any]:
    """The OSCAL assessment-results document of an assessment, validated by trestle's model."""
    zones, conduits = scope_targets(assessment)
    by_target: dict[uuid.UUID, list[Result]] = defaultdict(list)
    results = (
        Result.objects.filter(assessment=assessment, in_scope=True)
        .select_related("requirement", "zone", "conduit")
        .order_by("requirement__position")
    )
    for r in results:
        by_target[r.target_id].append(r)
    links = Evidence.results.through.objects.filter(result__assessment=assessment)
    evidence_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for result_id, evidence_id in links.values_list("result_id", "evidence_id"):
        evidence_of[result_id].append(evidence_id)
    evidence = list(assessment_evidence(assessment).order_by("added_at", "pk"))
    labels = {e.pk: e.filename or e.reference for e in evidence}
    raised_of: dict[uuid.UUID, list[Finding]] = defaultdict(list)
    raised = Finding.results.through.objects.filter(result__assessment=assessment).select_related("finding")
    for link in raised.order_by("finding__identified", "finding__title"):
        raised_of[link.result_id].append(link.finding)
    standings = {t.id: t for t in summary(assessment).targets}
    oscal_results = [
        _result(
            assessment, target, kind, standings.get(target.pk), by_target[target.pk], evidence_of, labels, raised_of
        )
        for kind, targets in ((TargetKind.ZONE, zones), (TargetKind.CONDUIT, conduits))
        for target in targets
        if by_target[target.pk]  # a target whose SL-T requires no item has no controls to review
    ]
    if not oscal_results:
        raise EmptyExport("No zone or conduit in scope has an item to assess, so there are no results to export.")
    changed = Result.objects.filter(assessment=assessment).aggregate(last=Max("updated_at"))["last"]
    last_modified: datetime = max(filter(None, [changed, assessment.created]))
    metadata = {
        "title": f"Assessment results: {assessment.title} ({assessment.site.name})",
        "last-modified": timestamp(last_modified),
        "version": str(assessment.version),
        "oscal-version": OSCAL_VERSION,
        "props": [
            prop("assessment-id", assessment.pk),
            prop("assessment-status", assessment.status),
            prop("catalogue-version", assessment.catalogue.version),
        ],
    }
    document = {
        "uuid": ids.document("assessment-results", assessment.pk),
        "metadata": metadata,
        "import-ap": {
            "href": f"#{ids.plan(assessment.pk)}",
            "remarks": "Zonewise keeps no plan apart from the assessment; this resource describes its scope.",
        },
        "results": oscal_results,
        "back-matter": {
            "resources": [_plan_resource(assessment, zones, conduits)] + [_evidence_resource(e) for e in evidence]
        },
    }
    return {"assessment-results": validated("assessment-results", document)}


def write_assessment_results(assessment: Assessment, out: BinaryIO) -> None:
    """Write the assessment's OSCAL assessment results as JSON to `out`."""
    write_json(assessment_results_document(assessment), out)
