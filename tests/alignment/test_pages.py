"""The coverage page, its CSV and XLSX downloads, the catalogue's "Mapped to" column and the organization
admin's choice of frameworks."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from alignment.models import Framework
from tests.alignment.helpers import EXPECTED, KEY, CoveredAssessment, covered_assessment, load_test_framework
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(personas: Personas) -> CoveredAssessment:
    load_test_framework()
    return covered_assessment(personas.site, personas.consultant)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_coverage_page_shows_counts_items_and_links_to_results(
    personas: Personas, built: CoveredAssessment
) -> None:
    url = f"/assessments/{built.assessment.pk}/coverage/?framework={KEY}"
    response = client_for(personas.auditor).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="coverage-tab"' in page and 'aria-current="page">TestFW</a>' in page
    for ref, coverage in EXPECTED.items():
        assert f'data-item="{ref}" data-coverage="{coverage}"' in page
    assert '<span class="badge badge-ok" data-coverage="covered">Covered: 1</span>' in page
    # An item outside 62443's reach reads neutrally, with why nothing maps.
    assert '<span class="badge badge-role">Outside 62443-3-3&#x27;s reach</span>' in page
    assert "Governance: outside 62443-3-3" in page
    zone = built.zones[0]
    assert f"/assessments/{built.assessment.pk}/workspace/?target={zone.pk}#r-" in page


def test_the_coverage_page_404s_for_outsiders_and_unknown_frameworks(
    personas: Personas, built: CoveredAssessment
) -> None:
    base = f"/assessments/{built.assessment.pk}/coverage/"
    assert client_for(personas.outsider).get(f"{base}?framework={KEY}").status_code == 404
    assert client_for(personas.consultant).get(f"{base}?framework=nope").status_code == 404
    assert client_for(personas.outsider).get(f"{base}csv/?framework={KEY}").status_code == 404


def test_without_a_framework_the_page_opens_the_organizations_first_choice(
    personas: Personas, built: CoveredAssessment
) -> None:
    personas.org.alignment_frameworks = [KEY]
    personas.org.save()
    page = client_for(personas.owner).get(f"/assessments/{built.assessment.pk}/coverage/").content.decode()
    assert 'aria-current="page">TestFW</a>' in page


def test_the_csv_has_a_row_per_item_with_coverage_and_open_results(
    personas: Personas, built: CoveredAssessment
) -> None:
    response = client_for(personas.auditor).get(f"/assessments/{built.assessment.pk}/coverage/csv/?framework={KEY}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and "test-fw-coverage.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_item = {row["item"]: row for row in rows}
    assert list(by_item) == list(EXPECTED)
    assert by_item["A-2"]["coverage"] == "Partly covered"
    assert by_item["A-2"]["relationship"] == "Subset of; Intersects with"
    assert by_item["A-2"]["iec62443_3_3"] == "SR 1.3, SR 1.4"
    assert (by_item["A-2"]["compensated"], by_item["A-2"]["not_met"], by_item["A-2"]["results"]) == ("2", "1", "4")
    assert "SR 1.4 @ Zone 1 (not met)" in by_item["A-2"]["not_satisfied"]
    assert by_item["G-1"]["coverage"] == "Outside 62443-3-3's reach"
    assert by_item["G-1"]["no_counterpart"].startswith("Governance")


def test_the_xlsx_opens_with_the_same_rows(personas: Personas, built: CoveredAssessment) -> None:
    response = client_for(personas.auditor).get(f"/assessments/{built.assessment.pk}/coverage/xlsx/?framework={KEY}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Coverage"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:6] == ["framework", "group", "item", "title", "relationship", "coverage"]
    assert [row[2] for row in values[1:]] == list(EXPECTED)
    assert values[3][5] == "Not covered"


def test_the_catalogue_shows_each_items_mappings(personas: Personas, built: CoveredAssessment) -> None:
    page = client_for(personas.auditor).get("/catalogue/?part=3-3").content.decode()
    assert "<th>Mapped to</th>" in page
    assert '<strong>TestFW</strong> A-2 <span class="muted">· subset of · Accounts and identifiers are managed' in page


def test_the_organization_admin_chooses_frameworks_for_reports(personas: Personas, built: CoveredAssessment) -> None:
    url = f"/organizations/{personas.org.pk}/alignment/"
    page = client_for(personas.admin).get(f"/organizations/{personas.org.pk}/").content.decode()
    assert f'name="framework" value="{KEY}"' in page
    response = client_for(personas.admin).post(url, {"framework": [KEY]})
    assert response.status_code == 302
    personas.org.refresh_from_db()
    assert personas.org.alignment_frameworks == [KEY]
    personas.org.alignment_frameworks = []
    personas.org.save(update_fields=["alignment_frameworks"])
    refused = client_for(personas.admin).post(url, {"framework": [KEY, "nope"]}, follow=True)
    assert "Unknown framework: nope." in refused.content.decode()
    personas.org.refresh_from_db()
    assert personas.org.alignment_frameworks == []  # all or nothing: not even the known key
    client_for(personas.admin).post(url, {"framework": [KEY]})
    assert client_for(personas.consultant).post(url, {"framework": []}).status_code == 403
    assert client_for(personas.outsider).post(url, {"framework": []}).status_code == 404
    personas.org.refresh_from_db()
    assert personas.org.alignment_frameworks == [KEY]
    assert Framework.objects.filter(key=KEY).exists()
