"""The cybersecurity requirements specification (kind crs) of a risk assessment: a real PDF read back with pypdf
(sections, proposed levels and their reasons, contents, bookmarks, page numbers), and requesting it from the API
and the pages through the same door as the other reports (VIEW on the site; other organizations' do not exist)."""

from __future__ import annotations

from typing import Any

import pytest

from reports import services
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from reports.pdf import crs as crs_pdf
from reports.pdf.crs import render_crs
from reports.runner import report_run
from risk import services as risk_services
from risk.choices import RiskStatus
from risk.models import RiskAssessment
from tests.conftest import PERSONA_NAMES, Personas, api_as
from tests.reports.helpers import check_running_header, outline_titles, pdf_text, squash
from tests.reports.member_requests import light_render, request_as
from tests.risk.helpers import LOW, assessment, scenario, source
from tests.zones.plant import Plant, small_plant

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


def small_risk_assessment(personas: Personas) -> tuple[Plant, RiskAssessment]:
    """Two zones and a conduit: the control zone faces a cybercriminal group on FR1 and FR5 and an insider on
    everything; the DMZ only a tolerable scenario; approved by the asset owner."""
    plant = small_plant(personas.site)
    ra = assessment(personas.site, title="Plant risk 2026", regulatory="Drinking water regulations apply.")
    crime, insider = source(personas.org, "Cybercriminal group"), source(personas.org, "Disgruntled insider")
    scenario(ra, plant.control, crime, title="Ransomware reaches the PLCs", frs=["FR1", "FR5"])
    scenario(ra, plant.control, insider, title="Insider changes PLC logic", residual_likelihood=1)
    scenario(ra, plant.dmz, insider, title="Insider copies historian data", consequence=LOW, likelihood=1)
    ra = risk_services.risk_assessment_update(assessment=ra, by=personas.consultant, fields={"status": "in_review"})
    ra = risk_services.risk_assessment_update(assessment=ra, by=personas.owner, fields={"status": "approved"})
    return plant, ra


@pytest.mark.xdist_group("gap_pdf")
def test_the_crs_pdf_holds_every_section_and_the_proposed_levels(personas: Personas) -> None:
    plant, ra = small_risk_assessment(personas)
    pdf = render_crs(RiskAssessment.objects.select_related("site__organization").get(pk=ra.pk))
    reader, pages = pdf_text(pdf.data)
    assert pdf.pages == len(reader.pages) >= 9
    text = squash(" ".join(pages))
    cover = squash(pages[0])
    for fact in ("Plant risk 2026", "Site A", "Org A", "Approved", "Revision 1", "by persona-owner"):
        assert fact.lower() in cover.lower(), fact
    headings = ["1 Summary", "2 System under consideration", "3 Zones and conduits",
                "4 Operating and threat environment", "5 Tolerable risk and the risk matrix",
                "6 Regulatory requirements", "7 Target security levels", "8 Approval"]  # fmt: skip
    for heading in headings:
        assert heading in text, heading
    # The proposal: the control zone at 3 on FR1 and FR5 (the criminals), 2 elsewhere (the insider); the DMZ,
    # whose only scenario is tolerable, at the baseline 1.
    assert "{3,2,2,2,3,2,2}" in text and "{1,1,1,1,1,1,1}" in text
    assert "Ransomware reaches the PLCs (Cybercriminal group, SL 3)" in text
    assert "Baseline SL 1: no scenario above tolerable risk names" in text
    assert "Drinking water regulations apply." in text and "The control system of the plant" in text
    assert "Nation-state actor" in text and "Ranks up to 2 are tolerable" in text
    assert "DMZ-Control" in text and "approved in Zonewise" in text
    # Contents, bookmarks (a chapter per heading, a zone or conduit under 7) and "Page x of y".
    bookmarks = outline_titles(reader)
    assert [title for depth, title in bookmarks if depth == 0][1:] == headings
    assert (1, "7.1 zone Control") in bookmarks and (1, "7.3 conduit DMZ-Control") in bookmarks
    check_running_header(pages, "Cybersecurity requirements specification", "Org A")
    assert abs(crs_pdf.expected_pages(crs_pdf.crs_report(ra)) - pdf.pages) <= 4  # the progress bar's estimate
    assert plant.control.name in text


@pytest.fixture
def light_crs(monkeypatch: pytest.MonkeyPatch, light_pdf: list[str]) -> list[str]:
    """The CRS laid out as blank pages (tests.reports.conftest.light_pdf): the real PDF is checked above."""
    return light_render(monkeypatch, crs_pdf, light_pdf)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_member_may_request_a_crs_an_outsider_may_not(
    personas: Personas, name: str, django_capture_on_commit_callbacks: Any, light_crs: list[str]
) -> None:
    _, ra = small_risk_assessment(personas)
    request = {"kind": "crs", "risk_assessment": str(ra.pk)}
    answer = request_as(personas, name, request, django_capture_on_commit_callbacks, scope_field="risk_assessment")
    if answer is None:
        return
    client, body = answer
    assert (body["kind"], body["risk_assessment"], body["site"], body["assessment"]) == (
        "crs", str(ra.pk), str(personas.site.pk), None
    )  # fmt: skip
    assert body["target"] == "Plant risk 2026"
    job = client.get(body["links"]["self"]).json()
    assert job["status"] == "succeeded", job["error"]
    assert job["output"]["filename"].startswith("site-a-requirements-specification-")
    assert "Ransomware reaches the PLCs" in light_crs[-1]


def test_bad_crs_requests_are_400(personas: Personas) -> None:
    _, ra = small_risk_assessment(personas)
    other = assessment(personas.other_site)
    client = api_as(personas.consultant)
    missing = client.post(URL, {"kind": "crs"}, format="json")
    assert missing.status_code == 400 and "risk assessment" in str(missing.json())
    foreign = client.post(URL, {"kind": "crs", "risk_assessment": str(other.pk)}, format="json")
    assert foreign.status_code == 400 and "does not exist" in str(foreign.json()["risk_assessment"])
    wrong_site = client.post(
        URL, {"kind": "crs", "risk_assessment": str(ra.pk), "site": str(personas.other_site.pk)}, format="json"
    )
    assert wrong_site.status_code == 400
    assert not ReportJob.objects.exists()


def test_the_page_requests_a_crs_and_a_failed_target_is_explained(
    client: Any, personas: Personas, django_capture_on_commit_callbacks: Any, light_crs: list[str]
) -> None:
    _, ra = small_risk_assessment(personas)
    client.force_login(personas.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/request/", {"kind": "crs", "risk_assessment": str(ra.pk)})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.risk_assessment_id, job.status) == (ReportKind.CRS, ra.pk, JobStatus.SUCCEEDED)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Cybersecurity requirements specification" in page and "Plant risk 2026" in page
    # The job says what it is of: a link to the risk assessment, not the site's roadmap.
    assert f'href="{ra.get_absolute_url()}"' in page and "site's roadmap" not in page
    assert f'href="{ra.get_absolute_url()}"' in client.get("/reports/").content.decode()
    # A draft is reported too (marked as such); a risk assessment deleted meanwhile fails with a reason.
    draft = risk_services.risk_assessment_update(assessment=ra, by=personas.consultant, fields={"status": "draft"})
    assert draft.status == RiskStatus.DRAFT
    queued = services.report_request(kind=ReportKind.CRS, by=personas.auditor, risk_assessment=draft)
    ReportJob.objects.filter(pk=queued.pk).update(risk_assessment=None)
    failed = report_run(job_id=str(queued.pk))
    assert failed is not None and failed.status == JobStatus.FAILED and "no longer exists" in failed.error
