"""The supplier questionnaire in real Chromium: the consultant invites a supplier and copies the link; the
supplier, in a browser context of their own without any login, answers on a phone (390 x 844) and submits;
the consultant accepts an answer, which becomes the result with source supplier claim."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from compliance.choices import ResultStatus
from components.choices import ResultSource
from components.models import ComponentResult, SupplierAnswer
from tests.components.questionnaire_helpers import PDF, SUPPLIER, make_assessment
from tests.conftest import make_personas
from tests.e2e.conftest import login, new_page, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_a_supplier_answers_on_a_phone(browser: Any, asgi_server: str, transactional_db: None) -> None:
    call_command("load_catalogue", verbosity=0)
    personas = make_personas()
    assessment = make_assessment(personas.org, personas.consultant)
    first, second = assessment.results.order_by("requirement__position")[:2]
    total = assessment.results.count()

    with new_page(browser) as consultant:
        login(consultant, asgi_server, personas.consultant.username, PASSWORD)
        consultant.goto(f"{asgi_server}/component-assessments/{assessment.pk}/")
        consultant.get_by_role("link", name="Supplier questionnaires").click()
        consultant.get_by_label("Supplier's email").fill(SUPPLIER)
        consultant.get_by_role("button", name="Send the invitation").click()
        link = consultant.get_by_label("Questionnaire link").input_value()
        assert link.startswith(f"{asgi_server}/q/")

        supplier_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            phone = supplier_context.new_page()
            phone.goto(link)
            assert phone.context.cookies() == []  # no session: the link is the only credential
            assert phone.evaluate(OVERFLOW) <= 0
            card = phone.locator(f"#item-{first.pk}")
            card.get_by_label("Met", exact=True).check()
            card.get_by_label("Comment").fill("Every account is personal; roles per user.")
            card.get_by_label("Evidence file").set_input_files(
                {"name": "test-report.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            card.get_by_role("button", name="Save answer").click()
            card.get_by_text("Saved", exact=True).wait_for()
            assert card.get_by_text("test-report.pdf").is_visible()

            other = phone.locator(f"#item-{second.pk}")
            other.get_by_label("Not applicable", exact=True).check()
            other.get_by_role("button", name="Save answer").click()
            other.get_by_role("alert").get_by_text("Explain why").wait_for()  # refused: a reason is needed
            other.get_by_label("Comment").fill("The device has no such interface.")
            other.get_by_role("button", name="Save answer").click()
            other.get_by_text("Saved", exact=True).wait_for()
            assert phone.locator("#q-count").inner_text() == f"2 of {total} answered"
            assert phone.evaluate(OVERFLOW) <= 0
            screenshot(phone, "supplier-questionnaire-phone")

            phone.once("dialog", lambda dialog: dialog.accept())
            phone.get_by_role("button", name="Submit answers").click()
            phone.get_by_text("Submitted on").wait_for()
            assert phone.locator("form").count() == 0  # read-only now
            screenshot(phone, "supplier-questionnaire-submitted")
        finally:
            supplier_context.close()

        consultant.reload()
        answer = SupplierAnswer.objects.get(result=first)
        consultant.locator(f"#answer-{answer.pk}").get_by_role("button", name="Accept").click()
        consultant.get_by_text("the supplier's answer is now the result").wait_for()
        screenshot(consultant, "supplier-questionnaire-review")

    result = ComponentResult.objects.get(pk=first.pk)
    assert (result.status, result.source) == (ResultStatus.MET, ResultSource.SUPPLIER_CLAIM)
    assert result.evidence.get().filename == "test-report.pdf"
