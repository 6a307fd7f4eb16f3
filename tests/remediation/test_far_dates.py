"""Dates out of range (docs/decisions/0017-date-range.md): the API and the forms refuse an action due
9999-12-31 with a field error, and an action stored with such dates before the validator existed (written
here with .update(), which skips it) still leaves the roadmap page, its Gantt chart and the roadmap PDF's data
working for everyone, the bar cut at the chart's edge and marked out of range."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from remediation.forms import ActionForm
from remediation.gantt import GanttBar, GanttLane, axis_window, render_gantt
from remediation.models import Action
from remediation.selectors import horizon
from remediation.timeline import bar_dates, gantt_svg
from reports.pdf.roadmap import gantt_charts
from reports.pdf.roadmap_data import roadmap_report
from tests.conftest import Personas, api_as
from tests.remediation.helpers import TODAY, make_action, manual_finding

pytestmark = pytest.mark.django_db

FAR_DATES = [date(9999, 12, 31), date(1, 1, 1)]


def test_the_api_refuses_an_action_due_9999_12_31(personas: Personas) -> None:
    client = api_as(personas.consultant)
    body = {"site": str(personas.site.pk), "title": "Never", "phase": "long_term", "due_date": "9999-12-31"}
    response = client.post("/api/v1/actions/", body, format="json")
    assert response.status_code == 400, response.content
    assert "due_date" in response.json() and "1900-01-01" in response.json()["due_date"][0]
    assert not Action.objects.filter(title="Never").exists()


def test_the_api_refuses_far_dates_on_edit_and_on_findings(personas: Personas) -> None:
    client = api_as(personas.consultant)
    action = make_action(personas.site, personas.consultant)
    url = f"/api/v1/actions/{action.pk}/"
    response = client.patch(url, {"planned_start": "0001-01-01"}, format="json", HTTP_IF_MATCH=f'"{action.version}"')
    assert response.status_code == 400 and "planned_start" in response.json(), response.content
    body = {"site": str(personas.site.pk), "title": "Typo", "source": "third_party_audit", "severity": "low",
            "identified": "2206-09-15"}  # fmt: skip
    response = client.post("/api/v1/findings/", body, format="json")
    assert response.status_code == 400 and "identified" in response.json(), response.content


def test_the_action_form_refuses_a_far_due_date(personas: Personas) -> None:
    form = ActionForm(
        data={"title": "Never", "status": "planned", "phase": "long_term", "due_date": "9999-12-31"},
        instance=Action(site=personas.site),
        site=personas.site,
    )
    assert not form.is_valid()
    assert "due_date" in form.errors


def stored_far(personas: Personas, **dates: date | None) -> Action:
    """An action whose dates were stored before the validator existed (.update() skips validation)."""
    action = make_action(personas.site, personas.consultant, [manual_finding(personas.site, personas.consultant)])
    Action.objects.filter(pk=action.pk).update(**dates)
    action.refresh_from_db()
    return action


@pytest.mark.parametrize("far", FAR_DATES, ids=str)
def test_a_stored_far_date_still_renders_the_roadmap_page(personas: Personas, far: date) -> None:
    stored_far(personas, due_date=far, planned_start=None)
    client = Client()
    client.force_login(personas.owner)
    response = client.get(f"/roadmap/?site={personas.site.pk}")
    assert response.status_code == 200
    assert "is-out-of-range" in response.content.decode()


@pytest.mark.parametrize("far", FAR_DATES, ids=str)
def test_a_stored_far_date_still_draws_the_gantt_svg(personas: Personas, far: date) -> None:
    stored_far(personas, due_date=far, planned_start=far)
    response = api_as(personas.auditor).get(f"/api/v1/roadmap/gantt.svg?site={personas.site.pk}")
    assert response.status_code == 200
    chart = response.content.decode()
    assert "is-out-of-range" in chart and "OUT OF RANGE" in chart
    years = [int(y) for y in re.findall(r">Q\d (\d{4})</text>", chart)]
    low, high = axis_window(date.today())
    assert years and low.year <= min(years) and max(years) <= high.year  # the axis stays near today


@pytest.mark.parametrize("far", FAR_DATES, ids=str)
def test_a_stored_far_date_still_gives_the_roadmap_pdf_data(personas: Personas, far: date) -> None:
    action = stored_far(personas, due_date=far, planned_start=None)
    report = roadmap_report(personas.site, today=TODAY)
    assert [r.action.pk for r in report.rows] == [action.pk]
    charts = gantt_charts(report)
    assert len(charts) == 1 and "is-out-of-range" in charts[0]
    assert report.horizon[0].year >= 1900 and report.horizon[1].year <= 2200


def test_the_timeline_arithmetic_never_overflows() -> None:
    for far in FAR_DATES:
        start_only = Action(planned_start=far, effort_days=None)
        due_only = Action(due_date=far, effort_days=99999)
        for action in (start_only, due_only):
            span = bar_dates(action)
            assert span is not None and date(1500, 1, 1) <= span[0] <= span[1] <= date(2201, 1, 31)
        first, last = horizon([start_only, due_only], TODAY)
        assert date(1900, 1, 1) <= first <= TODAY <= last <= date(2200, 12, 31)
        assert "gantt" in gantt_svg([start_only, due_only], TODAY)


def test_bars_beyond_the_window_are_cut_and_marked_in_range_ones_are_not() -> None:
    lanes = [GanttLane("mid_term", "3-12 months")]
    bars = [
        GanttBar("Near", "mid_term", date(2026, 12, 1), date(2027, 3, 31), "planned"),
        GanttBar("Far", "mid_term", date(2027, 1, 1), date(2200, 12, 31), "planned"),
        GanttBar("Past", "mid_term", date(1900, 1, 1), date(2026, 1, 1), "done"),
    ]
    chart = render_gantt(bars, lanes, TODAY)
    groups = re.findall(r'<g class="([^"]*)">.*?<text[^>]*>([^<]*)</text>', chart)
    assert [("is-out-of-range" in cls, label) for cls, label in groups] == [
        (False, "Near"),
        (True, "Far"),
        (True, "Past"),
    ]
    assert "▶" in chart and "◀" in chart
    years = [int(y) for y in re.findall(r">Q\d (\d{4})</text>", chart)]
    assert min(years) == TODAY.year - 5 and max(years) == TODAY.year + 10
