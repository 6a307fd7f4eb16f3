"""The roadmap PDF of a site: the demo's story read back with pypdf (sections, actions, owners, zones,
projected SL-A, KPIs, contents, bookmarks, running header and footer, the landscape timeline), a long
roadmap whose timeline continues over several pages, an empty site, and the runner end to end."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from program.kpis import KPIS
from remediation import selectors
from remediation.choices import ActionStatus, Phase
from remediation.demo import STORY_DAY
from remediation.models import Action
from reports import services
from reports.choices import JobStatus, ReportKind
from reports.pdf.roadmap import expected_pages, gantt_charts, render_roadmap
from reports.pdf.roadmap_data import roadmap_report
from tests.conftest import DEMO_GROUP, Personas
from tests.remediation.helpers import build_scenario, generated, make_action
from tests.reports.helpers import check_contents, check_running_header, outline_titles, page_of, pdf_text, squash
from zones.models import Site

pytestmark = pytest.mark.django_db
DEMO_SITE = "Riverside Water Treatment Works"


@pytest.fixture
def demo(demo_db: None) -> Site:
    """The demo site, seeded once for the tests that read the demo (tests.conftest.demo_db)."""
    return Site.objects.get(name=DEMO_SITE)


@pytest.mark.xdist_group(DEMO_GROUP)
def test_the_demo_roadmap_shows_phases_actions_owners_projection_and_kpis(demo: Site, caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger="reports.pdf.fetcher")
    pdf = render_roadmap(demo, today=STORY_DAY)
    reader, pages = pdf_text(pdf.data)
    assert pdf.pages == len(reader.pages)
    assert 10 <= pdf.pages <= 20
    report = roadmap_report(demo, today=STORY_DAY)
    assert abs(expected_pages(report, len(gantt_charts(report))) - pdf.pages) <= 0.3 * pdf.pages  # the progress bar
    assert not caplog.records  # the fetcher was asked for nothing but our stylesheets
    text = squash(" ".join(pages))

    cover = squash(pages[0])
    for fact in ("Remediation roadmap", DEMO_SITE, "Northfield Water Authority", "Status as of 25 November 2026",
                 "Casey Consultant, Olivia Owner"):  # fmt: skip
        assert fact in cover, fact
    assert re.search(r"[\d,]+ GBP external cost", cover), "costs in the organization's currency"
    for heading in ("1 Executive summary", "2 Timeline", "3 Phases and actions", "3.1 Within a month", "3.2 0-3 months",
                    "3.3 3-12 months", "3.4 12-18 months and beyond", "4 Overdue and unscheduled work",
                    "5 Projected security levels", "6 Security programme KPIs",
                    "Appendix A How to read this report"):  # fmt: skip
        assert heading in text, heading

    # Every action that is not rejected, with its owner, in the register; A01.. in the timeline's order.
    actions = list(Action.objects.filter(site=demo).exclude(status=ActionStatus.REJECTED).select_related("owner"))
    assert len(actions) >= 12
    first_phase = page_of(pages, "3.1 Within a month", start=2)
    register = squash(" ".join(pages[first_phase - 1 : page_of(pages, "4 Overdue", 3)]))
    for action in actions:
        assert action.title in register, action.title
    assert {a.owner.get_full_name() for a in actions if a.owner} == {"Casey Consultant", "Olivia Owner"}
    assert "Casey Consultant" in register and "Olivia Owner" in register
    first_quick_win = min(
        (a for a in actions if a.phase == Phase.QUICK_WIN), key=lambda a: a.planned_start or STORY_DAY
    )
    assert f"A01 {first_quick_win.title}" in register

    # Late work with how late it is (two actions are late in the story).
    late = squash(pages[page_of(pages, "4 Overdue and unscheduled work", start=2) - 1])
    overdue = [a for a in actions if a.is_overdue(STORY_DAY)]
    assert len(overdue) == 2
    for action in overdue:
        assert action.title in late
        days = (STORY_DAY - action.due_date).days if action.due_date else 0
        assert f"{days} day{'s' if days != 1 else ''}" in late

    # Each zone's and conduit's projected SL-A, as remediation.selectors computes it.
    start = page_of(pages, "5 Projected security levels", start=2) - 1
    projection_text = squash(" ".join(pages[start : page_of(pages, "6 Security programme KPIs", start) - 1]))
    projection = selectors.site_projection(demo, STORY_DAY)
    assert projection.rows
    for row in projection.rows:
        assert row.target.name.split()[0] in projection_text, row.target.name
        line = f"{row.projection.target} {row.projection.current} {row.projection.projected}"
        assert line in projection_text, line
        if row.reaches_quarter:
            assert row.reaches_quarter in projection_text
    assert "Field devices" in projection_text and "Q4 2026" in projection_text  # when the panel locks land

    kpis = squash(" ".join(pages[page_of(pages, "6 Security programme KPIs", start=start) - 1 :]))
    for kpi in KPIS:
        assert kpi.name in kpis, kpi.name
    assert "November 2026" in kpis


@pytest.mark.xdist_group(DEMO_GROUP)
def test_contents_bookmarks_running_header_and_the_landscape_timeline(demo: Site) -> None:
    pdf = render_roadmap(demo, today=STORY_DAY)
    reader, pages = pdf_text(pdf.data)

    check_contents(pages, entries=11)

    bookmarks = outline_titles(reader)
    for bookmark in [(0, "Contents"), (0, "1 Executive summary"), (0, "2 Timeline"), (1, "3.1 Within a month"),
                     (0, "5 Projected security levels"), (0, "Appendix A How to read this report")]:  # fmt: skip
        assert bookmark in bookmarks, bookmark

    check_running_header(
        pages,
        f"{DEMO_SITE} · Remediation roadmap",
        "Northfield Water Authority · Confidential",
        "Status as of 25 November 2026",
    )
    assert "Draft" not in " ".join(pages)  # a roadmap is a snapshot, not an unsigned draft

    timeline = page_of(pages, "2 Timeline", start=2)
    for n, sheet in enumerate(reader.pages, start=1):
        box = sheet.mediabox
        assert (float(box.width) > float(box.height)) == (n == timeline), n  # only the timeline is landscape
    chart = squash(pages[timeline - 1])
    assert "Today 25 Nov 2026" in chart and "Q4 2026" in chart
    assert "A01" in chart and "A18" in chart


def test_a_long_roadmap_continues_its_timeline_on_the_same_quarters(personas: Personas, media_root: Path) -> None:
    today = date(2026, 11, 25)
    for n in range(45):
        make_action(
            personas.site,
            personas.consultant,
            title=f"Harden station {n + 1:02d}",
            phase=Phase.MID_TERM if n % 3 else Phase.SHORT_TERM,
            planned_start=today + timedelta(days=7 * n),
            due_date=today + timedelta(days=7 * n + 30),
            owner=personas.owner,
        )
    report = roadmap_report(personas.site, today=today)
    charts = gantt_charts(report)
    assert len(charts) >= 2
    axes = [re.findall(r">(Q\d \d{4})</text>", str(chart)) for chart in charts]
    assert all(axis == axes[0] for axis in axes) and axes[0][0] == "Q4 2026"
    assert "(continued)" in " ".join(charts[1:])
    hrefs = [h for chart in charts for h in re.findall(r'href="([^"]*)"', str(chart))]
    assert len(hrefs) == 45 and all(h.startswith("#action-") for h in hrefs)  # inside the PDF, never the web app

    pdf = render_roadmap(personas.site, today=today)
    reader, pages = pdf_text(pdf.data)
    landscape = [n for n, p in enumerate(reader.pages) if float(p.mediabox.width) > float(p.mediabox.height)]
    assert len(landscape) == len(charts)
    chart_text = squash(" ".join(pages[n] for n in landscape))
    for n in range(1, 46):
        assert f"A{n:02d} Harden station" in chart_text, n  # every bar on some page, none cut off


def test_a_site_without_actions_or_assessment_still_reports(personas: Personas, media_root: Path) -> None:
    pdf = render_roadmap(personas.other_site)
    _, pages = pdf_text(pdf.data)
    text = squash(" ".join(pages))
    assert "No actions on the roadmap yet." in text
    assert "there is nothing to project from" in text
    assert "No action is past its due date." in text
    for kpi in KPIS:
        assert kpi.name in text


def test_the_runner_renders_a_requested_roadmap(
    personas: Personas, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = build_scenario(personas.site, personas.consultant)
    findings = generated(scenario)
    make_action(personas.site, personas.consultant, findings=findings[:1], owner=personas.owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.report_request(kind=ReportKind.ROADMAP, by=personas.auditor, site=personas.site)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress, job.attempts, job.error, job.assessment) == (100, 1, "", None)
    data = job.file.read()
    assert data.startswith(b"%PDF-")
    assert job.size == len(data) and job.sha256 == hashlib.sha256(data).hexdigest()
    reader, pages = pdf_text(data)
    assert job.pages == len(reader.pages) >= 8
    assert job.filename == f"site-a-roadmap-{timezone.localdate().isoformat()}.pdf"
    assert job.content_type == "application/pdf"
    text = squash(" ".join(pages))
    assert "Named accounts" in text and (personas.owner.get_full_name() or personas.owner.get_username()) in text
    assert "Zone 1" in text and "Zone 2" in text
