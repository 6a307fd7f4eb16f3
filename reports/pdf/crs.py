"""The cybersecurity requirements specification (CRS, IEC 62443-3-2 ZCR 6) of a risk assessment: data
(risk.crs) → HTML (templates/reports/pdf/crs.html, print CSS report.css and crs.css) → PDF. Called by the report
runner in a Celery worker."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from compliance.choices import FR_CODES
from reports.pdf.fetcher import static_url
from reports.pdf.render import ProgressFn, RenderedPdf, html_to_pdf
from reports.pdf.toc import Outline, TocEntry, anchor
from risk.crs import Crs, TargetSpec, crs_data
from risk.models import RiskAssessment
from zones.checks import CheckFinding
from zones.selectors import site_overview

TEMPLATE = "reports/pdf/crs.html"
_HREF = re.compile(r'\b(xlink:href|href)="([^"]*)"')
# What each capability means (the SL definitions of IEC 62443-3-3, in our words), for the threat environment.
CAPABILITY_MEANINGS = {
    1: "Casual or coincidental violation",
    2: "Intentional violation with simple means, low resources, generic skills, low motivation",
    3: "Intentional violation with sophisticated means, moderate resources, IACS-specific skills, moderate motivation",
    4: "Intentional violation with sophisticated means, extended resources, IACS-specific skills, high motivation",
}
FR_NAMES = {
    "FR1": "Identification and authentication control",
    "FR2": "Use control",
    "FR3": "System integrity",
    "FR4": "Data confidentiality",
    "FR5": "Restricted data flow",
    "FR6": "Timely response to events",
    "FR7": "Resource availability",
}


@dataclass
class CrsReport:
    """The CRS data with the document's outline, the site diagram and its design checks."""

    crs: Crs
    outline: Outline
    chapters: dict[str, TocEntry]
    sections: dict[str, TocEntry]  # a zone's or conduit's anchor -> its numbered heading
    diagram_svg: str
    design_checks: list[CheckFinding]
    generated_at: datetime

    @property
    def fr_names(self) -> list[tuple[str, str]]:
        return [(fr, FR_NAMES[fr]) for fr in FR_CODES]

    @property
    def target_sections(self) -> list[tuple[TocEntry, TargetSpec]]:
        """Each zone and conduit with its numbered heading (7.1, 7.2...)."""
        return [(self.sections[anchor(t.target.kind, t.target.id)], t) for t in self.crs.targets]

    @property
    def capability_meanings(self) -> list[tuple[int, str]]:
        return sorted(CAPABILITY_MEANINGS.items())


def crs_report(assessment: RiskAssessment) -> CrsReport:
    crs = crs_data(assessment)
    outline = Outline()
    chapters = {
        "summary": outline.add("summary", "Summary"),
        "suc": outline.add("suc", "System under consideration"),
        "partition": outline.add("partition", "Zones and conduits"),
        "environment": outline.add("environment", "Operating and threat environment"),
        "tolerable": outline.add("tolerable", "Tolerable risk and the risk matrix"),
        "regulatory": outline.add("regulatory", "Regulatory requirements"),
        "targets": outline.add("targets", "Target security levels"),
    }
    sections = {}
    for spec in crs.targets:
        key = anchor(spec.target.kind, spec.target.id)
        sections[key] = outline.add(key, f"{spec.target.kind.capitalize()} {spec.target.name}", level=2)
    chapters["approval"] = outline.add("approval", "Approval")
    overview = site_overview(assessment.site)
    return CrsReport(
        crs=crs,
        outline=outline,
        chapters=chapters,
        sections=sections,
        diagram_svg=overview.diagram_svg(),
        design_checks=overview.findings,
        generated_at=timezone.now(),
    )


def _diagram(report: CrsReport) -> SafeString:
    """The site diagram with its links pointing into this PDF: a zone or conduit to its section."""
    targets = {
        spec.target.obj.get_absolute_url(): anchor(spec.target.kind, spec.target.id) for spec in report.crs.targets
    }

    def local(match: re.Match[str]) -> str:
        return f'{match.group(1)}="#{targets.get(html.unescape(match.group(2)), "partition")}"'

    return mark_safe(_HREF.sub(local, report.diagram_svg))  # our own SVG, escaped by zones.diagram


def context(report: CrsReport) -> dict[str, object]:
    assessment = report.crs.assessment
    return {
        "r": report,
        "c": report.crs,
        "ra": assessment,
        "site": assessment.site,
        "organization": assessment.site.organization,
        "stylesheets": [static_url("css/pdf/report.css"), static_url("css/pdf/crs.css")],
        "diagram": _diagram(report),
    }


def expected_pages(report: CrsReport) -> int:
    """About how many pages, for the progress bar: cover, contents, about seven of chapters, and about a page
    per zone or conduit with its scenarios."""
    return 9 + len(report.crs.targets) + report.crs.scenario_count // 12


def render_crs(assessment: RiskAssessment, *, progress: ProgressFn | None = None) -> RenderedPdf:
    """The CRS PDF of `assessment` as it stands now."""
    notify = progress or (lambda percent, stage: None)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    notify(2, "Reading the risk assessment")
    report = crs_report(assessment)
    timings["data"] = time.perf_counter() - began
    notify(10, "Composing the specification")
    began = time.perf_counter()
    document = render_to_string(TEMPLATE, context(report))
    timings["template"] = time.perf_counter() - began
    pdf = html_to_pdf(document, progress=progress, expected_pages=expected_pages(report), span=(15, 98))
    return RenderedPdf(data=pdf.data, pages=pdf.pages, timings={**timings, **pdf.timings})
