"""The gap report cut into parts (decision 0039): one per zone section, one per conduit section, a "body"
(summary, scope and method, design), the findings (in shares of FINDINGS_PER_PART rows) and a "tail"
(everything after), each laid out on its own,
plus the "front" (cover and contents), laid out last once the other parts' pages are known.

A part is keyed by what decides its pages: its kind, its HTML (the canonical form of its data: the template
renders nothing else) and the template version (TEMPLATE_VERSION, bumped by hand, plus a hash of the
template and CSS files). A stored part with the same key is reused as it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import get_template, render_to_string
from weasyprint import CSS, HTML

from reports.pdf.fetcher import BASE_URL, ProjectFilesFetcher, static_url
from reports.pdf.gap_assessment import context
from reports.pdf.gap_data import GapReport, TargetSection
from reports.pdf.gap_findings import FindingRow
from reports.pdf.render import RenderedPdf, _listening

# Bump when a change of code (not of the template files, which are hashed) changes what a part looks like.
TEMPLATE_VERSION = 1
PART_TEMPLATE = "reports/pdf/gap_assessment_part.html"
_TEMPLATES = (
    PART_TEMPLATE,
    "reports/pdf/_gap_meta.html",
    "reports/pdf/_gap_cover.html",
    "reports/pdf/_gap_body.html",
    "reports/pdf/_gap_zones_intro.html",
    "reports/pdf/_gap_conduits_intro.html",
    "reports/pdf/_target.html",
    "reports/pdf/_gap_findings.html",
    "reports/pdf/_gap_tail.html",
    "reports/pdf/_since.html",
    "reports/pdf/_alignment.html",
    "reports/pdf/_contents_pages.html",
)
_STYLES = ("css/pdf/report.css", "css/palette.css")
PX_TO_PT = 0.75  # WeasyPrint measures in CSS pixels (1/96 in), PDF in points (1/72 in)
# Findings rows per part: about FINDINGS_PER_PART on average (8 pages), never fewer than the minimum unless
# the table ends, never more than the maximum (WeasyPrint's memory).
FINDINGS_PER_PART, FINDINGS_PART_MIN, FINDINGS_PART_MAX = 100, 30, 300


# A part's footer has no page number (the assembler stamps "x of y" on the merged document), and its first
# page is an ordinary page: the cover's rule for the document's first page must not apply to it.
_PART_CSS = """
@page { @bottom-right { content: none; } }
@page :first {
  margin: 22mm 16mm 20mm 18mm;
  @top-left { content: string(site) " · " string(report); }
  @top-right { content: string(chapter); }
  @bottom-left { content: string(org) " · Confidential"; }
  @bottom-center { content: string(draft); }
}
"""
_FRONT_CSS = "@page { @bottom-right { content: none; } }"


@lru_cache(maxsize=4)
def stylesheets(front: bool, fingerprint: str) -> list[CSS]:
    """The print CSS and the part's overrides, parsed once per process and template version: parsing
    report.css is most of WeasyPrint's fixed cost per document (about 0.17 of 0.3 s; 0039)."""
    fetcher = ProjectFilesFetcher()
    return [
        CSS(url=static_url("css/pdf/report.css"), url_fetcher=fetcher),
        CSS(string=_FRONT_CSS if front else _PART_CSS),
    ]


@lru_cache(maxsize=1)
def template_fingerprint() -> str:
    """A hash of the part template, its includes and the print CSS: a changed file makes every key new."""
    digest = hashlib.sha256(str(TEMPLATE_VERSION).encode())
    origins = [str(get_template(name).origin.name) for name in _TEMPLATES]  # type: ignore[attr-defined]
    styles = [finders.find(name) for name in _STYLES]
    for path in [*origins, *styles]:
        if path:
            digest.update(Path(str(path)).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class PartSpec:
    """One part to lay out: what it is (kind, label for progress and logs), its HTML and its key."""

    kind: str
    label: str
    html: str
    key: str


def part_key(kind: str, html: str) -> str:
    payload = json.dumps([kind, template_fingerprint(), hashlib.sha256(html.encode()).hexdigest()])
    return hashlib.sha256(payload.encode()).hexdigest()


def _spec(kind: str, label: str, html: str) -> PartSpec:
    return PartSpec(kind=kind, label=label, html=html, key=part_key(kind, html))


def plan_parts(report: GapReport) -> tuple[list[PartSpec], dict[str, Any]]:
    """The report's parts after the front, in reading order, and the context the front is rendered with."""
    base = context(report)
    specs = [_spec("body", "Summary, scope and design", render_to_string(PART_TEMPLATE, {**base, "part": "body"}))]

    def target(kind: str, sections: list[TargetSection], chapter: str) -> None:
        for n, s in enumerate(sections):
            html = render_to_string(
                PART_TEMPLATE, {**base, "part": kind, "s": s, "first": n == 0, "chapter": "" if n == 0 else chapter}
            )
            specs.append(_spec(kind, s.entry.label, html))

    if report.zone_sections:
        zones = report.chapters["zones"]
        target("zone", report.zone_sections, f"{zones.number} {zones.title}")
    if report.conduit_sections:
        conduits = report.chapters["conduits"]
        target("conduit", report.conduit_sections, f"{conduits.number} {conduits.title}")
    # The findings table of a large site runs to hundreds of pages: in shares, so that no part holds a worker's
    # memory for long (WeasyPrint's peak grows with the pages of one document), cut where the rows say (see
    # findings_shares) so that one more or one fewer finding changes one share, not every share after it.
    shares = findings_shares(report.findings)
    findings = report.chapters["findings"]
    for n, rows in enumerate(shares or [[]]):
        share = {**base, "part": "findings", "rows": rows, "continued": n > 0}
        if n > 0:
            share["chapter"] = f"{findings.number} {findings.title}"
        specs.append(_spec("findings", f"Findings, part {n + 1}", render_to_string(PART_TEMPLATE, share)))
    specs.append(_spec("tail", "Sign-off and appendices", render_to_string(PART_TEMPLATE, {**base, "part": "tail"})))
    return specs, base


def _cuts_before(row: FindingRow) -> bool:
    """Whether a share starts at this row: decided by the row's own key (about one in FINDINGS_PER_PART),
    not by its place, so rows added or removed elsewhere move no boundary."""
    return int(hashlib.sha256(row.key.encode()).hexdigest()[:8], 16) % FINDINGS_PER_PART == 0


def findings_shares(rows: list[FindingRow]) -> list[list[FindingRow]]:
    """The findings table cut into shares at content-defined boundaries (as backup tools cut files into
    chunks): a changed, added or removed row changes its own share only, unless it falls within the minimum
    or beyond the maximum of a share, where a boundary may move by one share."""
    shares: list[list[FindingRow]] = []
    current: list[FindingRow] = []
    for row in rows:
        if current and len(current) >= FINDINGS_PART_MIN and (_cuts_before(row) or len(current) >= FINDINGS_PART_MAX):
            shares.append(current)
            current = []
        current.append(row)
    if current:
        shares.append(current)
    return shares


def front_html(base: dict[str, Any], report: GapReport, pages: dict[str, int]) -> str:
    """The cover and contents with each entry's page number (1-based, in the merged document)."""
    toc = [(e, pages.get(e.anchor, "")) for e in report.outline.entries]
    return render_to_string(PART_TEMPLATE, {**base, "part": "front", "toc": toc})


@dataclass(frozen=True)
class RenderedPart:
    """A laid-out part: its PDF, page count, and where its anchors, links and bookmarks are (page index
    within the part, PDF points from the bottom left), for the assembler."""

    pdf: RenderedPdf
    meta: dict[str, Any]


class _OtherParts(logging.Filter):
    """A link to a heading in another part is expected (the assembler links it); WeasyPrint logs it as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("No anchor #")


_OTHER_PARTS = _OtherParts()


def render_part(html: str, *, front: bool = False) -> RenderedPart:
    """Lay out one part and write its PDF, keeping what the assembler needs to know about it."""
    logger = logging.getLogger("weasyprint")
    logger.addFilter(_OTHER_PARTS)
    try:
        return _render_part(html, stylesheets(front, template_fingerprint()))
    finally:
        logger.removeFilter(_OTHER_PARTS)


def _render_part(html: str, styles: list[CSS]) -> RenderedPart:
    with _listening(None, 0, 0, 0):
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher()).render(stylesheets=styles)
        anchors: dict[str, list[float]] = {}
        links: list[list[Any]] = []
        bookmarks: list[list[Any]] = []
        heights: list[float] = []
        for index, page in enumerate(document.pages):
            height = page.height * PX_TO_PT
            heights.append(height)
            for name, (x, y, *_rest) in page.anchors.items():
                anchors[name] = [index, x * PX_TO_PT, height - y * PX_TO_PT]
            for kind, target, (x1, y1, x2, y2), _box in page.links:
                if kind == "internal":
                    rect = [x1 * PX_TO_PT, height - y2 * PX_TO_PT, x2 * PX_TO_PT, height - y1 * PX_TO_PT]
                    links.append([index, target, rect])
            for level, label, (x, y), _state in page.bookmarks:
                bookmarks.append([index, level, label, x * PX_TO_PT, height - y * PX_TO_PT])
        data = document.write_pdf()
    meta = {"anchors": anchors, "links": links, "bookmarks": bookmarks, "heights": heights}
    return RenderedPart(RenderedPdf(data=data, pages=len(document.pages)), meta)
