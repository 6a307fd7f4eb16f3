"""The OSCAL exports: assessment results and the plan of action and milestones parse with compliance-trestle's
models, link what they say to the catalogue's control ids and to each other, keep their UUIDs from one
export to the next, and run as report jobs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.poam import PlanOfActionAndMilestones

from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Result
from compliance.oscal import PROP_NS
from remediation import services as remediation
from remediation.models import Finding
from reports import services as report_services
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from reports.oscal.assessment_results import assessment_results_document
from reports.oscal.poam import poam_document
from tests.conftest import Personas
from tests.reports.helpers import Sample

pytestmark = pytest.mark.django_db


def ours(node: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in node.get("props", []) if p["name"] == name and p.get("ns") == PROP_NS]


def uuids(node: Any) -> set[str]:
    """Every "uuid" value anywhere in a document."""
    if isinstance(node, dict):
        found = {node["uuid"]} if isinstance(node.get("uuid"), str) else set()
        return found.union(*(uuids(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(uuids(v) for v in node))
    return set()


@pytest.fixture
def findings(sample: Sample, personas: Personas) -> list[Finding]:
    remediation.findings_generate(assessment=sample.assessment, by=personas.consultant, allow_unreviewed=True)
    return list(Finding.objects.filter(assessment=sample.assessment))


def test_assessment_results_validate_and_link_findings_observations_and_evidence(
    sample: Sample, findings: list[Finding]
) -> None:
    body = assessment_results_document(sample.assessment)["assessment-results"]
    AssessmentResults.model_validate(body)  # raises unless it is valid OSCAL
    assert body["metadata"]["oscal-version"].startswith("1.1.")
    targets = body["results"]  # one result per zone and conduit, zones first
    assert [r["title"].split(" ")[0] for r in targets] == ["Zone", "Zone", "Conduit"]
    assert [ours(r, "target-kind") for r in targets] == [["zone"], ["zone"], ["conduit"]]
    zone1 = targets[0]
    # The not-met item is a finding on its control, pointing at its observation and at the remediation finding.
    (finding,) = zone1["findings"]
    assert finding["target"] == {
        "type": "objective-id",
        "target-id": "sr-2.1",
        "status": {"state": "not-satisfied"},
    }
    observations = {o["uuid"]: o for o in zone1["observations"]}
    observed = observations[finding["related-observations"][0]["observation-uuid"]]
    assert ours(observed, "control-id") == ["sr-2.1"] and ours(observed, "result-status") == ["not_met"]
    assert ours(finding, "remediation-finding-id") == [
        str(f.pk) for f in findings if f.requirement and f.requirement.ref == "SR 2.1"
    ]
    # Evidence: a back-matter resource with the file's SHA-256, referenced from the observation.
    resources = {r["uuid"]: r for r in body["back-matter"]["resources"]}
    (evidence_ref,) = observed["relevant-evidence"]
    resource = resources[evidence_ref["href"].removeprefix("#")]
    assert resource["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": sample.evidence.sha256}]
    assert len(sample.evidence.sha256) == 64
    assert body["import-ap"]["href"].removeprefix("#") in resources  # the plan the schema requires
    # Reviewed controls are the target's in-scope items; observations only the assessed ones.
    in_scope = Result.objects.filter(assessment=sample.assessment, zone__name="Zone 1", in_scope=True)
    selected = zone1["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert len(selected) == in_scope.count()
    assert len(observations) == in_scope.exclude(status=ResultStatus.NOT_ASSESSED).count()
    assert ours(zone1, "sl-target") == ["{1,1,1,1,1,1,1}"]


def test_round_trip_every_observation_says_its_results_status(sample: Sample) -> None:
    body = assessment_results_document(sample.assessment)["assessment-results"]
    parsed = AssessmentResults.model_validate(body)
    said = {
        ours(o.model_dump(by_alias=True, exclude_none=True, mode="json"), "result-id")[0]: ours(
            o.model_dump(by_alias=True, exclude_none=True, mode="json"), "result-status"
        )[0]
        for r in parsed.results
        for o in r.observations or []
    }
    stored = dict(
        Result.objects.filter(assessment=sample.assessment, in_scope=True)
        .exclude(status=ResultStatus.NOT_ASSESSED)
        .values_list("pk", "status")
    )
    assert said == {str(pk): status for pk, status in stored.items()}


def test_uuids_are_stable_across_exports_and_edits(sample: Sample, personas: Personas) -> None:
    first = assessment_results_document(sample.assessment)
    assert assessment_results_document(sample.assessment) == first  # nothing changed: the same document
    services.result_update(
        result=sample.not_met, by=personas.consultant, fields={"observations": "Fixed wording, same finding."}
    )
    second = assessment_results_document(sample.assessment)
    assert second != first
    assert uuids(second) == uuids(first)  # same objects, same UUIDs (only text changed)
    assert len(uuids(first)) > 10


def poam_sample(sample: Sample, personas: Personas, findings: list[Finding]) -> Any:
    return remediation.action_create(
        site=personas.site,
        by=personas.consultant,
        fields={
            "title": "Replace shared operator accounts",
            "planned_start": date(2027, 1, 10),
            "due_date": date(2027, 3, 31),
        },
        findings=findings,
    )


def test_poam_validates_with_milestones_and_related_findings(
    sample: Sample, personas: Personas, findings: list[Finding]
) -> None:
    action = poam_sample(sample, personas, findings)
    body = poam_document(personas.site)["plan-of-action-and-milestones"]
    PlanOfActionAndMilestones.model_validate(body)
    (item,) = body["poam-items"]
    assert item["title"] == action.title
    finding_uuids = {f["uuid"] for f in body["findings"]}
    assert {r["finding-uuid"] for r in item["related-findings"]} == finding_uuids
    assert len(finding_uuids) == len(findings)
    (risk,) = body["risks"]
    assert item["related-risks"] == [{"risk-uuid": risk["uuid"]}]
    tasks = risk["remediations"][0]["tasks"]
    assert [(t["type"], t["title"], t["timing"]["on-date"]["date"][:10]) for t in tasks] == [
        ("milestone", "Planned start", "2027-01-10"),
        ("milestone", "Due", "2027-03-31"),
    ]
    assert poam_document(personas.site)["plan-of-action-and-milestones"]["uuid"] == body["uuid"]
    assert uuids(poam_document(personas.site)) == uuids(body)


def test_both_kinds_run_as_report_jobs(
    sample: Sample, personas: Personas, findings: list[Finding], django_capture_on_commit_callbacks: Any
) -> None:
    poam_sample(sample, personas, findings)
    with django_capture_on_commit_callbacks(execute=True):
        results_job = report_services.report_request(
            kind=ReportKind.OSCAL_ASSESSMENT_RESULTS, by=personas.auditor, assessment=sample.assessment
        )
        poam_job = report_services.report_request(kind=ReportKind.OSCAL_POAM, by=personas.auditor, site=personas.site)
    for job, model, key in (
        (results_job, AssessmentResults, "assessment-results"),
        (poam_job, PlanOfActionAndMilestones, "plan-of-action-and-milestones"),
    ):
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert job.content_type == "application/json" and job.filename.endswith(".json")
        model.model_validate(json.loads(job.file.read())[key])


def test_a_site_without_actions_gets_a_clear_failure(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.report_request(kind=ReportKind.OSCAL_POAM, by=personas.consultant, site=personas.site)
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert "no remediation actions" in job.error


def test_a_carried_forward_assessment_exports_the_evidence_it_carried(sample: Sample, personas: Personas) -> None:
    """Carry forward links the earlier assessment's evidence rows to the new results (decision 0026): the OSCAL
    resources, the gap report's evidence index and the bundle's list must hold them too (a KeyError before)."""
    from assessments.selectors import assessment_evidence
    from reports.pdf.gap_data import gap_report

    new = services.assessment_create(
        site=sample.assessment.site, title="Next year", by=personas.consultant, previous=sample.assessment
    )
    assert set(assessment_evidence(new)) == {sample.evidence, sample.reference}
    body = assessment_results_document(new)["assessment-results"]
    AssessmentResults.model_validate(body)
    resources = body["back-matter"]["resources"]
    hashes = [h["value"] for r in resources for link in r.get("rlinks", []) for h in link.get("hashes", [])]
    assert sample.evidence.sha256 in hashes
    assert {row.label for row in gap_report(new).evidence} == {"E1", "E2"}
