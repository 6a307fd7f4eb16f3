"""Component assessments through the API: scope, summary, apply, results with If-Match, the door."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.choices import ResultStatus
from compliance.sl import SLVector
from components import live
from components.choices import ComponentAssessmentStatus
from components.models import ComponentAssessment, ComponentResult, Product
from tests.components.compassess import make_assessment, make_product, result_of
from tests.conftest import PERSONA_NAMES, Personas, api_as
from tests.zones.plant import make_asset, make_zone
from zones.checks import zone_capability

pytestmark = pytest.mark.django_db
API = "/api/v1/component-assessments/"


def _patch(client: Any, result: ComponentResult, body: dict[str, Any], version: int | None = None) -> Any:
    headers = {"HTTP_IF_MATCH": f'"{version if version is not None else result.version}"'}
    return client.patch(f"/api/v1/component-results/{result.pk}/", body, format="json", **headers)


@pytest.mark.parametrize(("component_type", "count"), [("SAR", 73), ("EDR", 83), ("HDR", 84), ("NDR", 92)])
def test_create_scopes_the_type_items_at_sl4(personas: Personas, component_type: str, count: int) -> None:
    product = make_product(personas, component_type)
    response = api_as(personas.consultant).post(API, {"product": str(product.pk), "title": "Check"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["result_count"] == count
    assert response.data["sl_target"] == SLVector.uniform(4).to_dict()
    # The pointer headings (CR headings that only refer to a component-type item) are never results.
    results = ComponentResult.objects.filter(assessment_id=response.data["id"])
    assert results.count() == count
    assert not results.filter(requirement__assessable=False).exists()


def test_a_lower_target_gives_fewer_results_and_pointers_never(personas: Personas) -> None:
    low = make_assessment(personas, "EDR", SLVector.uniform(1))
    full = make_assessment(personas, "EDR")
    assert 0 < low.results.count() < full.results.count() == 83
    assert not full.results.filter(requirement__assessable=False).exists()
    assert not low.results.filter(requirement__lowest_sl__gt=1).exists()


def test_bad_input_is_a_400_naming_the_field(personas: Personas) -> None:
    product = make_product(personas)
    client = api_as(personas.consultant)
    bad_target = client.post(API, {"product": str(product.pk), "title": "X", "sl_target": {"FR1": 9}}, format="json")
    assert bad_target.status_code == 400 and "sl_target" in bad_target.data
    other = Product.objects.create(organization=personas.other_org, vendor="B", name="B", component_type="SAR")
    foreign = client.post(API, {"product": str(other.pk), "title": "X"}, format="json")
    assert foreign.status_code == 400 and "product" in foreign.data
    assert not ComponentAssessment.objects.exists()


def test_summary_counts_and_derives_sl_c(personas: Personas) -> None:
    assessment = make_assessment(personas, "NDR", SLVector.uniform(1))
    assessment.results.update(status=ResultStatus.MET)
    body = api_as(personas.auditor).get(f"{API}{assessment.pk}/summary/").data
    assert body["counts"]["met"] == assessment.results.count()
    assert body["sl_target"] == SLVector.uniform(1).to_dict()
    # Everything up to SL1 met: SL-C is 1 where the type has items above SL1, else the whole 4.
    per_fr = {row["fr"]: row for row in body["per_fr"]}
    assert body["sl_capability"]["FR1"] == 1 and per_fr["FR1"]["capped_by_target"]
    first = result_of(assessment, assessment.results.first().requirement.ref)  # type: ignore[union-attr]
    first.status = ResultStatus.NOT_MET
    first.save()
    fr = first.requirement.fr_id
    assert api_as(personas.auditor).get(f"{API}{assessment.pk}/summary/").data["sl_capability"][fr] == 0


def test_apply_sets_the_product_sl_c_with_history_and_the_zone_check_follows(personas: Personas) -> None:
    assessment = make_assessment(personas, "EDR", SLVector.uniform(2))
    product = assessment.product
    zone = make_zone(personas.site, "Cell", slt="{2,2,2,2,2,2,2}")
    plc = make_asset(zone, "PLC-1", product=product)
    assert plc in zone_capability(zone, [plc], timezone.localdate()).no_capability
    assessment.results.update(status=ResultStatus.MET)
    response = api_as(personas.consultant).post(f"{API}{assessment.pk}/apply/")
    assert response.status_code == 200, response.data
    product.refresh_from_db()
    assert product.sl_capability is not None and product.sl_capability.meets(SLVector.uniform(2))
    assert product.sl_capability_source == "own_assessment"
    assert product.sl_capability_note.startswith("Component assessment 4-2 check (")
    assessment.refresh_from_db()
    assert assessment.status == ComponentAssessmentStatus.APPLIED and assessment.applied_by == personas.consultant
    plc.refresh_from_db()
    assert not zone_capability(zone, [plc], timezone.localdate()).warning_count
    # Re-applying after a change lowers it again; the product's history keeps both.
    ComponentResult.objects.filter(assessment=assessment, requirement__ref="CR 1.1").update(status="not_met")
    assert api_as(personas.consultant).post(f"{API}{assessment.pk}/apply/").status_code == 200
    product.refresh_from_db()
    assert product.sl_capability is not None and product.sl_capability["FR1"] == 0
    assert product.history.filter(sl_capability_source="own_assessment").count() == 2
    plc.refresh_from_db()
    assert "FR1" in zone_capability(zone, [plc], timezone.localdate()).below_target


def test_apply_with_a_stale_if_match_is_412(personas: Personas) -> None:
    assessment = make_assessment(personas, "SAR", SLVector.uniform(1))
    client = api_as(personas.consultant)
    stale = client.post(f"{API}{assessment.pk}/apply/", HTTP_IF_MATCH=f'"{assessment.version + 5}"')
    assert stale.status_code == 412
    assessment.product.refresh_from_db()
    assert assessment.product.sl_capability is None
    assert client.post(f"{API}{assessment.pk}/apply/", HTTP_IF_MATCH=f'"{assessment.version}"').status_code == 200


def test_patch_result_with_if_match_and_source(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(live, "send_now", lambda assessment_id, message: sent.append((assessment_id, message)))
    assessment = make_assessment(personas, "NDR", SLVector.uniform(1))
    result = result_of(assessment, "CR 1.1")
    client = api_as(personas.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(client, result, {"status": "met", "source": "verified", "observations": "Tested"})
    assert response.status_code == 200, response.data
    assert sent == [
        (assessment.pk, {"type": "result.updated", "result": response.json(), "by": live.person(personas.owner)})
    ]
    assert response["ETag"] == f'"{result.version + 1}"'
    assert response.data["source"] == "verified"
    stale = _patch(client, result, {"status": "not_met"})
    assert stale.status_code == 412 and stale.data["current"]["status"] == "met"
    assert _patch(client, result, {"source": "rumour"}, version=result.version + 1).status_code == 400
    needs_text = _patch(client, result, {"status": "compensated"}, version=result.version + 1)
    assert needs_text.status_code == 400 and "countermeasure" in needs_text.data
    without = client.patch(f"/api/v1/component-results/{result.pk}/", {"status": "met"}, format="json")
    assert without.status_code == 428


def test_history_and_comments(personas: Personas) -> None:
    assessment = make_assessment(personas, "SAR", SLVector.uniform(1))
    result = result_of(assessment, "CR 1.1")
    client = api_as(personas.consultant)
    assert _patch(client, result, {"status": "met", "source": "supplier_claim"}).status_code == 200
    history = client.get(f"/api/v1/component-results/{result.pk}/history/").data
    assert history[0]["who_id"] == str(personas.consultant.pk)
    assert {c["field"] for c in history[0]["changes"]} == {"status", "source"}
    posted = client.post(f"/api/v1/component-results/{result.pk}/comments/", {"body": "Ask the vendor"}, format="json")
    assert posted.status_code == 201
    assert [c["body"] for c in client.get(f"/api/v1/component-results/{result.pk}/comments/").data] == [
        "Ask the vendor"
    ]
    auditor = api_as(personas.auditor)
    assert auditor.post(f"/api/v1/component-results/{result.pk}/comments/", {"body": "x"}).status_code == 403


def test_results_filters(personas: Personas) -> None:
    assessment = make_assessment(personas, "NDR")
    client = api_as(personas.auditor)
    fr2 = client.get(f"{API}{assessment.pk}/results/", {"fr": "FR2", "page_size": "200"}).data
    assert fr2["count"] and all(r["fr"] == "FR2" for r in fr2["results"])
    ndr = client.get(f"{API}{assessment.pk}/results/", {"kind": "NDR", "page_size": "200"}).data
    assert ndr["count"] and all(r["kind"] == "NDR" for r in ndr["results"])
    assert client.get(f"{API}{assessment.pk}/results/", {"status": "met"}).data["count"] == 0
    assert client.get(f"{API}{assessment.pk}/results/", {"kind": "SR"}).status_code == 400


def test_evidence_upload_and_link(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    assessment = make_assessment(personas, "SAR", SLVector.uniform(1))
    result = result_of(assessment, "CR 1.1")
    client = api_as(personas.consultant)
    upload = SimpleUploadedFile("report.txt", b"pen test report\n", content_type="text/plain")
    created = client.post("/api/v1/component-evidence/", {"results": [str(result.pk)], "file": upload})
    assert created.status_code == 201, created.data
    assert created.data["assessment"] == assessment.pk and len(created.data["sha256"]) == 64
    download = client.get(created.data["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"pen test report\n"  # type: ignore[attr-defined]
    other = make_assessment(personas, "EDR", SLVector.uniform(1))
    linked = _patch(client, result_of(other, "CR 1.1"), {"evidence": [created.data["id"]]})
    assert linked.status_code == 400


def test_outsider_gets_404_everywhere_and_auditor_reads_only(personas: Personas) -> None:
    assessment = make_assessment(personas, "SAR", SLVector.uniform(1))
    result = result_of(assessment, "CR 1.1")
    outsider = api_as(personas.outsider)
    row = f"/api/v1/component-results/{result.pk}/"
    for url in (f"{API}{assessment.pk}/", f"{API}{assessment.pk}/summary/", f"{API}{assessment.pk}/results/",
                row, f"{row}history/", f"{row}comments/"):  # fmt: skip
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"{API}{assessment.pk}/apply/").status_code == 404
    assert _patch(outsider, result, {"status": "met"}).status_code == 404
    assert outsider.get(API).data["count"] == 0
    auditor = api_as(personas.auditor)
    assert auditor.get(f"{API}{assessment.pk}/").status_code == 200
    assert _patch(auditor, result, {"status": "met"}).status_code == 403
    assert auditor.post(f"{API}{assessment.pk}/apply/").status_code == 403
    product = assessment.product
    assert auditor.post(API, {"product": str(product.pk), "title": "X"}, format="json").status_code == 403


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_pages_follow_the_door(personas: Personas, name: str) -> None:
    from django.test import Client

    assessment = make_assessment(personas, "SAR", SLVector.uniform(1))
    client = Client()
    client.force_login(personas.by_name(name))
    page = client.get(f"/component-assessments/{assessment.pk}/")
    apply_page = client.get(f"/component-assessments/{assessment.pk}/apply/")
    create = client.get(f"/products/{assessment.product.pk}/assessments/new/")
    if name == "outsider":
        assert (page.status_code, apply_page.status_code, create.status_code) == (404, 404, 404)
        return
    assert page.status_code == 200
    assert b"CR 1.1" in page.content and b"sl-c-row" in page.content
    writer = name != "auditor"
    assert (b"apply-link" in page.content) is writer
    assert apply_page.status_code == (200 if writer else 403)
    assert create.status_code == (200 if writer else 403)


def test_create_page_and_apply_page(personas: Personas) -> None:
    from django.test import Client

    product = make_product(personas, "HDR")
    client = Client()
    client.force_login(personas.consultant)
    bad = client.post(f"/products/{product.pk}/assessments/new/", {"title": "Host", "sl_target_compact": "{9}"})
    assert bad.status_code == 200 and b"Host" in bad.content and not product.assessments.exists()
    done = client.post(
        f"/products/{product.pk}/assessments/new/", {"title": "Host", "sl_target_compact": "{2,2,2,2,2,2,2}"}
    )
    assessment = product.assessments.get()
    assert done.status_code == 302 and done["Location"] == f"/component-assessments/{assessment.pk}/"
    confirm = client.get(f"/component-assessments/{assessment.pk}/apply/")
    assert b"not assessed yet" in confirm.content
    applied = client.post(f"/component-assessments/{assessment.pk}/apply/", {"version": assessment.version})
    assert applied.status_code == 302
    product.refresh_from_db()
    assert product.sl_capability == SLVector.uniform(0)


def test_queries_do_not_grow_with_the_results(personas: Personas) -> None:
    from django.test import Client

    small = make_assessment(personas, "SAR", SLVector.of(1, 0, 0, 0, 0, 0, 0))
    big = make_assessment(personas, "NDR")
    assert small.results.count() < 15 and big.results.count() == 92
    client = Client()
    client.force_login(personas.consultant)
    api = api_as(personas.consultant)
    counts = []
    for assessment in (small, big):
        client.get(f"/component-assessments/{assessment.pk}/")  # warm the per-process catalogue cache
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/component-assessments/{assessment.pk}/").status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get(f"{API}{assessment.pk}/results/", {"page_size": 100}).status_code == 200
        with CaptureQueriesContext(connection) as summary:
            assert api.get(f"{API}{assessment.pk}/summary/").status_code == 200
        counts.append((len(page), len(listed), len(summary)))
    assert counts[0] == counts[1], counts
