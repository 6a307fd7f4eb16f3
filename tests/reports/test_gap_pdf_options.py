"""The gap-assessment report's options and cover facts, at the data and HTML level (no PDF is rendered here:
tests/reports/test_gap_pdf.py renders one): not-assessed items as a compact list per zone or conduit, on by
default for unfinished assessments; the sign-off on the cover; people named in the history appendix; and
the roadmap cover's real span of the actions and the phases in use."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.template.loader import render_to_string

from assessments import services as assessment_services
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Result
from remediation.choices import Phase
from reports import services
from reports.choices import COMPACT_NOT_ASSESSED, ReportKind
from reports.pdf import gap_assessment, roadmap
from reports.pdf.gap_data import gap_report
from reports.pdf.roadmap_data import roadmap_report
from tests.conftest import Personas, api_as
from tests.remediation.helpers import make_action
from tests.reports.helpers import Sample

pytestmark = pytest.mark.django_db
WHY = "Needed for the insurer; Zone 2 is assessed in the next visit."


def html_of(report: Any) -> str:
    return render_to_string(gap_assessment.TEMPLATE, gap_assessment.context(report))


def test_not_assessed_items_as_one_compact_list_per_zone_or_conduit(sample: Sample) -> None:
    full = gap_report(sample.assessment)
    compact = gap_report(sample.assessment, compact_not_assessed=True)
    for long, short in zip(full.sections, compact.sections, strict=True):
        expected = [
            row.ref for g in long.groups for row in g.rows if row.status == ResultStatus.NOT_ASSESSED
        ]  # catalogue order
        assert [ref.replace("\u00a0", " ") for ref in short.not_assessed_refs] == expected
        assert all(row.status != ResultStatus.NOT_ASSESSED for g in short.groups for row in g.rows)
        assessed = [row.ref for g in long.groups for row in g.rows if row.status != ResultStatus.NOT_ASSESSED]
        assert [row.ref for g in short.groups for row in g.rows] == assessed
        assert sum(g.not_assessed for g in short.groups) == len(expected)
    assert sum(len(s.not_assessed_refs) for s in compact.sections) == compact.not_assessed > 0
    html = html_of(compact)
    zone2 = next(s for s in compact.sections if s.obj.name == "Zone 2")
    assert f"Not assessed yet: {len(zone2.not_assessed_refs)} of {zone2.summary.progress.total}" in html
    assert ", ".join(zone2.not_assessed_refs) in html
    # One row per not-assessed item only without the option.
    assert html.count('class="badge status-not_assessed"') < html_of(full).count('class="badge status-not_assessed"')


def test_the_option_defaults_to_compact_while_the_assessment_is_not_final(personas: Personas, sample: Sample) -> None:
    open_job = services.report_request(
        kind=ReportKind.GAP_ASSESSMENT, by=personas.auditor, assessment=sample.assessment
    )
    assert open_job.parameters == {COMPACT_NOT_ASSESSED: True}
    chosen = services.report_request(
        kind=ReportKind.EVIDENCE_BUNDLE,
        by=personas.auditor,
        assessment=sample.assessment,
        parameters={COMPACT_NOT_ASSESSED: False},
    )
    assert chosen.parameters == {COMPACT_NOT_ASSESSED: False}
    csv = services.report_request(kind=ReportKind.RESULTS_CSV, by=personas.auditor, assessment=sample.assessment)
    assert csv.parameters == {}
    with pytest.raises(Exception, match="Unknown option"):
        services.report_request(
            kind=ReportKind.RESULTS_CSV, by=personas.auditor, assessment=sample.assessment, parameters={"x": 1}
        )
    response = api_as(personas.auditor).post(
        "/api/v1/reports/",
        {"kind": "gap_assessment", "assessment": str(sample.assessment.pk), "compact_not_assessed": False},
        format="json",
    )
    assert response.status_code == 202, response.json()
    assert response.json()["parameters"] == {COMPACT_NOT_ASSESSED: False}


def test_the_cover_shows_the_sign_off_and_the_appendix_names_people(personas: Personas, sample: Sample) -> None:
    result = Result.objects.get(pk=sample.not_met.pk)
    assessment_services.result_update(result=result, by=personas.consultant, fields={"assignee": personas.owner})
    personas.owner.first_name, personas.owner.last_name = "Olivia", "Owner"
    personas.owner.save()
    assessment = sample.assessment
    for step in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW, AssessmentStatus.FINAL):
        assessment = assessment_services.assessment_transition(
            assessment=assessment, to=step, by=personas.consultant, reason=WHY
        )
    report = gap_report(assessment)
    assert report.sign_off is not None and report.sign_off.unassessed == report.not_assessed > 0
    html = html_of(report)
    cover = html.split('<section class="cover">')[1].split("</section>")[0]
    assert f"{report.not_assessed} items not assessed at sign-off" in cover
    assert WHY in cover and "persona-consultant" in cover
    # The history appendix names the person assigned, as the web page does (not "someone").
    changes = [c for row in report.recent_changes for c in row.changes if c[0] == "Assignee"]
    assert changes == [("Assignee", "—", "Olivia Owner")]
    assert "Sign-offs and reopenings" in html

    reopened = assessment_services.assessment_transition(
        assessment=assessment, to="in_review", by=personas.admin, reason="A late firewall export"
    )
    after = gap_report(reopened)
    assert after.sign_off is None and after.last_reopened is not None
    cover = html_of(after).split('<section class="cover">')[1].split("</section>")[0]
    assert "Not signed off" in cover and "A late firewall export" in cover


def test_the_roadmap_cover_states_the_span_of_the_actions_and_the_phases_used(personas: Personas) -> None:
    site, by = personas.site, personas.consultant
    early, late = (date(2026, 9, 14), date(2026, 10, 1)), (date(2027, 1, 4), date(2027, 11, 30))
    make_action(site, by, title="Early", phase=Phase.QUICK_WIN, planned_start=early[0], due_date=early[1])
    make_action(site, by, title="Late", phase=Phase.MID_TERM, planned_start=late[0], due_date=late[1])
    make_action(site, by, title="No dates", phase=Phase.MID_TERM, planned_start=None, due_date=None)
    report = roadmap_report(site, today=date(2026, 9, 1))
    assert report.action_span == (date(2026, 9, 14), date(2027, 11, 30))
    assert len(report.phases_in_use) == 2 and report.phases_in_use[1].endswith("(2)")
    html = render_to_string(roadmap.TEMPLATE, roadmap.context(report, roadmap.gantt_charts(report)))
    cover = html.split('<section class="cover">')[1].split("</section>")[0]
    assert "14 September 2026" in cover and "30 November 2027" in cover
    assert f"2 of {len(report.road.phases)} in use" in cover
