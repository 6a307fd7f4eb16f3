"""/api/v1/reports/: every persona requests, reads, downloads and retries; outsiders see nothing."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from tests.conftest import PERSONA_NAMES, Personas, api_as
from tests.reports.helpers import make_job

# Permissions and plumbing: no test here needs a real render (seconds each); the real PDFs are checked in
# test_gap_pdf.py and test_roadmap_pdf.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("light_pdf")]
URL = "/api/v1/reports/"


def post_eagerly(client: Any, capture: Any, body: dict[str, str]) -> Any:
    """POST a report request, running what it enqueues on commit: Celery runs eagerly in tests, so the
    job is done by the time the response is read."""
    with capture(execute=True):
        return client.post(URL, body, format="json")


def succeeded(client: Any, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The job a 202 response announced, read back (it must have succeeded), and its download."""
    job: dict[str, Any] = client.get(body["links"]["self"]).json()
    assert job["status"] == "succeeded", job["error"]
    download = client.get(job["links"]["download"])
    assert download.status_code == 200
    return job, download


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_member_may_request_a_gap_report_an_outsider_may_not(
    sample: Any, personas: Personas, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_as(personas.by_name(name))
    wanted = {"kind": "gap_assessment", "assessment": str(sample.assessment.pk)}
    response = post_eagerly(client, django_capture_on_commit_callbacks, wanted)
    if name == "outsider":  # another organization's assessment does not exist for them
        assert response.status_code == 400
        assert "does not exist" in str(response.json()["assessment"])
        assert not ReportJob.objects.exists()
        return
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["links"]["self"]
    assert body["kind"] == "gap_assessment" and body["assessment"] == str(sample.assessment.pk)
    assert body["requested_by"]["name"] == str(personas.by_name(name))
    job, download = succeeded(client, body)
    assert job["progress"] == 100
    assert job["output"]["content_type"] == "application/pdf" and job["output"]["pages"] >= 10
    data = download.getvalue()
    assert data.startswith(b"%PDF-")
    assert download["X-Checksum-SHA256"] == hashlib.sha256(data).hexdigest() == job["output"]["sha256"]
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_jobs_are_read_through_the_door(sample: Any, personas: Personas, name: str) -> None:
    job = make_job(sample, personas)
    client = api_as(personas.by_name(name))
    listed = client.get(URL).json()["results"]
    detail = client.get(f"{URL}{job.pk}/")
    download = client.get(f"{URL}{job.pk}/download/")
    retry = client.post(f"{URL}{job.pk}/retry/")
    if name == "outsider":
        assert listed == []
        assert detail.status_code == download.status_code == retry.status_code == 404
    else:
        assert [j["id"] for j in listed] == [str(job.pk)]
        assert detail.status_code == 200 and detail.json()["status"] == "queued"
        assert detail.json()["output"] is None and detail.json()["links"]["download"] is None
        assert download.status_code == 409 and "queued" in download.json()["detail"]
        assert retry.status_code == 400 and "Only a failed report" in str(retry.json())


@pytest.mark.parametrize("name", ["auditor", "owner"])
def test_a_failed_job_is_explained_and_retried_through_the_api(
    sample: Any, personas: Personas, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(sample, personas, status=JobStatus.FAILED, error="The worker stopped", attempts=1)
    client = api_as(personas.by_name(name))
    body = client.get(f"{URL}{job.pk}/").json()
    assert body["status"] == "failed" and body["error"] == "The worker stopped"
    assert body["links"]["retry"].endswith(f"{URL}{job.pk}/retry/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(body["links"]["retry"])
    assert response.status_code == 202
    assert client.get(f"{URL}{job.pk}/").json()["status"] == "succeeded"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "poster"}, "kind", "is not a report kind"),
        ({"kind": "roadmap"}, "site", "made from a site"),
        ({"kind": "gap_assessment"}, "assessment", "made from an assessment"),
        ({"kind": "results_csv", "assessment": "not-a-uuid"}, "assessment", ""),
        ({"kind": "results_csv", "assessment": str(uuid.uuid4())}, "assessment", "does not exist"),
    ],
)
def test_bad_requests_are_400_with_field_errors(
    sample: Any, personas: Personas, body: dict[str, str], field: str, message: str
) -> None:
    if body["kind"] == "roadmap":  # an assessment given instead of the site
        body = {**body, "assessment": str(sample.assessment.pk)}
    response = api_as(personas.consultant).post(URL, body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("name", ["auditor", "owner"])
def test_a_roadmap_of_a_site_is_accepted_and_rendered(
    sample: Any, personas: Personas, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_as(personas.by_name(name))
    response = post_eagerly(
        client, django_capture_on_commit_callbacks, {"kind": "roadmap", "site": str(personas.site.pk)}
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "roadmap" and body["site"] == str(personas.site.pk) and body["assessment"] is None
    assert body["target"] == "Site A"
    job, download = succeeded(client, body)
    assert job["output"]["content_type"] == "application/pdf" and job["output"]["pages"] >= 8
    assert job["output"]["filename"].startswith("site-a-roadmap-")
    assert download.getvalue().startswith(b"%PDF-")
    assert download["X-Checksum-SHA256"] == job["output"]["sha256"]


def test_another_organizations_site_does_not_exist(sample: Any, personas: Personas) -> None:
    # As for an assessment (above): an id outside the caller's scope is a field error, like a made-up one.
    response = api_as(personas.consultant).post(
        URL, {"kind": "roadmap", "site": str(personas.other_site.pk)}, format="json"
    )
    assert response.status_code == 400 and "does not exist" in str(response.json()["site"])
    assert not ReportJob.objects.exists()


def test_unknown_fields_are_refused(sample: Any, personas: Personas) -> None:
    response = api_as(personas.consultant).post(
        URL, {"kind": "gap_assessment", "assessment": str(sample.assessment.pk), "format": "pdf"}, format="json"
    )
    assert response.status_code == 400 and "Unknown fields: format" in str(response.json())


def test_list_filters_and_query_count(sample: Any, personas: Personas) -> None:
    client = api_as(personas.auditor)
    make_job(sample, personas)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for kind in (ReportKind.RESULTS_CSV, ReportKind.EVIDENCE_BUNDLE, ReportKind.RESULTS_XLSX):
        make_job(sample, personas, kind=kind, status=JobStatus.FAILED)
    with CaptureQueriesContext(connection) as four:
        rows = client.get(URL).json()["results"]
    assert len(rows) == 4 and len(four) == len(one)
    assert {r["kind"] for r in client.get(URL, {"status": "failed"}).json()["results"]} == {
        "results_csv", "evidence_bundle", "results_xlsx",
    }  # fmt: skip
    assert [r["kind"] for r in client.get(URL, {"kind": "results_csv"}).json()["results"]] == ["results_csv"]
    assert client.get(URL, {"assessment": str(uuid.uuid4())}).json()["results"] == []
    bad = client.get(URL, {"kind": "poster"})
    assert bad.status_code == 400 and "poster is not a valid report kind" in str(bad.json())


def test_openapi_schema_documents_the_reports_endpoints(personas: Personas) -> None:
    response = api_as(personas.owner).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/reports/", "/api/v1/reports/{id}/", "/api/v1/reports/{id}/download/"} <= set(paths)
    assert "202" in paths["/api/v1/reports/"]["post"]["responses"]
