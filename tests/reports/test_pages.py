"""Report pages: the list with filters, one report's live status and download, requests from the buttons."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from reports.templatetags.reports_tags import ASSESSMENT_BUTTONS
from tests.conftest import PERSONA_NAMES, Personas
from tests.reports.helpers import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture(params=PERSONA_NAMES)
def name(request: pytest.FixtureRequest, client: Any, personas: Personas) -> str:
    """Each persona in turn, logged in to `client`."""
    persona: str = request.param
    client.force_login(personas.by_name(persona))
    return persona


def press_request_button(client: Any, capture: Any, data: dict[str, str]) -> Any:
    """POST what a report button posts, running what it enqueues on commit (Celery runs eagerly in tests,
    so the job is done when the response comes back)."""
    with capture(execute=True):
        return client.post("/reports/request/", data)


def test_pages_are_readable_by_members_and_404_for_outsiders(
    client: Any, sample: Any, personas: Personas, name: str
) -> None:
    job = make_job(sample, personas, status=JobStatus.FAILED, error="Boom")
    listed = client.get("/reports/")
    assert listed.status_code == 200
    assert (str(job.pk) in listed.content.decode()) == (name != "outsider")
    expected = 404 if name == "outsider" else 200
    for url in (f"/reports/{job.pk}/", f"/reports/{job.pk}/status/"):
        assert client.get(url).status_code == expected, url
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404  # failed: nothing to download
    retried = client.post(f"/reports/{job.pk}/retry/")
    assert retried.status_code == (404 if name == "outsider" else 302)


@pytest.mark.usefixtures("light_pdf")  # permissions and plumbing: no real render needed
def test_the_buttons_request_a_report_for_every_member(
    client: Any, sample: Any, personas: Personas, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    data = {"kind": ReportKind.GAP_ASSESSMENT, "assessment": str(sample.assessment.pk)}
    response = press_request_button(client, django_capture_on_commit_callbacks, data)
    if name == "outsider":
        assert response.status_code == 404 and not ReportJob.objects.exists()
        return
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Gap assessment (PDF) requested" in page
    assert job.status == JobStatus.SUCCEEDED
    assert f'href="/reports/{job.pk}/download/"' in page
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200 and download.getvalue().startswith(b"%PDF-")


@pytest.mark.usefixtures("light_pdf")  # permissions and plumbing: no real render needed
def test_the_roadmap_button_requests_a_report_of_the_site(
    client: Any, sample: Any, personas: Personas, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    response = press_request_button(
        client, django_capture_on_commit_callbacks, {"kind": ReportKind.ROADMAP, "site": str(personas.site.pk)}
    )
    if name == "outsider":  # another organization's site does not exist for them
        assert response.status_code == 404 and not ReportJob.objects.exists()
        return
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{job.pk}/"
    assert (job.kind, job.site, job.assessment, job.status) == ("roadmap", personas.site, None, JobStatus.SUCCEEDED)
    page = client.get(response["Location"]).content.decode()
    assert "Remediation roadmap (PDF) requested" in page
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200 and download.getvalue().startswith(b"%PDF-")
    # Back on the roadmap page, the latest roadmap report is there to download.
    roadmap = client.get(f"/roadmap/?site={personas.site.pk}").content.decode()
    assert 'name="kind" value="roadmap"' in roadmap and f'name="site" value="{personas.site.pk}"' in roadmap
    assert 'name="kind" value="oscal_poam"' in roadmap  # the same actions for GRC tools (tests/reports/test_oscal.py)
    assert f'href="/reports/{job.pk}/download/"' in roadmap


def test_another_organizations_site_is_404_and_an_assessment_is_not_a_site(
    client: Any, sample: Any, personas: Personas
) -> None:
    client.force_login(personas.consultant)
    other = client.post("/reports/request/", {"kind": ReportKind.ROADMAP, "site": str(personas.other_site.pk)})
    assert other.status_code == 404
    wrong = client.post(
        "/reports/request/", {"kind": ReportKind.ROADMAP, "assessment": str(sample.assessment.pk)}, follow=True
    )
    assert wrong.redirect_chain[0] == (sample.assessment.get_absolute_url(), 302)
    assert "made from a site" in wrong.content.decode()
    assert not ReportJob.objects.exists()


def test_the_roadmap_page_lists_only_its_sites_roadmap_reports(client: Any, sample: Any, personas: Personas) -> None:
    gap = make_job(sample, personas)
    roadmap = make_job(sample, personas, kind=ReportKind.ROADMAP, assessment=None)
    elsewhere = ReportJob.objects.create(
        kind=ReportKind.ROADMAP, site=personas.other_site, requested_by=personas.outsider, run_token=uuid.uuid4()
    )
    client.force_login(personas.auditor)
    page = client.get(f"/roadmap/?site={personas.site.pk}").content.decode()
    assert f"/reports/{roadmap.pk}/" in page
    assert f"/reports/{gap.pk}/" not in page and f"/reports/{elsewhere.pk}/" not in page
    assert 'href="/reports/?kind=roadmap"' in page


def test_the_status_panel_polls_until_the_job_is_done(client: Any, sample: Any, personas: Personas) -> None:
    client.force_login(personas.auditor)
    job = make_job(sample, personas, status=JobStatus.RUNNING, progress=42, stage="Laying out page 12")
    running = client.get(f"/reports/{job.pk}/status/").content.decode()
    assert f'hx-get="/reports/{job.pk}/status/"' in running and 'hx-trigger="every 1s"' in running
    assert "Laying out page 12" in running and 'value="42"' in running
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="The worker stopped while rendering.")
    failed = client.get(f"/reports/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in failed
    assert "The worker stopped while rendering." in failed
    assert f'action="/reports/{job.pk}/retry/"' in failed


def test_the_detail_page_shows_the_file_facts(client: Any, sample: Any, personas: Personas) -> None:
    client.force_login(personas.owner)
    job = make_job(sample, personas)
    job.file.save("site-a-gap-assessment.pdf", __import__("io").BytesIO(b"%PDF-1.7 x"), save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, file=job.file.name, filename="site-a-gap-assessment.pdf", size=10,
        sha256="ab" * 32, pages=14, content_type="application/pdf", progress=100,
    )  # fmt: skip
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert "Download site-a-gap-assessment.pdf" in page
    assert "ab" * 32 in page and "14 pages" in page
    assert "hx-trigger" not in page


def test_list_filters_and_constant_queries(client: Any, sample: Any, personas: Personas) -> None:
    client.force_login(personas.consultant)
    make_job(sample, personas)
    with CaptureQueriesContext(connection) as one:
        client.get("/reports/")
    for kind in (ReportKind.RESULTS_CSV, ReportKind.EVIDENCE_BUNDLE, ReportKind.RESULTS_XLSX):
        make_job(sample, personas, kind=kind, status=JobStatus.FAILED, requested_by=personas.owner)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/reports/").content.decode()
    assert page.count('class="badge job-badge') == 4
    assert len(four) == len(one)
    failed = client.get("/reports/", {"status": "failed"}).content.decode()
    assert failed.count('class="badge job-badge') == 3
    mine = client.get("/reports/", {"mine": "on"}).content.decode()
    assert mine.count('class="badge job-badge') == 1
    csv = client.get("/reports/", {"kind": "results_csv", "assessment": str(sample.assessment.pk)}).content.decode()
    assert csv.count('class="badge job-badge') == 1
    none = client.get("/reports/", {"kind": "gap_assessment", "status": "failed"}).content.decode()
    assert "No report matches these filters." in none


def test_request_buttons_include_offers_every_kind_and_the_latest_jobs(sample: Any, personas: Personas) -> None:
    job = make_job(sample, personas, status=JobStatus.FAILED)
    request = RequestFactory().get("/")
    request.user = personas.auditor
    html = Template('{% include "reports/_request_buttons.html" %}').render(
        Context({"assessment": sample.assessment, "request": request, "csrf_token": "t"})
    )
    for kind in ("gap_assessment", "gap_assessment_docx", "evidence_bundle", "results_xlsx", "results_csv"):
        assert f'name="kind" value="{kind}"' in html
    assert html.count(f'name="assessment" value="{sample.assessment.pk}"') == len(ASSESSMENT_BUTTONS)
    assert f'href="/reports/{job.pk}/"' in html and "Failed" in html
    request.user = personas.outsider
    hidden = Template('{% include "reports/_request_buttons.html" %}').render(
        Context({"assessment": sample.assessment, "request": request})
    )
    assert f"/reports/{job.pk}/" not in hidden
