"""The gap-assessment report's "Regulatory alignment" chapter: present for the frameworks the organization
chose, in their order, with counts and a row per item; absent when it chose none. (HTML only: the PDF
itself is rendered by tests/reports.)"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from reports.pdf.gap_assessment import TEMPLATE, context
from reports.pdf.gap_data import gap_report
from tests.alignment.helpers import EXPECTED, KEY, covered_assessment, load_test_framework
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_the_chapter_lists_each_chosen_framework_before_the_sign_off(personas: Personas) -> None:
    load_test_framework()
    built = covered_assessment(personas.site, personas.consultant)
    personas.org.alignment_frameworks = [KEY, "not-loaded"]  # a key no longer loaded is skipped
    personas.org.save()
    report = gap_report(built.assessment)
    titles = [e.title for e in report.outline.entries]
    assert titles.index("Regulatory alignment") == titles.index("Sign-off") - 2
    assert titles[titles.index("Regulatory alignment") + 1] == "TestFW"
    (section,) = report.alignment
    assert section.entry.number.endswith(".1")
    assert {value: n for value, _, n, _ in section.counts} == dict.fromkeys(EXPECTED.values(), 1)
    assert [(row.ref, row.coverage) for row in section.rows] == list(EXPECTED.items())
    assert section.rows[1].refs == "SR\u00a01.3, SR\u00a01.4"
    html = render_to_string(TEMPLATE, context(report))
    assert html.count('<section class="chapter alignment">') == 1
    assert f'<a href="#alignment-{KEY}">' in html  # the contents entry
    assert '<span class="badge status-partially_met">Partly covered</span>' in html


def test_no_chapter_when_the_organization_chose_no_framework(personas: Personas) -> None:
    load_test_framework()
    built = covered_assessment(personas.site, personas.consultant, zones=1)
    report = gap_report(built.assessment)
    assert report.alignment == []
    assert "Regulatory alignment" not in [e.title for e in report.outline.entries]
    assert "chapter alignment" not in render_to_string(TEMPLATE, context(report))
