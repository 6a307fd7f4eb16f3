"""The gap-assessment report as a Word document: the PDF's chapters from the same data (reports.pdf.gap_data:
SL-T, SL-A and gaps come from compliance.sl through assessments.selectors; nothing is computed here), written
with Word's own structure so it can be edited: Heading 1-3, a table-of-contents field, the site diagram as a
picture, the SL heat map as a coloured table, results tables whose header row repeats on each page, and the
findings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from docx.shared import Cm, Pt

from assessments.models import Assessment, SignOff
from core import palette
from core.people import person_name
from reports.docx.images import svg_to_png
from reports.docx.writer import Cell, Writer
from reports.pdf.gap_data import GapReport, TargetSection, gap_report
from reports.pdf.render import ProgressFn

KIND = "IEC 62443-3-3 gap assessment report"
SHORT = "%-d %b %Y %H:%M"


@dataclass(frozen=True)
class RenderedDocx:
    """A rendered Word document: its bytes (and, for benchmarks, where the time went)."""

    data: bytes
    timings: dict[str, float] = field(default_factory=dict, compare=False)


def _when(moment: datetime | None, fmt: str = "%-d %B %Y, %H:%M UTC") -> str:
    return moment.strftime(fmt) if moment is not None else "—"


def _day(moment: object) -> str:
    return moment.strftime("%-d %B %Y") if moment is not None else "—"  # type: ignore[attr-defined]


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _status_cell(status: str, label: str) -> Cell:
    tone = palette.RESULT_STATUS.get(status)
    return Cell(label, bold=True, colour=tone.fg, fill=tone.bg) if tone else Cell(label)


def _gap_cell(text: str, gap: int | None) -> Cell:
    return Cell(text, fill=palette.gap_colour(gap), center=True, colour=palette.MUTED if gap is None else "")


# --- chapters -------------------------------------------------------------------------------------------
def _cover(w: Writer, r: GapReport) -> None:
    a, site = r.assessment, r.assessment.site
    w.para(f"Zonewise · {KIND}", style="Subtitle").paragraph_format.space_before = Cm(5)  # a cover, not a memo
    w.document.add_paragraph(a.title, style="Title")
    w.para(f"{site.name}{' · ' + site.location if site.location else ''}", bold_lead="")
    w.para(site.organization.name, bold_lead="")
    so = r.sign_off
    if so is not None:
        signed = f"{_when(so.signed_off_at)} by {person_name(so.signed_off_by)}"
    elif a.is_final and a.signed_off_at:
        signed = f"{_when(a.signed_off_at)} by {person_name(a.signed_off_by)}"
    else:
        signed = "Not signed off"
    status = str(a.get_status_display()) + ("" if a.is_final else " (working draft: findings may still change)")
    facts = [("Assessment status", status), ("Signed off", signed)]
    if so is not None:
        open_items = f"{_plural(so.unassessed, 'item')} not assessed" if so.unassessed else "Every item assessed"
        facts.append(("Open at sign-off", open_items))
    actual = f"{_day(a.actual_start)} to {_day(a.actual_end) if a.actual_end else 'ongoing'}" if a.actual_start else "—"
    zones, conduits = len(r.summary.zones), len(r.summary.conduits)
    facts += [
        ("Planned", f"{_day(a.planned_start)} to {_day(a.planned_end)}"),
        ("Carried out", actual),
        ("Lead consultant", person_name(a.lead) or "—"),
        ("Assessment team", ", ".join(person_name(m) for m in r.team) or "—"),
        ("Requirements catalogue", f"{a.catalogue.edition} (Zonewise data {a.catalogue.version})"),
        (
            "Scope",
            f"{_plural(zones, 'zone')}, {_plural(conduits, 'conduit')}, "
            f"{_plural(r.result_count, 'requirement')} assessed against their SL-T",
        ),
        ("Report generated", f"{_when(r.generated_at)} (assessment version {a.version})"),
    ]
    w.facts(facts)
    w.para(
        f"Confidential. Prepared for {site.organization.name}. This report describes security weaknesses of an "
        "operational plant: share it only with people who need it.",
        style="Note",
    )
    w.page_break()
    w.para(bold_lead="Contents").style = w.document.styles["TOC Heading"]
    w.contents_field(
        "Page numbers are added when the table of contents is updated (Word asks when the file is opened; in "
        "LibreOffice: Tools, Update, Update All)."
    )


def _summary(w: Writer, r: GapReport) -> None:
    w.heading(r.chapters["summary"].label, 1)
    s, targets = r.summary, len(r.summary.targets)
    by_results = r.findings_source == "results"
    w.facts(
        [
            ("At target", f"{s.at_target} of {_plural(targets, 'zone or conduit', 'zones and conduits')}"),
            ("Assessed", f"{s.progress.percent} % of required items ({s.progress.assessed} of {s.progress.total})"),
            ("Findings", str(len(r.findings)) + (" (requirements not or partially met)" if by_results else "")),
            ("Evidence", f"{_plural(len(r.evidence), 'item')} on record"),
        ],
        widths=(Cm(3.5), Cm(13.5)),
    )
    if s.at_target == targets:
        standing = "All of them reach their target on every foundational requirement."
    elif s.at_target == 0:
        standing = "None of them reaches its target on every foundational requirement yet."
    else:
        standing = f"{s.at_target} of them reach their target on every foundational requirement; the others do not."
    text = (
        f"This assessment measured {_plural(len(s.zones), 'zone')} and {_plural(len(s.conduits), 'conduit')} of "
        f"{r.assessment.site.name} against the system requirements of IEC 62443-3-3 selected by each one's target "
        f"security level (SL-T). {standing}"
    )
    if not s.progress.complete:
        text += (
            f" {_plural(r.not_assessed, 'required item')} not assessed yet count as not satisfied, so the achieved "
            "levels below are a floor that may rise as the assessment completes."
        )
    w.para(text)

    w.heading("Target and achieved security levels", 2)
    frs = [code for code, _, _ in r.fr_names]
    table = w.table(["Zone or conduit", *frs, "Standing"], [Cm(4.4)] + [Cm(1.3)] * len(frs) + [Cm(3.5)])
    for t in s.targets:
        cells = [_gap_cell(f"{c.target} / {c.achieved}", c.gap if c.target else None) for c in t.cells]
        standing_cell = (
            Cell("at target", bold=True, colour=palette.OK, fill=palette.OK_BG)
            if t.standing.at_target
            else Cell(f"gap {t.standing.gap.max_level}", bold=True, colour=palette.BAD, fill=palette.BAD_BG)
        )
        w.row(table, [Cell(f"{t.kind.capitalize()}: {t.name}", bold=True), *cells, standing_cell])
    w.para(
        "Each cell: SL-T / SL-A of that foundational requirement. Green: at target; yellow: gap 1; orange: gap 2; "
        "red: gap 3 or more; grey: no target.",
        style="Note",
    )

    w.heading("Largest gaps", 2)
    if r.largest_gaps:
        table = w.table(
            ["Zone or conduit", "Foundational requirement", "SL-T", "SL-A", "Gap"],
            [Cm(5.5), Cm(7.0), Cm(1.5), Cm(1.5), Cm(1.5)],
        )
        for g in r.largest_gaps:
            w.row(
                table,
                [
                    f"{g.kind.capitalize()}: {g.target}",
                    f"{g.fr} {g.fr_name}",
                    Cell(str(g.sl_target), center=True),
                    Cell(str(g.sl_achieved), center=True),
                    _gap_cell(str(g.gap), g.gap),
                ],
            )
    else:
        w.para("No gaps: every zone and conduit in scope reaches its SL-T.")

    w.heading("Results by status", 2)
    table = w.table(["Status", "Results", "Share"], [Cm(6), Cm(3), Cm(3)])
    for value, label, count in r.status_totals:
        share = f"{round(100 * count / r.result_count)} %" if r.result_count else "—"
        w.row(table, [_status_cell(value, label), Cell(str(count), center=True), Cell(share, center=True)])


def _method(w: Writer, r: GapReport) -> None:
    w.heading(r.chapters["method"].label, 1)
    w.heading("In scope", 2)
    table = w.table(
        ["Kind", "Name", "Purdue", "Criticality", "SL-T", "Items"],
        [Cm(1.9), Cm(5.6), Cm(1.5), Cm(2.4), Cm(4.1), Cm(1.5)],
    )
    for s in r.zone_sections:
        zone = s.obj
        purdue = getattr(zone, "purdue_level", None)
        w.row(
            table,
            [
                "Zone",
                f"{zone.name}\n{zone.get_kind_display()}",  # type: ignore[union-attr]
                Cell("—" if purdue is None else str(purdue), center=True),
                str(zone.get_criticality_display()),  # type: ignore[union-attr]
                str(s.summary.standing.target),
                Cell(str(s.summary.progress.total), center=True),
            ],
        )
    for s in r.conduit_sections:
        w.row(
            table,
            [
                "Conduit",
                f"{s.obj.name}\n{' ↔ '.join(s.members)}",
                Cell("—", center=True),
                "—",
                str(s.summary.standing.target),
                Cell(str(s.summary.progress.total), center=True),
            ],
        )
    w.heading("How the achieved level is determined", 2)
    w.para(
        "IEC 62443-3-3 groups its system requirements (SR) and requirement enhancements (RE) under seven "
        "foundational requirements (FR). Each item is selected from a lowest security level upwards, and the "
        "selection is cumulative. A zone's or conduit's target security level (SL-T) is a vector of seven levels, "
        "one per FR; it decides which items this assessment covers: those selected at or below the SL-T of their FR."
    )
    w.para(
        "The achieved security level (SL-A) of one FR is the highest level n from 0 to 4 such that every item of "
        "that FR selected at level n or below is satisfied. The gap is SL-T minus SL-A, never below zero. A zone "
        "or conduit is at target when the gap is zero on all seven FRs. Items not yet assessed count as not "
        "satisfied."
    )
    table = w.table(["Status", "Meaning", "Satisfied"], [Cm(3.5), Cm(11.5), Cm(2.0)])
    for value, label, meaning, ok in r.status_meanings:
        w.row(table, [_status_cell(value, label), meaning, Cell("yes" if ok else "no", center=True)])
    w.para()
    table = w.table(["FR", "Foundational requirement", "Abbreviation"], [Cm(2), Cm(11), Cm(4)])
    for code, name, abbreviation in r.fr_names:
        w.row(table, [code, name, abbreviation])
    w.para(
        f"Requirement ids, short titles and lowest levels come from {r.assessment.catalogue.edition} as published "
        f"in Zonewise's catalogue data {r.assessment.catalogue.version}. The normative text of the standard is not "
        "reproduced in this report; readers should consult their licensed copy.",
        style="Note",
    )


def _design(w: Writer, r: GapReport) -> None:
    w.heading(r.chapters["design"].label, 1)
    w.picture(svg_to_png(r.diagram_svg))
    w.para(
        f"The zones and conduits of {r.assessment.site.name} as recorded in Zonewise on {_day(r.generated_at)}.",
        style="Note",
    )
    if r.design_checks:
        w.heading("Design warnings", 2)
        w.bullets([f"{f.severity.capitalize()}: {f.message}" for f in r.design_checks])


def _target(w: Writer, s: TargetSection, *, first: bool) -> None:
    # Each zone or conduit starts a page, as in the PDF, but the first one follows its chapter's introduction.
    w.heading(s.entry.label, 2).paragraph_format.page_break_before = not first
    obj, st = s.obj, s.summary
    facts: list[tuple[str, str]]
    if s.kind == "zone":
        purdue = getattr(obj, "purdue_level", None)
        facts = [
            ("Kind", str(obj.get_kind_display()) + (f" · Purdue level {purdue}" if purdue is not None else "")),  # type: ignore[union-attr]
            ("Criticality", str(obj.get_criticality_display())),  # type: ignore[union-attr]
        ]
        if getattr(obj, "responsible", ""):
            facts.append(("Responsible", obj.responsible))  # type: ignore[union-attr]
        if s.asset_count is not None:
            facts.append(("Assets", str(s.asset_count)))
    else:
        facts = [
            ("Joins", ", ".join(s.members) or "—"),
            ("Direction", str(obj.get_direction_display())),  # type: ignore[union-attr]
        ]
        if getattr(obj, "protocols", ""):
            facts.append(("Protocols", obj.protocols))  # type: ignore[union-attr]
        facts.append(("Boundary devices", ", ".join(s.boundary_devices) or "none recorded"))
    progress = f"{st.progress.assessed} of {st.progress.total} required items ({st.progress.percent} %)"
    if st.out_of_scope:
        progress += f"; {_plural(st.out_of_scope, 'earlier item')} out of scope"
    at = "at target" if st.standing.at_target else "below target"
    facts += [
        ("SL-T", str(st.standing.target)),
        ("SL-A", str(st.standing.achieved)),
        ("Gap", f"{st.standing.gap} ({at})"),
        ("Assessed", progress),
    ]
    w.facts(facts)
    if obj.description:
        w.para(obj.description).paragraph_format.space_before = Pt(6)

    table = w.table(
        ["FR", "Foundational requirement", "SL-T", "SL-A", "Gap", "Assessed"],
        [Cm(1.4), Cm(8.6), Cm(1.5), Cm(1.5), Cm(1.5), Cm(2.5)],
    )
    for g in s.groups:
        c = g.cell
        w.row(
            table,
            [
                g.fr,
                g.name,
                Cell(str(c.target), center=True),
                Cell(str(c.achieved), center=True),
                _gap_cell(str(c.gap), c.gap if c.target else None),
                Cell(f"{c.assessed} / {c.total}", center=True),
            ],
        )

    if s.has_warnings:
        w.label("Capability and design warnings" if s.kind == "zone" else "Design warnings")
        items = [
            f"{b.asset}: SL-C {b.sl_capability} is below the zone's SL-T on {', '.join(b.frs)}; it needs a "
            "compensating countermeasure or a replacement."
            for b in s.below_target
        ]
        if s.past_end_of_support:
            items.append(
                "Past end of support: "
                + ", ".join(f"{asset.name} (since {asset.end_of_support:%b %Y})" for asset in s.past_end_of_support)
            )
        if s.no_capability:
            items.append("No SL-C recorded: " + ", ".join(asset.name for asset in s.no_capability))
        items += [f.message for f in s.checks]
        w.bullets(items)
    if s.not_assessed_refs:
        w.label(f"Not assessed yet: {len(s.not_assessed_refs)} of {st.progress.total} required items")
        w.para(", ".join(s.not_assessed_refs), style="Note")

    for g in s.groups:
        if not g.rows and s.not_assessed_refs:
            continue  # compact: only the FRs with assessed items
        w.heading(f"{g.fr} {g.name} (SL-T {g.cell.target}, SL-A {g.cell.achieved})", 3)
        if g.rows:
            table = w.table(
                ["Requirement", "SL", "Status", "Observations and notes", "Evidence"],
                [Cm(5.0), Cm(0.9), Cm(2.5), Cm(6.9), Cm(1.7)],
            )
            for row in g.rows:
                notes: list[tuple[str, bool]] = [(row.observations, False)]
                for lead, text in (("Countermeasure: ", row.countermeasure), ("Justification: ", row.justification)):
                    if text:
                        notes += [("\n" if any(t for t, _ in notes) else "", False), (lead, True), (text, False)]
                w.rich(
                    table,
                    [
                        [(row.ref, True), (" " + row.title, False)],
                        Cell(str(row.level), center=True),
                        _status_cell(row.status, row.status_label),
                        notes,
                        Cell(", ".join(row.evidence)),
                    ],
                )
            if g.not_assessed:
                w.para(f"and {_plural(g.not_assessed, 'item')} not assessed yet (listed above).", style="Note")
        elif g.not_assessed:
            w.para(f"None of the {_plural(g.not_assessed, 'required item')} of {g.fr} is assessed yet.", style="Note")
        else:
            w.para(f"No item of {g.fr} is required at SL-T {g.cell.target}.", style="Note")


def _findings(w: Writer, r: GapReport) -> None:
    w.heading(r.chapters["findings"].label, 1)
    if r.findings_source == "results":
        text = "The requirements found not met or partially met, not met first, in catalogue order."
        if r.not_assessed:
            text += f" A further {_plural(r.not_assessed, 'required item')} not assessed yet are not listed here."
    else:
        text = "The findings recorded against this assessment in the remediation register, most severe first."
    w.para(text)
    if not r.findings:
        w.para("No findings.")
        return
    rating = "Status" if r.findings_source == "results" else "Severity"
    table = w.table(
        ["No.", "Requirement", "Zone or conduit", rating, "Finding"], [Cm(1.2), Cm(2.5), Cm(3.0), Cm(2.6), Cm(7.7)]
    )
    for f in r.findings:
        # The PDF's badge class says which palette: "status-not_met" (a result) or "sev-high" (a register finding).
        family, _, key = f.rating_class.partition("-")
        tone = (palette.RESULT_STATUS if family == "status" else palette.SEVERITY).get(key)
        rating = f.rating + (f"\n{f.extra}" if f.extra else "")
        rating_cell = Cell(rating, bold=True, colour=tone.fg if tone else "", fill=tone.bg if tone else "")
        w.rich(
            table,
            [
                Cell(f.number),
                Cell(f.requirement or "—", bold=True),
                Cell(f.target),
                rating_cell,
                [(f.title, True), (("\n" + f.description) if f.description else "", False)],
            ],
        )


def _since(w: Writer, r: GapReport) -> None:
    """The comparison with the assessment this one follows (decision 0027), when there is one."""
    c = getattr(r, "since", None)
    if c is None:
        return
    w.heading(r.chapters["since"].label, 1)
    w.para(
        f"Compared with {c.older.title} ({str(c.older.get_status_display()).lower()}, started "
        f"{_day(c.older.created)}): {_plural(len(c.changes), 'result')} of the zones and conduits in both changed "
        f"status, {c.improved} now satisfied and {c.worsened} no longer satisfied; "
        f"{_plural(len(c.opened), 'finding')} opened and {len(c.closed)} closed."
    )
    w.heading("Achieved security levels then and now", 2)
    frs = [code for code, _, _ in r.fr_names]
    table = w.table(["Zone or conduit", *frs, "Change"], [Cm(4.4)] + [Cm(1.3)] * len(frs) + [Cm(3.5)])
    dash = "—"
    for t in c.targets:
        name = f"{t.kind.capitalize()}: {t.name}"
        name += {"added": "\nnew in scope", "removed": "\nno longer in scope"}.get(t.change, "")
        cells = [
            Cell(f"{dash if f.older is None else f.older}→{dash if f.newer is None else f.newer}", center=True)
            for f in t.frs
        ]
        if t.difference is None:
            moved = Cell("—", center=True)
        elif t.moved:
            good = t.moved > 0
            moved = Cell(
                f"{t.moved:+d}", bold=True, center=True, colour=palette.OK if good else palette.BAD,
                fill=palette.OK_BG if good else palette.BAD_BG,
            )  # fmt: skip
        else:
            moved = Cell("=", center=True)
        w.row(table, [Cell(name, bold=True), *cells, moved])
    w.para("Each cell: SL-A in the earlier assessment → in this one. Change: the sum over the seven FRs.", style="Note")
    if c.changes:
        shown = c.top_changes
        more = f" (the first {len(shown)} of {len(c.changes)})" if len(c.changes) > len(shown) else ""
        w.heading(f"Results that changed{more}", 2)
        table = w.table(["Zone or conduit", "Requirement", "Then", "Now"], [Cm(4.2), Cm(6.8), Cm(3.0), Cm(3.0)])
        for ch in shown:
            w.rich(
                table,
                [
                    Cell(f"{ch.kind.capitalize()}: {ch.target_name}"),
                    [(ch.requirement, True), (" " + ch.title, False)],
                    _status_cell(ch.before, ch.before_label),
                    _status_cell(ch.after, ch.after_label),
                ],
            )


def _sign_off(w: Writer, r: GapReport) -> None:
    a = r.assessment
    w.heading(r.chapters["signoff"].label, 1)
    so = r.sign_off
    if so is not None:
        w.para(
            f"This assessment was signed off in Zonewise on {_when(so.signed_off_at)} by "
            f"{person_name(so.signed_off_by)}. Its results have been read-only since then."
        )
        if so.unassessed:
            w.para(f"{_plural(so.unassessed, 'required item')} not assessed at sign-off. Reason given: {so.reason}")
        elif so.reason:
            w.para(f"Note: {so.reason}")
    elif a.is_final and a.signed_off_at:
        who = person_name(a.signed_off_by)
        w.para(f"This assessment was signed off in Zonewise on {_when(a.signed_off_at)} by {who}.")
    else:
        w.para(
            f"This assessment has not been signed off: its status is {str(a.get_status_display()).lower()} and its "
            "results may still change. Sign the copy below only once the assessment is final."
        )
    table = w.table(["Lead consultant", f"For {a.site.organization.name}"], [Cm(8.5), Cm(8.5)])
    w.row(table, [f"{person_name(a.lead)}\n\nSignature:\n\nDate:", "Name and role:\n\nSignature:\n\nDate:"])


def _appendices(w: Writer, r: GapReport) -> None:
    w.heading(r.chapters["evidence"].label, 1)
    if r.evidence:
        w.para(
            "Every document on record for this assessment. Results cite them by label. Files carry the SHA-256 "
            "of the bytes uploaded."
        )
        table = w.table(
            ["Label", "File or reference", "SHA-256", "Added", "Results"], [Cm(1.3), Cm(5.0), Cm(5.9), Cm(3.0), Cm(1.8)]
        )
        for e in r.evidence:
            about = [e.name] + ([] if e.is_file else ["reference to a document held elsewhere"])
            about += [e.description] if e.description else []
            about += [f"valid until {e.expires:%-d %b %Y}"] if e.expires else []
            added = f"{e.added_at:%-d %b %Y}\n{e.added_by}"
            w.row(table, [e.label, "\n".join(about), e.sha256 or "—", added, Cell(str(e.result_count), center=True)])
    else:
        w.para("No evidence has been recorded for this assessment.")

    w.heading(r.chapters["changes"].label, 1)
    w.para(
        f"The results of this assessment were edited {_plural(r.change_total, 'time')} after they were created."
        if r.change_total
        else "No result has been edited since the assessment was created."
    )
    if r.sign_offs:
        w.heading("Sign-offs and reopenings", 2)
        table = w.table(["When (UTC)", "Who", "Not assessed", "Reason"], [Cm(3.2), Cm(3.5), Cm(2.3), Cm(8.0)])
        for so in r.sign_offs:
            if so.reopened_at:
                reopened = f"Reopened: {so.reopen_reason}"
                w.row(table, [_when(so.reopened_at, SHORT), person_name(so.reopened_by), "—", reopened])
            reason = "Signed off" + (f": {so.reason}" if so.reason else "")
            w.row(table, [_when(so.signed_off_at, SHORT), person_name(so.signed_off_by), str(so.unassessed), reason])
    if r.change_days:
        w.heading("Edits per person and day", 2)
        table = w.table(["Day", "Person", "Edits"], [Cm(5), Cm(8), Cm(4)])
        for d in r.change_days:
            w.row(table, [f"{d.day:%a %-d %b %Y}", d.who, Cell(str(d.count), center=True)])
    if r.recent_changes:
        w.heading("Latest edits", 2)
        table = w.table(["When (UTC)", "Who", "Result", "Change"], [Cm(3.0), Cm(3.2), Cm(3.6), Cm(7.2)])
        for c in r.recent_changes:
            changes = "\n".join(f"{label}: {old} → {new}" for label, old, new in c.changes) or "no visible change"
            w.row(table, [_when(c.when, SHORT), c.who, f"{c.requirement}\n{c.target}", changes])
    w.para("End of report", style="Note")


def render_gap_assessment_docx(
    assessment: Assessment,
    *,
    progress: ProgressFn | None = None,
    compact_not_assessed: bool = False,
    sign_off: SignOff | None = None,
) -> RenderedDocx:
    """The gap-assessment report of `assessment` as a .docx (options as for the PDF: see gap_data.gap_report)."""
    notify = progress or (lambda percent, stage: None)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    notify(2, "Reading the assessment")
    r = gap_report(assessment, compact_not_assessed=compact_not_assessed, sign_off=sign_off)
    timings["data"] = time.perf_counter() - began
    began = time.perf_counter()
    a = r.assessment
    w = Writer(
        title=a.title,
        subject=f"{KIND}: {a.site.name}, {a.site.organization.name}",
        author=", ".join(person_name(m) for m in ([a.lead] if a.lead else []) + [m for m in r.team if m != a.lead]),
        keywords="IEC 62443-3-3, gap assessment, security levels, zones and conduits",
    )
    w.running_header(a.site.name, a.title)
    notify(10, "Writing the summary")
    _cover(w, r)
    _summary(w, r)
    _method(w, r)
    notify(15, "Drawing the diagram")
    _design(w, r)
    sections = r.sections
    for n, s in enumerate(sections):
        first = s is sections[0] or s is (r.conduit_sections[0] if r.conduit_sections else None)
        if first:
            key = "zones" if s.kind == "zone" else "conduits"
            w.heading(r.chapters[key].label, 1)
            w.para(
                "One section per zone in scope: where it stands against its SL-T, the capability warnings of its "
                "assets, and every required item grouped by foundational requirement."
                if key == "zones"
                else "One section per conduit in scope: the zones it joins, its boundary devices, and every "
                "required item grouped by foundational requirement."
            )
        _target(w, s, first=first)
        notify(20 + 70 * (n + 1) // max(len(sections), 1), f"Writing {s.entry.title}")
    _findings(w, r)
    _since(w, r)
    _sign_off(w, r)
    _appendices(w, r)
    w.fill_contents()
    timings["compose"] = time.perf_counter() - began
    notify(95, "Saving the document")
    began = time.perf_counter()
    data = w.save()
    timings["save"] = time.perf_counter() - began
    return RenderedDocx(data=data, timings=timings)
