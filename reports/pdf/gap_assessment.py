"""The gap-assessment report: data (gap_data) → HTML (templates/reports/pdf/gap_assessment.html, print
CSS in static/css/pdf/report.css) → PDF. Called by the report runner in a Celery worker, and by the
evidence bundle, which includes this PDF."""

from __future__ import annotations

import html
import re
import time

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from assessments.models import Assessment, SignOff
from reports.pdf import charts
from reports.pdf.fetcher import static_url
from reports.pdf.gap_data import GapReport, gap_report
from reports.pdf.render import ProgressFn, RenderedPdf, html_to_pdf

TEMPLATE = "reports/pdf/gap_assessment.html"
_HREF = re.compile(r'\b(xlink:href|href)="([^"]*)"')


def _diagram(report: GapReport) -> SafeString:
    """The site diagram with its links pointing into this PDF instead of the web app's pages (which a
    PDF reader cannot open): a zone or conduit in scope to its section, anything else to the diagram.
    WeasyPrint 70 draws inline SVG without making its links clickable; this keeps them right if it does."""
    targets = {section.obj.get_absolute_url(): section.entry.anchor for section in report.sections}
    fallback = report.chapters["design"].anchor

    def local(match: re.Match[str]) -> str:
        return f'{match.group(1)}="#{targets.get(html.unescape(match.group(2)), fallback)}"'

    return mark_safe(_HREF.sub(local, report.diagram_svg))  # our own SVG, escaped by zones.diagram


def expected_pages(report: GapReport) -> int:
    """About how many pages the report will have, for the progress bar. Fitted on the demo (62 pages)
    and the 1,820-result benchmark (216 pages): a result with text takes about twice the height of one
    without, and each zone or conduit starts a page with its summary."""
    rows = [row for section in report.sections for group in section.groups for row in group.rows]
    with_text = sum(1 for row in rows if row.observations or row.countermeasure or row.justification)
    plain = len(rows) - with_text
    return round(8 + 2.1 * len(report.sections) + 0.077 * (with_text + len(report.findings)) + 0.036 * plain)


def context(report: GapReport) -> dict[str, object]:
    for section in report.sections:
        section.chart = mark_safe(charts.fr_profile(section.summary.cells))  # numbers only
    return {
        "r": report,
        "a": report.assessment,
        "site": report.assessment.site,
        "organization": report.assessment.site.organization,
        "stylesheet": static_url("css/pdf/report.css"),
        "diagram": _diagram(report),
        "status_chart": mark_safe(charts.status_bar(report.status_totals)),
    }


def render_gap_assessment(
    assessment: Assessment,
    *,
    progress: ProgressFn | None = None,
    compact_not_assessed: bool = False,
    sign_off: SignOff | None = None,
) -> RenderedPdf:
    """The gap-assessment PDF of `assessment` as it stands now (options: see gap_data.gap_report)."""
    notify = progress or (lambda percent, stage: None)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    notify(2, "Reading the assessment")
    report = gap_report(assessment, compact_not_assessed=compact_not_assessed, sign_off=sign_off)
    timings["data"] = time.perf_counter() - began
    notify(10, "Composing the report")
    began = time.perf_counter()
    document = render_to_string(TEMPLATE, context(report))
    timings["template"] = time.perf_counter() - began
    pdf = html_to_pdf(document, progress=progress, expected_pages=expected_pages(report), span=(15, 98))
    return RenderedPdf(data=pdf.data, pages=pdf.pages, timings={**timings, **pdf.timings})
