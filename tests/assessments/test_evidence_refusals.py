"""The evidence panel of a result says why an upload was refused (type, size, nothing given), in the panel,
for htmx as for a plain form post; after an upload, a link or an unlink its answer carries the result's
evidence chips; the panel shows each evidence's description and expiry (expired ones marked)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Evidence, Result
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def result(personas: Personas) -> Result:
    make_plant(personas.site, [uniform(1)])
    assessment = make_assessment(personas.site, personas.consultant)
    return Result.objects.filter(assessment=assessment).order_by("requirement__ref")[0]


def post(client: Any, result: Result, data: dict[str, Any], htmx: bool = True) -> Any:
    return client.post(f"/results/{result.pk}/evidence/", data, **(HTMX if htmx else {}))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"description": "no file"}, "Choose a file to upload or give a reference"),
        ({"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")}, "Files of type .exe are not accepted"),
        ({"file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")}, "File:"),
        ({"file": SimpleUploadedFile("empty.pdf", b"")}, "empty"),
        ({"reference": "DMS-1", "expires": "next week"}, "Expires: Enter a valid date."),
    ],
    ids=["nothing", "type", "disguised", "empty", "bad-date"],
)
def test_a_refusal_is_said_in_the_panel(
    client: Any, personas: Personas, result: Result, data: dict[str, Any], reason: str
) -> None:
    client.force_login(personas.owner)
    response = post(client, result, data)
    body = response.content.decode()
    # htmx swaps only 2xx answers: the panel comes back whole, with the reason in words.
    assert response.status_code == 200
    assert 'class="evidence-panel"' in body and "Not added." in body and reason in body
    assert not Evidence.objects.exists()


def test_a_plain_post_is_refused_with_400(client: Any, personas: Personas, result: Result) -> None:
    client.force_login(personas.owner)
    response = post(client, result, {"description": "nothing else"}, htmx=False)
    assert response.status_code == 400
    assert "Choose a file to upload or give a reference" in response.content.decode()


def test_too_large_is_said_with_the_limit(client: Any, personas: Personas, result: Result, settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 2048
    client.force_login(personas.owner)
    body = post(client, result, {"file": SimpleUploadedFile("big.txt", b"x" * 4096)}).content.decode()
    assert "evidence files are limited to" in body and "Not added." in body
    # The browser checks the size before sending, from the same limit.
    assert 'data-max-bytes="2048"' in body


def test_a_refusal_keeps_what_was_typed(client: Any, personas: Personas, result: Result) -> None:
    client.force_login(personas.owner)
    data = {"file": SimpleUploadedFile("tool.exe", b"MZ"), "description": "Installer", "expires": "2031-02-03"}
    body = post(client, result, data).content.decode()
    assert 'value="Installer"' in body and 'value="2031-02-03"' in body
    assert "Choose a file again." in body


def test_an_upload_answers_the_chips_out_of_band_with_description_and_expiry(
    client: Any, personas: Personas, result: Result
) -> None:
    client.force_login(personas.owner)
    upload = SimpleUploadedFile("rules.pdf", b"%PDF-1.7 rules", content_type="application/pdf")
    response = post(client, result, {"file": upload, "description": "Firewall rule review", "expires": "2020-01-31"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Added “rules.pdf”." in body
    assert f'id="chips-{result.pk}" hx-swap-oob="true"' in body
    assert "Firewall rule review" in body
    assert "expired 2020-01-31" in body  # in the panel; the chip says so too
    assert 'class="chip is-expired"' in body


def test_the_panel_shows_a_future_expiry_and_no_chips_on_get(client: Any, personas: Personas, result: Result) -> None:
    services.evidence_add(
        assessment=result.assessment,
        by=personas.owner,
        reference="DMS-7",
        description="Drawing",
        expires=dt.date(2099, 5, 6),
        results=[result],
    )
    client.force_login(personas.auditor)
    body = client.get(f"/results/{result.pk}/evidence/").content.decode()
    assert "expires 2099-05-06" in body and "Drawing" in body and "expired" not in body
    assert "hx-swap-oob" not in body  # only answers to a change carry the chips
    chips = client.get(f"/results/{result.pk}/evidence/?part=chips").content.decode()
    assert f'id="chips-{result.pk}"' in chips and "DMS-7" in chips and "hx-swap-oob" not in chips


def test_link_and_unlink_answer_the_chips(client: Any, personas: Personas, result: Result) -> None:
    evidence = services.evidence_add(assessment=result.assessment, by=personas.owner, reference="DMS-9")
    client.force_login(personas.owner)
    linked = post(client, result, {"link": evidence.pk}).content.decode()
    chips = linked[linked.index(f'id="chips-{result.pk}"') :]
    assert "Linked “DMS-9”." in linked and "DMS-9" in chips
    unlinked = post(client, result, {"unlink": evidence.pk}).content.decode()
    chips = unlinked[unlinked.index(f'id="chips-{result.pk}"') :]
    assert "Unlinked “DMS-9”." in unlinked and "DMS-9" not in chips


def test_a_refused_link_is_said_in_the_panel(client: Any, personas: Personas, result: Result) -> None:
    other = make_assessment(personas.site, personas.consultant, title="Another assessment")
    evidence = services.evidence_add(assessment=other, by=personas.owner, reference="DMS-9")
    client.force_login(personas.owner)
    body = post(client, result, {"link": evidence.pk}).content.decode()
    assert "Not done: Evidence can only support results of its own assessment." in body
    assert not evidence.results.exists()


def test_the_workspace_marks_expired_chips(client: Any, personas: Personas, result: Result) -> None:
    services.evidence_add(
        assessment=result.assessment,
        by=personas.owner,
        reference="OLD-1",
        expires=dt.date(2001, 1, 1),
        results=[result],
    )
    client.force_login(personas.consultant)
    body = client.get(f"/assessments/{result.assessment_id}/workspace/?target={result.zone_id}").content.decode()
    assert f'id="chips-{result.pk}"' in body and 'class="chip is-expired"' in body
