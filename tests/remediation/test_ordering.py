"""Findings sort by severity (critical first), then age (oldest first): the list page, the API's default
order and the gap PDF's findings section. "Quick win" names a priority only; the phase reads "Within a month"."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from remediation import rules
from remediation.choices import Phase, Severity
from remediation.models import FINDING_ORDER, Finding
from tests.conftest import Personas, api_as
from tests.remediation.helpers import manual_finding

pytestmark = pytest.mark.django_db
EXPECTED = ["Critical, old", "Critical, new", "High, old", "Medium", "Low, oldest of all"]


@pytest.fixture
def findings(personas: Personas) -> list[Finding]:
    made = [
        ("Medium", Severity.MEDIUM, date(2026, 1, 1)),
        ("Critical, new", Severity.CRITICAL, date(2026, 6, 1)),
        ("Low, oldest of all", Severity.LOW, date(2020, 1, 1)),
        ("High, old", Severity.HIGH, date(2025, 1, 1)),
        ("Critical, old", Severity.CRITICAL, date(2025, 3, 1)),
    ]
    return [manual_finding(personas.site, personas.admin, title=t, severity=s, identified=d) for t, s, d in made]


def test_the_model_and_its_order(findings: list[Finding]) -> None:
    assert [f.title for f in Finding.objects.all()] == EXPECTED
    assert [f.title for f in Finding.objects.order_by(*FINDING_ORDER)] == EXPECTED


def test_the_findings_list(personas: Personas, findings: list[Finding]) -> None:
    client = Client()
    client.force_login(personas.auditor)
    page = client.get(f"/findings/?site={personas.site.pk}").content.decode()
    positions = [page.index(f">{title}</a>") for title in EXPECTED]
    assert positions == sorted(positions)


def test_the_api_default_order(personas: Personas, findings: list[Finding]) -> None:
    body = api_as(personas.auditor).get(f"/api/v1/findings/?site={personas.site.pk}").json()
    assert [f["title"] for f in body["results"]] == EXPECTED


def test_the_gap_pdf_findings_section(personas: Personas, findings: list[Finding]) -> None:
    from reports.pdf.gap_findings import _register_findings
    from tests.assessments.helpers import make_assessment, make_plant, uniform

    plant = make_plant(personas.site, [uniform(1)])
    assessment = make_assessment(personas.site, personas.admin, zones=plant.zones)
    Finding.objects.filter(pk__in=[f.pk for f in findings]).update(assessment=assessment)
    rows = _register_findings(assessment, {})
    assert [r.title for r in rows] == EXPECTED
    # Numbered in the order the findings were recorded, whatever the order of the table (decision 0039).
    recorded = Finding.objects.filter(pk__in=[f.pk for f in findings]).order_by("created", "pk")
    assert {r.title: r.number for r in rows} == {f.title: f"F{n:02d}" for n, f in enumerate(recorded, start=1)}


def test_quick_win_is_a_priority_and_never_a_phase() -> None:
    assert "quick win" in rules.PRIORITY_LABELS[1]
    assert all("quick win" not in str(label).lower() for label in Phase.labels)
    assert Phase.QUICK_WIN.label == "Within a month"
