"""Supplier questionnaires through the API: invitations (create, list, revoke, who may), the supplier's token
endpoints (read, answer, submit, and every way they refuse), and the consultant's review (accept, reject)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.choices import ResultStatus
from components.choices import AnswerReview, ResultSource
from components.models import ComponentEvidence, Invitation, SupplierAnswer
from components.services.questionnaires import invitation_revoke
from tests.components.questionnaire_helpers import (
    PDF,
    SUPPLIER,
    first_results,
    invite,
    make_assessment,
    questionnaire_url,
    submitted,
    token_client,
)
from tests.conftest import Personas, api_as

pytestmark = pytest.mark.django_db


def in_days(days: float) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


# --- invitations ---------------------------------------------------------------------------------------------
def test_invite_answers_the_token_once_and_keeps_only_its_hash(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    url = f"/api/v1/component-assessments/{assessment.pk}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(personas.consultant).post(url, {"email": SUPPLIER, "expires": in_days(14)}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    token = body["token"]
    assert len(token) >= 43  # 32 random bytes
    assert body["link"] == f"http://testserver/q/{token}/"
    assert body["state"] == "open"
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    # The list (of the assessment, and all invitations) never shows it again.
    for listing in (url, f"/api/v1/invitations/?assessment={assessment.pk}", f"/api/v1/invitations/{invitation.pk}/"):
        again = api_as(personas.consultant).get(listing)
        assert again.status_code == 200
        assert token not in again.content.decode() and "token_hash" not in again.content.decode()
    # The supplier got the link by mail; replies go to the consultant.
    [message] = mail.outbox
    assert message.to == [SUPPLIER] and body["link"] in message.body
    assert message.reply_to == [personas.consultant.email]


@pytest.mark.parametrize(("persona", "expected"), [("admin", 201), ("consultant", 201), ("owner", 201),
                                                   ("auditor", 403), ("outsider", 404)])  # fmt: skip
def test_who_may_invite(personas: Personas, persona: str, expected: int) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    response = api_as(personas.by_name(persona)).post(
        f"/api/v1/component-assessments/{assessment.pk}/invitations/",
        {"email": SUPPLIER, "expires": in_days(14)},
        format="json",
    )
    assert response.status_code == expected
    assert Invitation.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address", "expires": in_days(10)}, "email"),
        ({"email": SUPPLIER, "expires": in_days(-1)}, "expires"),
        ({"email": SUPPLIER, "expires": in_days(91)}, "expires"),
        ({"email": SUPPLIER}, "expires"),
    ],
)
def test_invite_refuses_bad_input(personas: Personas, data: dict[str, str], field: str) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    url = f"/api/v1/component-assessments/{assessment.pk}/invitations/"
    response = api_as(personas.consultant).post(url, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Invitation.objects.exists() and not mail.outbox


def test_revoke_ends_the_link(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    url = f"/api/v1/invitations/{new.invitation.pk}/revoke/"
    assert api_as(personas.outsider).post(url).status_code == 404
    assert api_as(personas.auditor).post(url).status_code == 403
    assert token_client().get(questionnaire_url(new.token)).status_code == 200
    response = api_as(personas.owner).post(url)
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert token_client().get(questionnaire_url(new.token)).status_code == 404
    assert api_as(personas.owner).post(url).status_code == 400  # already revoked


# --- the supplier's token endpoints --------------------------------------------------------------------------
def test_the_questionnaire_shows_the_items_and_nothing_else(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    other = make_assessment(personas.org, personas.consultant, name="Other product")
    secret = first_results(assessment, 1)[0]
    secret.observations = "SECRET-OBSERVATION on the plant"
    secret.save()
    new = invite(assessment, personas.consultant)
    body = token_client().get(questionnaire_url(new.token)).json()
    assert set(body) == {"state", "expires", "submitted_at", "organization", "requested_by", "product", "statuses",
                         "progress", "items"}  # fmt: skip
    assert body["organization"] == "Org A" and body["state"] == "open"
    assert body["product"] == {"vendor": "Acme", "name": "X20 CPU", "version": "4.2", "component_type": "EDR"}
    assert [s["value"] for s in body["statuses"]] == ["met", "partially_met", "not_met", "not_applicable"]
    assert body["progress"] == {"answered": 0, "total": assessment.results.count()}
    item = body["items"][0]
    assert set(item) == {"result_id", "ref", "kind", "fr", "title", "level", "answer"}
    assert item["answer"] is None and item["fr"] == "FR1" and item["level"] == 1
    text = str(body)
    assert "SECRET-OBSERVATION" not in text
    assert personas.consultant.email not in text and assessment.title not in text
    assert not {str(r.pk) for r in other.results.all()} & {i["result_id"] for i in body["items"]}


def test_reading_the_questionnaire_takes_a_fixed_number_of_queries(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    assessment = make_assessment(personas.org, personas.consultant, level=4)  # every EDR item
    new = submitted(
        invite(assessment, personas.consultant), {r: {"status": "met"} for r in first_results(assessment, 20)}
    )
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        response = token_client().get(questionnaire_url(new.token))
    assert response.json()["progress"]["answered"] == 20


def test_answering_saves_and_changes_the_answer(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    result = first_results(assessment, 1)[0]
    url = questionnaire_url(new.token, "answers", str(result.pk))
    response = token_client().patch(url, {"status": "met", "comment": "Role-based accounts."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["answer"]["status"] == "met"
    upload = SimpleUploadedFile("test-report.pdf", PDF, content_type="application/pdf")
    response = token_client().patch(url, {"status": "partially_met", "comment": "No MFA.", "file": upload})
    assert response.status_code == 200, response.content
    answer = SupplierAnswer.objects.get()
    assert (answer.status, answer.comment, answer.filename) == ("partially_met", "No MFA.", "test-report.pdf")
    assert answer.sha256 == hashlib.sha256(PDF).hexdigest()
    assert response.json()["answer"]["file_name"] == "test-report.pdf"
    result.refresh_from_db()
    assert result.status == ResultStatus.NOT_ASSESSED  # nothing reaches the result before review


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"status": "compensated", "comment": "firewall"}, "status", "asset owner"),
        ({"status": "not_assessed"}, "status", "Choose an answer"),
        ({"status": "bogus"}, "status", "not a valid choice"),
        ({"status": "not_applicable"}, "comment", "Explain why"),
        ({"status": "partially_met", "comment": "  "}, "comment", "Explain why"),
        ({"comment": "no status yet"}, "status", "Choose an answer"),
        ({"status": "met", "owner": "me"}, "non_field_errors", "Unknown fields"),
    ],
)
def test_answers_a_supplier_may_not_give_are_refused(personas: Personas, data: dict[str, str], field: str,
                                                     says: str) -> None:  # fmt: skip
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    result = first_results(assessment, 1)[0]
    response = token_client().patch(questionnaire_url(new.token, "answers", str(result.pk)), data, format="json")
    assert response.status_code == 400
    assert says in str(response.json()[field])
    assert not SupplierAnswer.objects.exists()


def test_a_refused_file_writes_nothing(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    result = first_results(assessment, 1)[0]
    upload = SimpleUploadedFile("tool.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = token_client().patch(
        questionnaire_url(new.token, "answers", str(result.pk)), {"status": "met", "file": upload}
    )
    assert response.status_code == 400 and "file" in response.json()
    assert not SupplierAnswer.objects.exists()


def test_an_item_of_another_questionnaire_is_404(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    foreign = make_assessment(personas.other_org, personas.outsider, name="Foreign")
    new = invite(assessment, personas.consultant)
    for result_id in (first_results(foreign, 1)[0].pk, "0d9d4f4e-0000-4000-8000-000000000000"):
        response = token_client().patch(questionnaire_url(new.token, "answers", str(result_id)), {"status": "met"})
        assert response.status_code == 404
    assert not SupplierAnswer.objects.exists()


@pytest.mark.parametrize("how", ["submitted", "expired", "revoked"])
def test_a_closed_questionnaire_takes_no_answers(personas: Personas, how: str) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    first, second = first_results(assessment, 2)
    new = invite(assessment, personas.consultant)
    if how == "submitted":
        submitted(new, {first: {"status": "met"}})
    elif how == "expired":
        Invitation.objects.filter(pk=new.invitation.pk).update(expires=timezone.now() - datetime.timedelta(seconds=1))
    else:
        invitation_revoke(invitation=new.invitation, by=personas.consultant)
    before = list(SupplierAnswer.objects.values_list("pk", "status"))
    for data in ({"status": "met"}, {"status": "compensated"}):  # 404 even for input that is also bad
        response = token_client().patch(questionnaire_url(new.token, "answers", str(second.pk)), data, format="json")
        assert response.status_code == 404
    assert token_client().post(questionnaire_url(new.token, "submit")).status_code == 404
    assert list(SupplierAnswer.objects.values_list("pk", "status")) == before
    read = token_client().get(questionnaire_url(new.token))
    if how == "submitted":  # reads after submit show the submitted state
        assert read.status_code == 200 and read.json()["state"] == "submitted"
        assert read.json()["items"][0]["answer"]["status"] == "met"
    else:
        assert read.status_code == 404


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 42 + "!", "../../products"])
def test_an_unknown_token_is_404(personas: Personas, token: str) -> None:
    invite(make_assessment(personas.org, personas.consultant), personas.consultant)
    assert token_client().get(questionnaire_url(token)).status_code == 404


def test_submit_needs_an_answer_and_tells_the_consultant(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    mail.outbox.clear()
    response = token_client().post(questionnaire_url(new.token, "submit"))
    assert response.status_code == 400 and "answers" in response.json()
    first = first_results(assessment, 1)[0]
    token_client().patch(questionnaire_url(new.token, "answers", str(first.pk)), {"status": "met"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client().post(questionnaire_url(new.token, "submit"))
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    [message] = mail.outbox
    assert message.to == [personas.consultant.email] and SUPPLIER in message.body


def test_a_logged_in_member_with_the_link_is_only_the_supplier(personas: Personas) -> None:
    """The token views read no session: a consultant opening the link is not recorded as the answer's author."""
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    result = first_results(assessment, 1)[0]
    client = token_client()
    client.force_login(personas.consultant)
    response = client.patch(questionnaire_url(new.token, "answers", str(result.pk)), {"status": "met"}, format="json")
    assert response.status_code == 200
    assert SupplierAnswer.history.get().history_user is None


# --- the consultant's review ---------------------------------------------------------------------------------
def test_accepting_makes_the_answer_the_result_with_source_supplier_claim(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    met, na = first_results(assessment, 2)
    new = submitted(
        invite(assessment, personas.consultant),
        {met: {"status": "met", "comment": "Unique accounts per user.", "file": True},
         na: {"status": "not_applicable", "comment": "No wireless interface."}},
    )  # fmt: skip
    client = api_as(personas.consultant)
    for answer in SupplierAnswer.objects.all():
        response = client.post(f"/api/v1/supplier-answers/{answer.pk}/accept/")
        assert response.status_code == 200, response.content
        assert response.json()["review"] == "accepted"
    met.refresh_from_db()
    na.refresh_from_db()
    assert (met.status, met.source) == (ResultStatus.MET, ResultSource.SUPPLIER_CLAIM)
    assert "Unique accounts per user." in met.observations and SUPPLIER in met.observations
    assert (na.status, na.source) == (ResultStatus.NOT_APPLICABLE, ResultSource.SUPPLIER_CLAIM)
    assert "No wireless interface." in na.justification
    evidence = ComponentEvidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and list(evidence.results.all()) == [met]
    assert new.invitation.answers.filter(review=AnswerReview.ACCEPTED).count() == 2


def test_review_refusals(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    first, second = first_results(assessment, 2)
    new = invite(assessment, personas.consultant)
    client = api_as(personas.consultant)
    token_client().patch(questionnaire_url(new.token, "answers", str(first.pk)), {"status": "met"}, format="json")
    early = SupplierAnswer.objects.get()
    response = client.post(f"/api/v1/supplier-answers/{early.pk}/accept/")
    assert response.status_code == 400 and "not submitted" in str(response.json())
    submitted(new, {second: {"status": "not_met"}})
    accepted, rejected = SupplierAnswer.objects.order_by("result__requirement__position")
    assert api_as(personas.outsider).post(f"/api/v1/supplier-answers/{accepted.pk}/accept/").status_code == 404
    assert api_as(personas.auditor).post(f"/api/v1/supplier-answers/{accepted.pk}/accept/").status_code == 403
    assert client.post(f"/api/v1/supplier-answers/{accepted.pk}/accept/").status_code == 200
    assert client.post(f"/api/v1/supplier-answers/{accepted.pk}/accept/").status_code == 400  # twice
    assert client.post(f"/api/v1/supplier-answers/{rejected.pk}/reject/", {"reason": ""}).status_code == 400
    response = client.post(f"/api/v1/supplier-answers/{rejected.pk}/reject/", {"reason": "The manual says otherwise."})
    assert response.status_code == 200 and response.json()["review_reason"] == "The manual says otherwise."
    assert client.post(f"/api/v1/supplier-answers/{rejected.pk}/accept/").status_code == 400
    second.refresh_from_db()
    assert second.status == ResultStatus.NOT_ASSESSED and second.source == ""  # a rejection leaves the result


def test_answers_list_filters_and_the_file_downloads(personas: Personas, django_assert_max_num_queries: object) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    results = first_results(assessment, 5)
    new = submitted(invite(assessment, personas.consultant), {r: {"status": "met", "file": True} for r in results})
    client = api_as(personas.auditor)  # readers may read
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get(f"/api/v1/supplier-answers/?invitation={new.invitation.pk}")
    rows = response.json()["results"]
    assert len(rows) == 5 and rows[0]["ref"] == results[0].requirement.ref
    download = client.get(rows[0]["file"]["download"])
    assert download.status_code == 200 and download["X-Checksum-SHA256"] == hashlib.sha256(PDF).hexdigest()
    assert api_as(personas.outsider).get(rows[0]["file"]["download"]).status_code == 404
    assert api_as(personas.outsider).get("/api/v1/supplier-answers/").json()["results"] == []
