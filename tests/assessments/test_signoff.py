"""Sign-off that means something: an unfinished assessment is signed off only with a reason, every sign-off is
kept as a record with its report of record, and a consultant or admin can reopen a final assessment (back to
in review) with a reason. The same rules through the services, the pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import selectors, services
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, SignOff
from reports.choices import COMPACT_NOT_ASSESSED, ReportKind
from reports.models import ReportJob
from reports.runner import ReportUnavailable, _gap_options
from tests.assessments.api_helpers import etag
from tests.assessments.helpers import make_assessment, make_plant, mark, result_for, uniform
from tests.conftest import Personas, api_as

pytestmark = pytest.mark.django_db
WHY = "The client needs the report for the audit; FR5 of Zone 2 is assessed next quarter."


@pytest.fixture
def in_review(personas: Personas) -> Assessment:
    """Two zones at SL-T 1: Zone 1 fully assessed (met), Zone 2 untouched; moved to in review."""
    plant = make_plant(personas.site, [uniform(1), uniform(1)])
    assessment = make_assessment(personas.site, personas.consultant)
    mark(assessment, plant.zones[0], ResultStatus.MET, personas.consultant)
    for step in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW):
        assessment = services.assessment_transition(assessment=assessment, to=step, by=personas.consultant)
    return assessment


def open_count(assessment: Assessment) -> int:
    return selectors.unassessed_results(assessment).count()


# --- services --------------------------------------------------------------------------------------
def test_an_unfinished_sign_off_needs_a_reason_and_records_it(personas: Personas, in_review: Assessment) -> None:
    n = open_count(in_review)
    assert n > 0
    with pytest.raises(ValidationError) as refused:
        services.assessment_transition(assessment=in_review, to="final", by=personas.consultant, reason="  ")
    assert f"{n} required items are not assessed" in refused.value.message_dict["reason"][0]
    assert Assessment.objects.get(pk=in_review.pk).status == "in_review"
    assert not SignOff.objects.exists() and not ReportJob.objects.exists()

    final = services.assessment_transition(assessment=in_review, to="final", by=personas.consultant, reason=WHY)
    stored = Assessment.objects.get(pk=final.pk)
    assert (stored.status, stored.sign_off_reason, stored.sign_off_unassessed) == ("final", WHY, n)
    record = SignOff.objects.get(assessment=stored)
    assert (record.signed_off_by, record.reason, record.unassessed, record.version) == (
        personas.consultant, WHY, n, stored.version
    )  # fmt: skip
    # The report of record: a gap-assessment job pinned to the sign-off, every open item listed in full.
    job = ReportJob.objects.get(assessment=stored)
    assert (job.kind, job.sign_off) == (ReportKind.GAP_ASSESSMENT, record)
    assert job.parameters == {COMPACT_NOT_ASSESSED: False}
    # The reason is in the assessment's history, which can be read as of the sign-off.
    entries = selectors.assessment_history(stored, as_of=record)
    reasons = [new for e in entries for label, _, new in e.changes if label == "sign off reason"]
    assert reasons == [WHY]


def test_a_finished_assessment_signs_off_without_a_reason(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1)])
    assessment = make_assessment(personas.site, personas.consultant)
    mark(assessment, plant.zones[0], ResultStatus.NOT_MET, personas.consultant)
    for step in ("in_progress", "in_review", "final"):
        assessment = services.assessment_transition(assessment=assessment, to=step, by=personas.admin)
    assert (assessment.status, assessment.sign_off_unassessed, assessment.sign_off_reason) == ("final", 0, "")
    assert SignOff.objects.get(assessment=assessment).unassessed == 0


def test_reopen_needs_a_signer_and_a_reason_and_keeps_the_sign_off(personas: Personas, in_review: Assessment) -> None:
    final = services.assessment_transition(assessment=in_review, to="final", by=personas.consultant, reason=WHY)
    with pytest.raises(PermissionDenied):
        services.assessment_transition(assessment=final, to="in_review", by=personas.owner, reason="Mine")
    with pytest.raises(ValidationError) as refused:
        services.assessment_transition(assessment=final, to="in_review", by=personas.admin)
    assert set(refused.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError):  # only back to review
        services.assessment_transition(assessment=final, to="in_progress", by=personas.admin, reason="Redo")

    reopened = services.assessment_transition(
        assessment=final, to="in_review", by=personas.admin, reason="Evidence for SR 1.1 came late"
    )
    stored = Assessment.objects.get(pk=reopened.pk)
    assert (stored.status, stored.signed_off_at, stored.signed_off_by, stored.sign_off_reason) == (
        "in_review", None, None, ""
    )  # fmt: skip
    record = SignOff.objects.get(assessment=stored)
    assert (record.reopened_by, record.reopen_reason, record.reason) == (
        personas.admin, "Evidence for SR 1.1 came late", WHY
    )  # fmt: skip
    # Editable again; the report pinned to the undone sign-off can no longer be produced as it was.
    zone2 = stored.zones.get(name="Zone 2")
    services.result_update(result=result_for(stored, zone2, "SR 1.1"), by=personas.owner, fields={"status": "met"})
    job = ReportJob.objects.select_related("assessment", "sign_off").get(sign_off=record)
    with pytest.raises(ReportUnavailable, match="reopened"):
        _gap_options(job)
    # A second sign-off is a second record; the history still reads as of the first.
    again = services.assessment_transition(assessment=stored, to="final", by=personas.consultant, reason="Second")
    assert list(again.sign_offs.values_list("reason", flat=True)) == ["Second", WHY]
    before = selectors.assessment_history(again, as_of=record)
    assert before and all(e.when <= selectors.sign_off_moment(record) for e in before)
    assert not any("Evidence for SR 1.1 came late" in str(e.changes) for e in before)
    assert len(selectors.assessment_history(again)) > len(before)


# --- pages -----------------------------------------------------------------------------------------
def test_the_sign_off_page_lists_what_is_open_and_asks_why(
    client: Any, personas: Personas, in_review: Assessment
) -> None:
    n = open_count(in_review)
    client.force_login(personas.owner)
    assert client.get(f"/assessments/{in_review.pk}/sign-off/").status_code == 403
    client.force_login(personas.consultant)
    # The status button without a reason goes to the confirmation, it does not sign off.
    moved = client.post(f"/assessments/{in_review.pk}/status/", {"status": "final", "version": in_review.version})
    assert moved.status_code == 302 and moved["Location"] == f"/assessments/{in_review.pk}/sign-off/"
    page = client.get(moved["Location"]).content.decode()
    assert f"{n} of " in page and "Zone 2" in page and "SR 1.1" in page
    assert "Zone 1" not in page.split('id="unassessed-items"')[1].split("</table>")[0]  # fully assessed
    refused = client.post(moved["Location"], {"reason": "", "version": in_review.version})
    assert refused.status_code == 200 and "not assessed yet" in refused.content.decode()
    assert Assessment.objects.get(pk=in_review.pk).status == "in_review"

    done = client.post(moved["Location"], {"reason": WHY, "version": in_review.version})
    assert done.status_code == 302
    overview = client.get(f"/assessments/{in_review.pk}/").content.decode()
    sign_offs = overview.split('id="sign-offs"')[1]
    assert WHY in sign_offs and "Report of record" in sign_offs and "?as_of=" in sign_offs
    assert 'id="reopen-button"' in overview

    record = SignOff.objects.get(assessment=in_review)
    history = client.get(f"/assessments/{in_review.pk}/history/?as_of={record.pk}").content.decode()
    assert "as of the sign-off" in history and WHY in history
    assert client.get(f"/assessments/{in_review.pk}/history/?as_of={in_review.pk}").status_code == 404


def test_the_reopen_page(client: Any, personas: Personas, in_review: Assessment) -> None:
    services.assessment_transition(assessment=in_review, to="final", by=personas.consultant, reason=WHY)
    url = f"/assessments/{in_review.pk}/reopen/"
    client.force_login(personas.auditor)
    assert client.get(url).status_code == 403
    client.force_login(personas.consultant)
    version = Assessment.objects.get(pk=in_review.pk).version
    assert "reason" in client.post(url, {"reason": "", "version": version}).content.decode()
    assert client.post(url, {"reason": "A wrong status on SR 2.1", "version": version}).status_code == 302
    stored = Assessment.objects.get(pk=in_review.pk)
    assert stored.status == "in_review"
    overview = client.get(f"/assessments/{in_review.pk}/").content.decode()
    assert "A wrong status on SR 2.1" in overview and 'id="sign-off-button"' in overview


# --- API -------------------------------------------------------------------------------------------
def test_the_api_enforces_the_same_rules(personas: Personas, in_review: Assessment) -> None:
    url = f"/api/v1/assessments/{in_review.pk}/"
    consultant = api_as(personas.consultant)
    bare = consultant.patch(url, {"status": "final"}, format="json", HTTP_IF_MATCH=etag(in_review))
    assert bare.status_code == 400 and "not assessed yet" in str(bare.json()["reason"])
    lone = consultant.patch(url, {"reason": WHY}, format="json", HTTP_IF_MATCH=etag(in_review))
    assert lone.status_code == 400 and "reason" in lone.json()

    signed = consultant.patch(url, {"status": "final", "reason": WHY}, format="json", HTTP_IF_MATCH=etag(in_review))
    assert signed.status_code == 200, signed.json()
    assert (signed.json()["sign_off_reason"], signed.json()["sign_off_unassessed"]) == (WHY, open_count(in_review))

    owner = api_as(personas.owner).patch(
        url, {"status": "in_review", "reason": "x"}, format="json", HTTP_IF_MATCH=etag(in_review)
    )
    assert owner.status_code == 403
    no_reason = consultant.patch(url, {"status": "in_review"}, format="json", HTTP_IF_MATCH=etag(in_review))
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    reopened = consultant.patch(
        url, {"status": "in_review", "reason": "Late evidence"}, format="json", HTTP_IF_MATCH=etag(in_review)
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_review"
    assert reopened.json()["signed_off_at"] is None
    assert SignOff.objects.get(assessment=in_review).reopen_reason == "Late evidence"
