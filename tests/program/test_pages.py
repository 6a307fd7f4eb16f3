"""The program pages: the permission matrix on every page, the forms, the import through the page, the
dashboard's tiles and month choice, CSP-safe markup and query counts."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from program.models import Exercise, TrainingRecord, Vulnerability
from tests.conftest import PERSONA_NAMES, WRITERS, Personas
from tests.program.factories import ExerciseFactory, TrainingRecordFactory, critical
from tests.zones.plant import Plant, small_plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_pages(personas: Personas, plant: Plant) -> list[str]:
    site = personas.site.pk
    return [
        reverse("kpi-organization", args=[personas.org.pk]),
        reverse("kpi-site", args=[site]),
        reverse("vulnerability-list", args=[site]),
        reverse("training-list", args=[site]),
        reverse("exercise-list", args=[site]),
        reverse("vulnerability-export", args=[site]),
    ]


def write_pages(personas: Personas, plant: Plant) -> list[str]:
    site = personas.site.pk
    vuln = critical(plant.plc, found=date(2026, 1, 1))
    record = TrainingRecordFactory.create(site=personas.site)
    exercise = ExerciseFactory.create(site=personas.site)
    return [
        reverse("vulnerability-create", args=[site]),
        reverse("vulnerability-import", args=[site]),
        reverse("vulnerability-edit", args=[vuln.pk]),
        reverse("training-create", args=[site]),
        reverse("training-edit", args=[record.pk]),
        reverse("exercise-create", args=[site]),
        reverse("exercise-edit", args=[exercise.pk]),
    ]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_page_matrix(personas: Personas, plant: Plant, name: str) -> None:
    client = client_for(personas.by_name(name))
    assert client.get(reverse("kpi-index")).status_code == 200
    for url in read_pages(personas, plant):
        assert client.get(url).status_code == (404 if name == "outsider" else 200), url
    for url in write_pages(personas, plant):
        expected = 200 if name in WRITERS else 404 if name == "outsider" else 403
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_delete_matrix(personas: Personas, plant: Plant, name: str) -> None:
    client = client_for(personas.by_name(name))
    exercise = ExerciseFactory.create(site=personas.site)
    response = client.post(reverse("program-record-delete", args=["exercise", exercise.pk]), {"version": "1"})
    assert response.status_code == (302 if name in WRITERS else 404 if name == "outsider" else 403)
    assert Exercise.objects.filter(pk=exercise.pk).exists() == (name not in WRITERS)


def test_anonymous_people_are_sent_to_log_in(personas: Personas) -> None:
    response = Client().get(reverse("kpi-site", args=[personas.site.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_index_offers_organization_dashboards_only_to_people_who_see_every_site(
    personas: Personas, plant: Plant
) -> None:
    url = reverse("kpi-organization", args=[personas.org.pk])
    assert url in client_for(personas.auditor).get(reverse("kpi-index")).content.decode()
    Membership.objects.filter(user=personas.auditor).update(all_sites=False)
    client = client_for(personas.auditor)
    assert url not in client.get(reverse("kpi-index")).content.decode()
    assert client.get(url).status_code == 404


def test_the_dashboard_shows_six_tiles_with_rag_and_charts(personas: Personas, plant: Plant) -> None:
    critical(plant.plc, found=date(2026, 1, 1))
    ExerciseFactory.create(site=personas.site, held_on=date(2026, 1, 15))
    html = client_for(personas.owner).get(reverse("kpi-site", args=[personas.site.pk])).content.decode()
    tiles = re.findall(r'<section class="kpi-tile rag-(\w+)" id="kpi-(\w+)"', html)
    assert len(tiles) == 6
    rag = {key: colour for colour, key in tiles}
    assert rag["critical_vulnerabilities_remediated"] == "red"
    assert rag["zones_at_target"] == "none"
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart"') == 6
    assert "Import vulnerabilities (CSV)" in html
    # The strict CSP: no inline script or style anywhere on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    auditor_html = client_for(personas.auditor).get(reverse("kpi-site", args=[personas.site.pk])).content.decode()
    assert "Import vulnerabilities (CSV)" not in auditor_html


def test_the_dashboard_shows_a_chosen_month_and_refuses_bad_ones(personas: Personas, plant: Plant) -> None:
    client = client_for(personas.auditor)
    url = reverse("kpi-site", args=[personas.site.pk])
    html = client.get(url, {"month": "2026-03"}).content.decode()
    assert '<strong id="period">March 2026</strong>' in html
    for bad in ("2026-13", "2999-01"):
        response = client.get(url, {"month": bad})
        assert response.status_code == 200
        assert "Showing the current month." in response.content.decode()


def test_adding_and_editing_a_vulnerability_through_the_forms(personas: Personas, plant: Plant) -> None:
    client = client_for(personas.owner)
    url = reverse("vulnerability-create", args=[personas.site.pk])
    data = {"asset": plant.plc.pk, "cve": "CVE-2026-3131", "cvss_score": "9.3", "found": "2026-02-01",
            "status": "open"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "vulnerability-list", args=[personas.site.pk]
    )
    vuln = Vulnerability.objects.get()
    assert vuln.severity == "critical"
    bad = client.post(url, {**data, "cve": "CVE-2026-3132", "fixed": "2026-01-01"})
    assert bad.status_code == 200 and "before it was found" in bad.content.decode()
    edit = reverse("vulnerability-edit", args=[vuln.pk])
    fixed = {**data, "fixed": "2026-02-20", "status": "fixed", "version": "1"}
    assert client.post(edit, fixed).status_code == 302
    stale = client.post(edit, {**fixed, "title": "Late edit"})
    body = stale.content.decode()
    assert stale.status_code == 200 and "Someone else saved this vulnerability while you were editing" in body
    assert 'value="Late edit"' in body and "Reload the page" not in body  # the input is kept
    assert '<td data-role="theirs">—</td><td data-role="yours">Late edit</td>' in body  # theirs beside it
    vuln.refresh_from_db()
    assert (vuln.status, vuln.version, vuln.title) == ("fixed", 2, "")


def test_training_and_exercise_forms(personas: Personas, plant: Plant) -> None:
    client = client_for(personas.consultant)
    training = {"programme": "Awareness", "period_start": "2026-01-01", "period_end": "2026-03-31",
                "people_required": "40", "people_completed": "30"}  # fmt: skip
    assert client.post(reverse("training-create", args=[personas.site.pk]), training).status_code == 302
    assert TrainingRecord.objects.get().percent == 75.0
    exercise = {"held_on": "2026-03-03", "kind": "tabletop", "scenario": "Ransomware", "outcome": "partially_met"}
    assert client.post(reverse("exercise-create", args=[personas.site.pk]), exercise).status_code == 302
    page = client.get(reverse("exercise-list", args=[personas.site.pk])).content.decode()
    assert "Ransomware" in page and "Objectives partially met" in page


def test_importing_through_the_page(personas: Personas, plant: Plant) -> None:
    client = client_for(personas.owner)
    url = reverse("vulnerability-import", args=[personas.site.pk])
    text = b"asset,cve,cvss,found\nPLC-1,CVE-2026-01,9.8,2026-03-01\nNope,CVE-2026-0002,9,2026-03-01\n"
    bad = SimpleUploadedFile("v.csv", text)
    response = client.post(url, {"file": bad, "next": "kpis"})
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "Nothing was imported." in html
    assert "is not a CVE id" in html and "asset 'Nope' is not the tag or name" in html
    assert not Vulnerability.objects.exists()
    text = b"asset,cve,cvss,found,fixed\nPLC-1,CVE-2026-0001,9.8,2026-03-01,2026-03-21\n"
    good = SimpleUploadedFile("v.csv", text)
    response = client.post(url, {"file": good, "next": "kpis"})
    assert response.status_code == 302 and response["Location"] == reverse("kpi-site", args=[personas.site.pk])
    assert Vulnerability.objects.get().days_to_fix == 20
    elsewhere = client.post(url, {"file": SimpleUploadedFile("v.csv", b"asset,cve,found\n"), "next": "https://evil"})
    assert elsewhere.status_code == 200  # an empty file; and `next` is never a URL


@pytest.mark.parametrize("page", ["vulnerability-list", "training-list", "exercise-list", "kpi-site"])
def test_page_queries_do_not_grow_with_rows(personas: Personas, plant: Plant, page: str) -> None:
    client = client_for(personas.auditor)
    url = reverse(page, args=[personas.site.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        critical(plant.firewall if n % 2 else plant.plc, found=date(2026, 1, 1), cve=f"CVE-2026-{9000 + n}")
        TrainingRecordFactory.create(site=personas.site, programme=f"P{n}")
        ExerciseFactory.create(site=personas.site)

    add(0)
    few = count()
    for n in range(1, 13):
        add(n)
    assert count() == few
