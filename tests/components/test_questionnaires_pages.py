"""The questionnaire pages: the supplier's bare page behind the link, and the consultant's review page (invite,
show the link once, revoke, accept, reject)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from compliance.choices import ResultStatus
from components.choices import AnswerReview, ResultSource
from components.models import Invitation, SupplierAnswer
from components.services.questionnaires import invitation_revoke
from tests.components.questionnaire_helpers import SUPPLIER, first_results, invite, make_assessment, submitted
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the supplier's page -------------------------------------------------------------------------------------
def test_the_supplier_page_is_bare_and_private(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    new = invite(assessment, personas.consultant)
    response = Client().get(f"/q/{new.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme X20 CPU 4.2" in html and "Org A" in html
    assert html.count('class="card q-item') == assessment.results.count()
    assert 'class="mainnav"' not in html and "/login/" not in html  # no way into the app
    assert f"/api/v1/questionnaires/{new.token}/answers/" in html
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"


def test_the_supplier_page_after_submit_is_read_only(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    first = first_results(assessment, 1)[0]
    new = submitted(invite(assessment, personas.consultant), {first: {"status": "not_met", "comment": "Planned."}})
    html = Client().get(f"/q/{new.token}/").content.decode()
    assert "Submitted on" in html and "Planned." in html
    assert "<form" not in html and "questionnaire.js" not in html


@pytest.mark.parametrize("how", ["unknown", "expired", "revoked"])
def test_a_dead_link_shows_the_same_404_page(personas: Personas, how: str) -> None:
    new = invite(make_assessment(personas.org, personas.consultant), personas.consultant)
    if how == "expired":
        Invitation.objects.update(expires=timezone.now() - datetime.timedelta(minutes=1))
    elif how == "revoked":
        invitation_revoke(invitation=new.invitation, by=personas.consultant)
    token = "A" * 43 if how == "unknown" else new.token
    response = Client().get(f"/q/{token}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "may have expired or been withdrawn" in html and "X20" not in html


# --- the consultant's review page ----------------------------------------------------------------------------
def test_inviting_from_the_page_shows_the_link_once(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    url = f"/component-assessments/{assessment.pk}/questionnaires/"
    client = logged_in(personas.consultant)
    expires = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    response = client.post(url, {"email": SUPPLIER, "expires": expires})
    assert response.status_code == 302  # a reload cannot invite twice
    response = client.get(response["Location"])
    invitation = Invitation.objects.get()
    link = response.context["new_link"]
    assert link.startswith("http://testserver/q/") and link in response.content.decode()
    assert invitation.expires.date().isoformat() == expires
    again = client.get(url).content.decode()
    assert SUPPLIER in again and link not in again


def test_the_invite_form_keeps_the_input_on_error(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    url = f"/component-assessments/{assessment.pk}/questionnaires/"
    too_late = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
    response = logged_in(personas.consultant).post(url, {"email": SUPPLIER, "expires": too_late})
    assert response.status_code == 200 and not Invitation.objects.exists()
    assert "at most 90 days" in response.content.decode() and SUPPLIER in response.content.decode()


def test_readers_see_no_form_and_outsiders_nothing(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    url = f"/component-assessments/{assessment.pk}/questionnaires/"
    html = logged_in(personas.auditor).get(url).content.decode()
    assert "Invite a supplier" not in html
    assert logged_in(personas.auditor).post(url, {"email": SUPPLIER, "expires": "2099-01-01"}).status_code == 403
    assert logged_in(personas.outsider).get(url).status_code == 404
    assert not Invitation.objects.exists()


def test_review_from_the_page(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    first, second = first_results(assessment, 2)
    new = submitted(
        invite(assessment, personas.consultant),
        {first: {"status": "met", "comment": "Yes."}, second: {"status": "not_met"}},
    )
    client = logged_in(personas.owner)
    page = client.get(f"/component-assessments/{assessment.pk}/questionnaires/").content.decode()
    assert "Accept" in page and "Reject" in page
    good, bad = SupplierAnswer.objects.order_by("result__requirement__position")
    response = client.post(f"/supplier-answers/{good.pk}/accept/")
    assert response.status_code == 302 and response["Location"].endswith(f"#invitation-{new.invitation.pk}")
    client.post(f"/supplier-answers/{bad.pk}/reject/", {"reason": ""})  # refused: a reason is needed
    bad.refresh_from_db()
    assert bad.review == AnswerReview.PENDING
    client.post(f"/supplier-answers/{bad.pk}/reject/", {"reason": "Contradicts the manual."})
    for row in (good, bad, first):
        row.refresh_from_db()
    assert (good.review, bad.review) == (AnswerReview.ACCEPTED, AnswerReview.REJECTED)
    assert (first.status, first.source) == (ResultStatus.MET, ResultSource.SUPPLIER_CLAIM)
    page = client.get(f"/component-assessments/{assessment.pk}/questionnaires/").content.decode()
    assert "Contradicts the manual." in page
    assert logged_in(personas.auditor).post(f"/invitations/{new.invitation.pk}/revoke/").status_code == 403
    client.post(f"/invitations/{new.invitation.pk}/revoke/")
    new.invitation.refresh_from_db()
    assert new.invitation.revoked_at is not None


def test_the_assessment_page_links_to_the_questionnaires(personas: Personas) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    html = logged_in(personas.auditor).get(f"/component-assessments/{assessment.pk}/").content.decode()
    assert f"/component-assessments/{assessment.pk}/questionnaires/" in html


def test_the_review_page_takes_a_fixed_number_of_queries(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    assessment = make_assessment(personas.org, personas.consultant)
    for n in (2, 8):  # more invitations and answers, not more queries
        submitted(invite(assessment, personas.consultant), {r: {"status": "met"} for r in first_results(assessment, n)})
    client = logged_in(personas.consultant)
    with django_assert_max_num_queries(10):
        response = client.get(f"/component-assessments/{assessment.pk}/questionnaires/")
    assert response.content.decode().count('id="answer-') == 10
