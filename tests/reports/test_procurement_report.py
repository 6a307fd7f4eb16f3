"""The procurement requirements PDF (kind procurement) of a zone: one real PDF read back with pypdf (cover, how to
read, a chapter per component type with its counts and item tables, notes, contents, bookmarks, page numbers),
and requesting it from the API and the zone page through the same door as the other reports."""

from __future__ import annotations

from typing import Any

import pytest

from components.procurement import job_procurement, procurement_for
from components.requirements import component_catalogue_items
from reports import services
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from reports.pdf import procurement as procurement_pdf
from reports.runner import report_run
from tests.conftest import PERSONA_NAMES, Personas, api_as
from tests.factories import SiteFactory
from tests.reports.helpers import check_contents, check_running_header, outline_titles, pdf_text, squash
from tests.reports.member_requests import light_render, request_as
from tests.zones.plant import make_zone
from zones.models import Zone

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"
PURCHASE = "Replace the RTUs in pump station 3"


def pump_station(personas: Personas) -> Zone:
    return make_zone(personas.site, "Pump station 3", "{3,2,2,1,3,1,2}", purdue_level=1)


@pytest.mark.xdist_group("gap_pdf")
def test_the_procurement_pdf_reads_as_a_tender_annex(personas: Personas) -> None:
    zone = Zone.objects.select_related("site__organization").get(pk=pump_station(personas).pk)
    data = procurement_for(zone, ["EDR", "NDR"], PURCHASE)
    pdf = procurement_pdf.render_procurement(data)
    reader, pages = pdf_text(pdf.data)
    assert pdf.pages == len(reader.pages) > 1
    text = squash(" ".join(pages))
    cover = squash(pages[0])
    for fact in (PURCHASE, "Site A", "Org A", "Pump station 3", "{3,2,2,1,3,1,2}", "IEC 62443-4-2:2019",
                 f"Embedded devices (EDR): {len(data.types[0].items)} items"):  # fmt: skip
        assert fact in cover, fact
    assert "Software applications" not in text  # only the types asked for
    headings = ["1 How to read and answer this annex", "2 Embedded devices (EDR)", "3 Network devices (NDR)",
                "4 Vendor declaration"]  # fmt: skip
    for heading in headings:
        assert heading in text, heading
    assert "ISASecure CSA" in text and "IECEE" in text and "Compensated" in text and "Vendor response" in text
    # Items by id and short title with their level, a disputed one flagged with its note, never the normative text.
    assert "CR 1.1 Human user identification and authentication 1" in text
    assert "EDR 3.2" in text and "Sources disagree" in text
    above = [i.ref for i in component_catalogue_items(data.catalogue.pk) if i.kind == "RE" and i.fr == "FR4"
             and i.level is not None and i.level > 1 and "EDR" in i.component_types]  # fmt: skip
    assert above and not any(ref in text for ref in above)  # FR4 is at SL-T 1
    # Contents, bookmarks (a chapter per type, an FR under it) and "Page x of y".
    check_contents(pages, entries=len(procurement_pdf.procurement_report(data).outline.entries))
    bookmarks = outline_titles(reader)
    assert [title for depth, title in bookmarks if depth == 0][1:] == headings
    assert (1, "2.1 FR1 Identification and authentication control") in bookmarks
    check_running_header(pages, "Procurement requirements", "Org A")


@pytest.fixture
def light_procurement(monkeypatch: pytest.MonkeyPatch, light_pdf: list[str]) -> list[str]:
    """The annex laid out as blank pages (tests.reports.conftest.light_pdf): the real PDF is checked above."""
    return light_render(monkeypatch, procurement_pdf, light_pdf)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_member_may_request_the_annex_an_outsider_may_not(
    personas: Personas, name: str, django_capture_on_commit_callbacks: Any, light_procurement: list[str]
) -> None:
    zone = pump_station(personas)
    body = {"kind": "procurement", "zone": str(zone.pk), "component_types": ["NDR", "EDR"], "purchase": PURCHASE}
    answer = request_as(personas, name, body, django_capture_on_commit_callbacks, scope_field="zone")
    if answer is None:
        return
    client, job = answer
    assert (job["kind"], job["site"], job["target"]) == ("procurement", str(personas.site.pk), "Site A")
    assert job["parameters"] == {"zone": str(zone.pk), "component_types": ["EDR", "NDR"], "purchase": PURCHASE}
    done = client.get(job["links"]["self"]).json()
    assert done["status"] == "succeeded", done["error"]
    assert done["output"]["filename"].startswith("site-a-pump-station-3-procurement-")
    assert PURCHASE in light_procurement[-1] and "NDR 1.1" in light_procurement[-1]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "procurement"}, "site", "made from a site"),
        ({"kind": "procurement", "site": "{site}"}, "zone", "Give the zone"),
        ({"kind": "procurement", "site": "{site}", "zone": "{other_zone}"}, "zone", "Site A has no such zone"),
        ({"kind": "procurement", "zone": "{foreign_zone}"}, "zone", "does not exist"),
        ({"kind": "procurement", "zone": "{zone}", "component_types": ["PLC"]}, "component_types", "not a valid"),
        ({"kind": "procurement", "zone": "{zone}", "component_types": []}, "component_types", "empty"),
        ({"kind": "procurement", "zone": "{zone}", "purchase": "x" * 201}, "purchase", "200"),
        ({"kind": "roadmap", "site": "{site}", "zone": "{zone}"}, "parameters", "Unknown option(s)"),
    ],
)
def test_bad_requests_are_400_with_field_errors(
    personas: Personas, body: dict[str, Any], field: str, message: str
) -> None:
    zone = pump_station(personas)
    sibling = make_zone(SiteFactory.create(organization=personas.org, name="Site A2"), "Control")
    foreign = make_zone(personas.other_site, "Theirs")
    ids = {"{site}": str(personas.site.pk), "{zone}": str(zone.pk), "{other_zone}": str(sibling.pk),
           "{foreign_zone}": str(foreign.pk)}  # fmt: skip
    sent = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = api_as(personas.consultant).post(URL, sent, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert message in str(errors.get(field, errors)), errors
    assert not ReportJob.objects.exists()


def test_the_zone_page_requests_the_pdf_and_a_vanished_zone_is_explained(
    client: Any, personas: Personas, django_capture_on_commit_callbacks: Any, light_procurement: list[str]
) -> None:
    zone = pump_station(personas)
    client.force_login(personas.auditor)
    form = {"component_types": ["SAR"], "purchase": PURCHASE}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/zones/{zone.pk}/procurement/report/", form)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.parameters["component_types"]) == (
        ReportKind.PROCUREMENT,
        JobStatus.SUCCEEDED,
        ["SAR"],
    )
    page = client.get(zone.get_absolute_url()).content.decode()
    assert f'href="{job.get_absolute_url()}"' in page  # the zone's latest annexes are listed in its section
    refused = client.post(f"/zones/{zone.pk}/procurement/report/", {"purchase": PURCHASE})
    assert refused.status_code == 302 and refused["Location"].endswith("#procurement")
    assert ReportJob.objects.count() == 1
    # A zone deleted between the request and the run: the job fails with a reason.
    queued = services.report_request(
        kind=ReportKind.PROCUREMENT, by=personas.auditor, site=personas.site, parameters={"zone": str(zone.pk)}
    )
    Zone.objects.filter(pk=zone.pk).delete()
    assert job_procurement(personas.site, queued.parameters) is None
    failed = report_run(job_id=str(queued.pk))
    assert failed is not None and failed.status == JobStatus.FAILED and "no longer exists" in failed.error
