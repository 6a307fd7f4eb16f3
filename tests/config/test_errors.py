"""The error pages a person sees with DEBUG off, and how a refusal is logged.

400, 403 and 404 are pages of the product (its navigation, a way back, a way home); the 403 says what the
person's role lets them do; the 500 page renders with no request and no database. A 403 is one log line."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import include, path

from config.urls import handler400, handler403, handler404
from tests.conftest import Personas

MAIN_NAV = 'aria-label="Main"'


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("A tampered request.")


# This module is also the URLconf of the tests marked below: the app's URLs and error handlers, and two views
# that fail.
urlpatterns = [path("boom/", boom), path("suspicious/", suspicious), path("", include("config.urls"))]
__all__ = ["handler400", "handler403", "handler404", "urlpatterns"]


@pytest.fixture(autouse=True)
def _no_debug(settings: Any) -> None:
    settings.DEBUG = False  # the handlers below only answer with DEBUG off


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


@pytest.mark.django_db
def test_404_is_a_page_of_the_product_with_a_way_back_and_home(personas: Personas) -> None:
    page = f"/sites/{personas.other_site.pk}/"  # another organization's site does not exist for this person
    referer = f"http://testserver/sites/{personas.site.pk}/"
    response = logged_in(personas.consultant).get(page, HTTP_REFERER=referer)
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "core/error_base.html"]
    body = text(response)
    assert MAIN_NAV in body and page in body
    assert f'href="{referer}"' in body, "a way back to the page the person came from"
    assert 'href="/"' in body and "Go to your home page" in body


@pytest.mark.django_db
def test_404_offers_no_way_back_to_another_site_and_a_login_to_the_anonymous() -> None:
    response = Client().get("/no-such-page/", HTTP_REFERER="https://elsewhere.example/phish")
    assert response.status_code == 404
    body = text(response)
    assert "elsewhere.example" not in body
    assert 'href="/login/"' in body


@pytest.mark.django_db
def test_403_says_why_and_what_the_role_lets_the_person_do(personas: Personas) -> None:
    personas.admin.first_name, personas.admin.last_name = "Ada", "Admin"
    personas.admin.save()
    response = logged_in(personas.auditor).get(f"/sites/{personas.site.pk}/edit/")
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    body = text(response)
    assert MAIN_NAV in body
    assert "Your role lets you read this, not change it." in body
    assert "you are <strong>Auditor</strong>" in body
    assert "you can read its sites, assessments, evidence and reports." in body
    assert "create and edit" not in body, "an auditor is not told they may edit"
    assert "ask an admin: Ada Admin" in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_400_is_a_page_of_the_product(personas: Personas) -> None:
    response = logged_in(personas.owner).get("/suspicious/")
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    assert MAIN_NAV in text(response)


@pytest.mark.django_db
def test_400_for_a_host_we_do_not_serve_still_renders() -> None:
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "That request could not be understood" in text(response)


@pytest.mark.urls(__name__)
def test_500_is_static_and_needs_neither_request_nor_database() -> None:
    # No database fixture: any query would fail the test.
    body = loader.get_template("500.html").render()
    assert "Something went wrong on our side" in body
    assert 'href="/"' in body and 'href="/sites/"' in body
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in text(response)
    assert "RuntimeError" not in text(response) and "Traceback" not in text(response)


@pytest.mark.django_db
def test_a_403_is_logged_as_one_line_with_method_path_user_and_reason(personas: Personas, caplog: Any) -> None:
    page = f"/sites/{personas.site.pk}/edit/"
    with caplog.at_level(logging.INFO, logger="django.request"):
        logged_in(personas.auditor).get(page)
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None, "no traceback"
    assert record.getMessage() == (
        f"403 GET {page} by persona-auditor refused (PermissionDenied): Your role lets you read this, not change it."
    )
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_a_suspicious_request_is_one_line_too_with_newlines_escaped(caplog: Any) -> None:
    with caplog.at_level(logging.INFO):
        Client().get(f"/{uuid.uuid4()}%0Aforged-line/", HTTP_HOST="evil.example")
    records = [r for r in caplog.records if r.name.startswith("django.security")]
    assert len(records) == 1
    message = records[0].getMessage()
    assert message.startswith("400 GET /") and "by anonymous refused (DisallowedHost)" in message
    assert "\n" not in message and records[0].exc_info is None
