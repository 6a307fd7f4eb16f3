"""The remediation roadmap report of a site: data (roadmap_data) → HTML (templates/reports/pdf/roadmap.html,
print CSS in static/css/pdf/report.css and roadmap.css) → PDF. Called by the report runner in a Celery worker."""

from __future__ import annotations

import math
import re
import time
from datetime import date

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from remediation import gantt
from remediation.choices import ActionStatus
from remediation.timeline import bar_dates, lanes_for
from reports.pdf.fetcher import static_url
from reports.pdf.render import ProgressFn, RenderedPdf, html_to_pdf
from reports.pdf.roadmap_data import RoadmapReport, roadmap_report
from zones.models import Site

TEMPLATE = "reports/pdf/roadmap.html"
# The Gantt chart is 1,200 units wide and fills the width of a landscape page (about 0.22 mm a unit): this
# many units of height fit with the legend under the chapter heading (first page) or alone (the next ones).
# Longer roadmaps continue on further pages with the same time axis and the quarter header repeated.
CHART_HEIGHT = (630, 710)
_HREF = re.compile(r'\b(xlink:href|href)="([^"]*)"')
_TITLE_ID = 'id="gantt-title"'


def _bars(report: RoadmapReport) -> list[gantt.GanttBar]:
    """The bars of remediation.timeline.gantt_svg, numbered like the register and linked to its rows."""
    bars = []
    for row in report.rows:
        span = bar_dates(row.action)
        if span is None:
            continue
        action = row.action
        bars.append(
            gantt.GanttBar(
                label=f"{row.number} {action.title}",
                lane=action.phase,
                start=span[0],
                end=span[1],
                status=action.status,
                status_label=ActionStatus(action.status).label,
                overdue=row.overdue,
                href=f"#{row.anchor}",
                detail=f"{action.owner or 'no owner'} · due {action.due_date or '—'}",
            )
        )
    return bars


def _pages(report: RoadmapReport) -> list[list[tuple[gantt.GanttLane, list[gantt.GanttBar]]]]:
    """The lanes and bars on each page of the chart: whole lanes where they fit, else split between
    bars (a lane's head never ends a page alone), the rest marked as continued."""
    bars = _bars(report)
    pages: list[list[tuple[gantt.GanttLane, list[gantt.GanttBar]]]] = [[]]
    used = gantt.HEADER + 8
    for lane in lanes_for(report.road):
        rest = [b for b in bars if b.lane == lane.key]
        label = lane.label
        while True:
            room = (CHART_HEIGHT[len(pages) > 1] - used - gantt.LANE_HEAD) // gantt.ROW
            if not rest and room < 1 and pages[-1]:
                break  # an empty phase never opens a page of its own (the register says it is empty)
            if room < min(max(len(rest), 1), 2) and pages[-1]:
                pages.append([])
                used = gantt.HEADER + 8
                continue
            taken = rest[: max(room, 1)]
            pages[-1].append((gantt.GanttLane(lane.key, label, lane.note), taken))
            used += gantt.LANE_HEAD + max(len(taken), 1) * gantt.ROW
            rest = rest[len(taken) :]
            if not rest:
                break
            label = f"{lane.label} (continued)"
            pages.append([])
            used = gantt.HEADER + 8
    return pages


def _local(svg: str, fallback: str) -> str:
    """Links stay inside the PDF: a bar points to its action's row; anything else to the timeline."""

    def local(match: re.Match[str]) -> str:
        target = match.group(2)
        return f'{match.group(1)}="{target if target.startswith("#") else "#" + fallback}"'

    return _HREF.sub(local, svg)


def gantt_charts(report: RoadmapReport) -> list[SafeString]:
    """The Gantt chart as one SVG per page, all on the same quarters (remediation.gantt draws them)."""
    start, end = report.horizon
    charts = []
    for n, page in enumerate(_pages(report), start=1):
        svg = gantt.render_gantt(
            [bar for _, bars in page for bar in bars],
            [lane for lane, _ in page],
            report.today,
            start,
            end,
            title=f"Remediation roadmap of {report.site.name}",
        )
        svg = svg.replace(_TITLE_ID, f'id="gantt-title-{n}"').replace(
            'aria-labelledby="gantt-title"', f'aria-labelledby="gantt-title-{n}"'
        )
        charts.append(mark_safe(_local(svg, report.chapters["timeline"].anchor)))  # escaped by remediation.gantt
    return charts


def expected_pages(report: RoadmapReport, charts: int) -> int:
    """About how many pages the report will have, for the progress bar: cover, contents, summary, the
    chart's pages, the register (about 10 actions a page), the late work, the projection, two of KPIs and
    the appendix. Within a page or two of the demo (13 pages) and of a 46-action roadmap (14)."""
    register = math.ceil(len(report.rows) / 10 + len(report.phases) * 0.1)
    projection = math.ceil((len(report.projection_rows) + len(report.milestones) / 2) / 14) or 1
    return 3 + charts + register + 1 + projection + 2 + 1


def context(report: RoadmapReport, charts: list[SafeString]) -> dict[str, object]:
    return {
        "r": report,
        "site": report.site,
        "organization": report.organization,
        "currency": report.organization.currency,
        "stylesheets": [static_url("css/pdf/report.css"), static_url("css/pdf/roadmap.css")],
        "gantt_charts": charts,
        "kpi_charts": [(tile, mark_safe(tile.chart_svg)) for tile in report.kpi_tiles],  # escaped by program.charts
    }


def render_roadmap(site: Site, *, today: date | None = None, progress: ProgressFn | None = None) -> RenderedPdf:
    """The remediation roadmap PDF of `site` as it stands `today` (default: today)."""
    notify = progress or (lambda percent, stage: None)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    notify(2, "Reading the roadmap, the projection and the KPIs")
    report = roadmap_report(site, today=today)
    timings["data"] = time.perf_counter() - began
    notify(10, "Composing the report")
    began = time.perf_counter()
    charts = gantt_charts(report)
    document = render_to_string(TEMPLATE, context(report, charts))
    timings["template"] = time.perf_counter() - began
    pdf = html_to_pdf(document, progress=progress, expected_pages=expected_pages(report, len(charts)), span=(15, 98))
    return RenderedPdf(data=pdf.data, pages=pdf.pages, timings={**timings, **pdf.timings})
