"""Everything the gap-assessment PDF shows, read in a fixed number of queries whatever the number of
results. SL-A, gaps and progress come from assessments.selectors.summary (compliance.sl underneath):
this module arranges, it never computes a level."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from alignment.report import AlignmentSection, alignment_sections
from assessments.choices import ResultStatus
from assessments.compare import Comparison, since_previous
from assessments.models import Assessment, Result, SignOff
from assessments.selectors import (
    FRCell,
    Summary,
    TargetSummary,
    assessment_evidence,
    catalogue_items,
    results_for,
    summary,
)
from compliance.licensed import texts_of
from compliance.models import FoundationalRequirement, LicensedText
from compliance.sl import SLVector
from core.people import person_name
from reports.pdf.gap_findings import FindingRow, findings_for
from reports.pdf.gap_history import ChangeDay, ChangeRow, change_summary
from reports.pdf.toc import Outline, TocEntry, anchor
from zones.checks import CheckFinding, ZoneCapability
from zones.models import Asset, Conduit, Zone
from zones.selectors import site_overview

LARGEST_GAPS = 10

STATUS_MEANINGS: list[tuple[str, str, bool]] = [
    (ResultStatus.MET, "The requirement is fulfilled as observed on site or in documents.", True),
    (ResultStatus.COMPENSATED, "Fulfilled through a documented compensating countermeasure.", True),
    (ResultStatus.NOT_APPLICABLE, "Does not apply to this zone or conduit, with a written justification.", True),
    (ResultStatus.PARTIALLY_MET, "Some of the requirement is in place, not all of it.", False),
    (ResultStatus.NOT_MET, "The requirement is not fulfilled.", False),
    (ResultStatus.NOT_ASSESSED, "Not assessed yet.", False),
]


@dataclass
class ResultRow:
    ref: str
    title: str
    level: int
    is_re: bool
    status: str
    status_label: str
    observations: str
    countermeasure: str
    justification: str
    evidence: list[str]
    overridden_from: int | None = None  # the catalogue's level, when the assessment pinned another (0032)
    licensed_text: str = ""  # the organization's own licensed text of the item, if it imported one (0032)
    licensed_guidance: str = ""


@dataclass
class FRGroup:
    fr: str
    name: str
    abbreviation: str
    cell: FRCell
    rows: list[ResultRow] = field(default_factory=list)
    not_assessed: int = 0  # items left out of `rows` by the compact option (listed once per zone or conduit)
    omitted_met: int = 0  # met items left out of `rows` by the omit_met option (counted, not listed)


@dataclass
class BelowTarget:
    """An asset of a zone whose SL-C is below the zone's SL-T on some FRs."""

    asset: str
    sl_capability: SLVector
    frs: list[str]


@dataclass
class TargetSection:
    """One zone or conduit: its standing, capability and design warnings, and results by FR."""

    entry: TocEntry
    kind: str
    obj: Zone | Conduit
    summary: TargetSummary
    groups: list[FRGroup]
    asset_count: int | None = None
    below_target: list[BelowTarget] = field(default_factory=list)
    past_end_of_support: list[Asset] = field(default_factory=list)
    no_capability: list[Asset] = field(default_factory=list)
    checks: list[CheckFinding] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # a conduit's zones
    boundary_devices: list[str] = field(default_factory=list)
    chart: str = ""  # set by the renderer: the SL-T / SL-A profile as SVG
    not_assessed_refs: list[str] = field(default_factory=list)  # the compact option: ids, in catalogue order

    @property
    def omitted_met(self) -> int:
        return sum(g.omitted_met for g in self.groups)

    @property
    def has_warnings(self) -> bool:
        return bool(self.below_target or self.past_end_of_support or self.no_capability or self.checks)


def _capability_fields(capability: ZoneCapability | None, target: SLVector) -> dict[str, Any]:
    if capability is None:
        return {}
    # The SL-C that counts: the asset's own, else its product's (what zones.checks compared).
    below = [
        BelowTarget(asset=a.name, sl_capability=slc, frs=slc.frs_below(target))
        for a in capability.assets_below_target
        if (slc := a.sl_capability_effective) is not None
    ]
    return {
        "asset_count": capability.asset_count,
        "below_target": below,
        "past_end_of_support": capability.past_end_of_support,
        "no_capability": capability.no_capability,
    }


@dataclass
class GapItem:
    target: str
    kind: str
    anchor: str
    fr: str
    fr_name: str
    sl_target: int
    sl_achieved: int
    gap: int


@dataclass
class EvidenceRow:
    label: str
    name: str
    is_file: bool
    sha256: str
    size: int | None
    added_at: datetime
    added_by: str
    description: str
    expires: date | None
    result_count: int


@dataclass
class GapReport:
    assessment: Assessment
    summary: Summary
    outline: Outline
    zone_sections: list[TargetSection]
    conduit_sections: list[TargetSection]
    diagram_svg: str
    design_checks: list[CheckFinding]
    largest_gaps: list[GapItem]
    status_totals: list[tuple[str, str, int]]
    status_meanings: list[tuple[str, str, str, bool]]
    fr_names: list[tuple[str, str, str]]
    findings: list[FindingRow]
    findings_source: str  # "remediation" or "results"
    not_assessed: int
    evidence: list[EvidenceRow]
    change_days: list[ChangeDay]
    change_total: int
    recent_changes: list[ChangeRow]
    team: list[User]
    generated_at: datetime
    result_count: int
    chapters: dict[str, TocEntry] = field(default_factory=dict)  # the top-level sections by role
    compact_not_assessed: bool = False  # not-assessed items as one list per zone or conduit, not a row each
    omit_met: bool = False  # met items left out of the zone and conduit sections (counted on cover and per FR)
    sign_off: SignOff | None = None  # the sign-off the report shows: the one it is pinned to, else the current
    sign_offs: list[SignOff] = field(default_factory=list)  # every sign-off of the assessment, newest first
    since: Comparison | None = None  # against the assessment this one follows, when there is one (decision 0027)
    # The coverage of each framework the organization chose for its reports (decision 0031).
    alignment: list[AlignmentSection] = field(default_factory=list)

    @property
    def last_reopened(self) -> SignOff | None:
        """The latest sign-off undone by a reopening, when the assessment is not signed off now."""
        if self.sign_off is not None:
            return None
        return next((s for s in self.sign_offs if s.reopened_at is not None), None)

    @property
    def omitted_met(self) -> int:
        """How many met items the omit_met option left out of the sections."""
        return sum(s.omitted_met for s in self.sections)

    @property
    def sections(self) -> list[TargetSection]:
        return self.zone_sections + self.conduit_sections


def _person(user: User | None) -> str:
    return person_name(user)


def _result_rows(assessment: Assessment) -> dict[uuid.UUID, list[Result]]:
    by_target: dict[uuid.UUID, list[Result]] = defaultdict(list)
    for result in results_for(assessment).filter(in_scope=True):
        by_target[result.target_id].append(result)
    return by_target


def _groups(
    results: list[Result],
    cells: list[FRCell],
    frs: dict[str, FoundationalRequirement],
    labels: dict[uuid.UUID, str],
    compact: list[str] | None = None,
    *,
    pinned: dict[str, int] | None = None,
    licensed: dict[str, LicensedText] | None = None,
    omit_met: bool = False,
) -> list[FRGroup]:
    """The target's results by FR, in catalogue order; FRs with no target and no results are left out. With
    `compact` (a list), not-assessed items become ids appended to it instead of rows. `pinned`: the assessment's
    level overrides; `licensed`: its organization's licensed texts by id (decision 0032)."""
    pinned, licensed = pinned or {}, licensed or {}
    groups = {c.fr: FRGroup(c.fr, frs[c.fr].name, frs[c.fr].abbreviation, c) for c in cells}
    for r in results:
        req = r.requirement
        if compact is not None and r.status == ResultStatus.NOT_ASSESSED:
            compact.append(req.ref.replace(" ", "\u00a0"))  # an id never breaks across lines
            groups[str(req.fr_id)].not_assessed += 1
            continue
        if omit_met and r.status == ResultStatus.MET:
            groups[str(req.fr_id)].omitted_met += 1
            continue
        groups[str(req.fr_id)].rows.append(
            ResultRow(
                ref=req.ref,
                title=req.title,
                level=(level := pinned.get(req.ref, req.lowest_sl or 0)),
                # Only where the pin really differs (a later release may already select the pinned level).
                overridden_from=req.lowest_sl if level != (req.lowest_sl or 0) else None,
                licensed_text=licensed[req.ref].text if req.ref in licensed else "",
                licensed_guidance=licensed[req.ref].guidance if req.ref in licensed else "",
                is_re=req.kind == "RE",
                status=r.status,
                status_label=ResultStatus(r.status).label,
                observations=r.observations,
                countermeasure=r.countermeasure,
                justification=r.justification,
                evidence=sorted(
                    (labels[e.pk] for e in r.evidence.all() if e.pk in labels),
                    key=lambda label: int(label[1:]),
                ),
            )
        )
    return [g for g in groups.values() if g.rows or g.not_assessed or g.omitted_met or g.cell.target]


def _evidence(assessment: Assessment) -> tuple[list[EvidenceRow], dict[uuid.UUID, str]]:
    """The evidence index, numbered E1, E2... in the order it was added, and the labels by evidence id."""
    rows = list(
        assessment_evidence(assessment)
        .select_related("added_by")
        .annotate(result_count=Count("results"))
        .order_by("added_at", "pk")
    )
    index = [
        EvidenceRow(
            label=f"E{n}",
            name=e.filename or e.reference,
            is_file=e.is_file,
            sha256=e.sha256,
            size=e.size,
            added_at=e.added_at,
            added_by=_person(e.added_by),
            description=e.description,
            expires=e.expires,
            result_count=e.result_count,
        )
        for n, e in enumerate(rows, start=1)
    ]
    return index, {e.pk: row.label for e, row in zip(rows, index, strict=True)}


def _largest_gaps(summary_: Summary, frs: dict[str, FoundationalRequirement]) -> list[GapItem]:
    items = [
        GapItem(
            target=t.name,
            kind=t.kind,
            anchor=anchor(t.kind, t.id),
            fr=c.fr,
            fr_name=frs[c.fr].name,
            sl_target=c.target,
            sl_achieved=c.achieved,
            gap=c.gap,
        )
        for t in summary_.targets
        for c in t.cells
        if c.gap > 0
    ]
    items.sort(key=lambda g: (-g.gap, -g.sl_target, g.target, g.fr))
    return items[:LARGEST_GAPS]


def gap_report(
    assessment: Assessment,
    *,
    now: datetime | None = None,
    compact_not_assessed: bool = False,
    sign_off: SignOff | None = None,
    omit_met: bool = False,
) -> GapReport:
    """Read everything the gap-assessment PDF needs. `compact_not_assessed`: list the items not assessed yet
    as ids per zone or conduit instead of a row each. `sign_off`: the sign-off the report is the record of
    (default: the assessment's current one, if final). `omit_met`: leave met items out of the zone and conduit
    sections (a report of what is left to do; they are counted instead)."""
    assessment = (
        Assessment.objects.select_related("site", "site__organization", "catalogue", "lead", "signed_off_by")
        .prefetch_related("team")
        .get(pk=assessment.pk)
    )
    frs = {fr.code: fr for fr in FoundationalRequirement.objects.all()}
    summary_ = summary(assessment)
    overview = site_overview(assessment.site)
    evidence, evidence_labels = _evidence(assessment)
    results = _result_rows(assessment)
    names: dict[uuid.UUID, tuple[str, str]] = {t.id: (t.name, t.kind) for t in summary_.targets}
    refs = {item.id: item.ref for item in catalogue_items(assessment.catalogue_id)}  # cached per release
    licensed = texts_of(assessment.site.organization_id)  # this organization's only, never another's (0032)

    outline = Outline()
    chapters = {
        "summary": outline.add("summary", "Executive summary"),
        "method": outline.add("method", "Scope and method"),
        "design": outline.add("design", "Zones and conduits"),
    }
    zone_objs = {z.pk: z for z in overview.zones}
    conduit_objs = {c.pk: c for c in overview.conduits}
    capability = overview.capability_by_zone

    def section(t: TargetSummary, label: str, obj: Zone | Conduit, **extra: Any) -> TargetSection:
        """A zone's or conduit's section, entered in the outline as it is made (the outline keeps the order)."""
        entry = outline.add(anchor(t.kind, t.id), f"{label}: {t.name}", level=2)
        refs: list[str] | None = [] if compact_not_assessed else None
        groups = _groups(
            results[t.id],
            t.cells,
            frs,
            evidence_labels,
            refs,
            pinned=assessment.level_overrides,
            licensed=licensed,
            omit_met=omit_met,
        )
        return TargetSection(
            entry=entry, kind=t.kind, obj=obj, summary=t, groups=groups, not_assessed_refs=refs or [], **extra
        )

    zone_sections: list[TargetSection] = []
    if summary_.zones:
        chapters["zones"] = outline.add("zones", "Zone assessments")
    for t in summary_.zones:
        checks = [f for f in overview.findings if f.conduit_id is None and str(t.id) in f.zone_ids]
        capability_fields = _capability_fields(capability.get(t.id), t.standing.target)
        zone_sections.append(section(t, "Zone", zone_objs[t.id], checks=checks, **capability_fields))
    conduit_sections: list[TargetSection] = []
    if summary_.conduits:
        chapters["conduits"] = outline.add("conduits", "Conduit assessments")
    for t in summary_.conduits:
        conduit = conduit_objs[t.id]
        conduit_sections.append(
            section(
                t,
                "Conduit",
                conduit,
                checks=[f for f in overview.findings if f.conduit_id == str(t.id)],
                members=[z.name for z in conduit.zones.all()],
                boundary_devices=[f"{a.name} ({a.get_role_display()})" for a in conduit.boundary_devices.all()],
            )
        )
    chapters["findings"] = outline.add("findings", "Findings")
    since = since_previous(assessment)
    if since is not None:
        chapters["since"] = outline.add("since", "Since the last assessment")
    alignment = alignment_sections(assessment, assessment.site.organization.alignment_frameworks, outline)
    if alignment:
        chapters["alignment"] = next(e for e in outline.entries if e.anchor == "alignment")
    chapters["signoff"] = outline.add("signoff", "Sign-off")
    chapters["evidence"] = outline.appendix("evidence", "Evidence index")
    chapters["changes"] = outline.appendix("changes", "Summary of changes")

    findings, source = findings_for(assessment, results, names)
    days, change_total, recent = change_summary(assessment, refs, names)
    scope_ids = {str(pk) for pk in names}
    design_checks = [
        f for f in overview.findings if (f.conduit_id in scope_ids) or any(z in scope_ids for z in f.zone_ids)
    ]
    status_totals = [
        (s.value, str(s.label), sum(t.counts.get(s.value, 0) for t in summary_.targets)) for s in ResultStatus
    ]
    sign_offs = list(assessment.sign_offs.select_related("signed_off_by", "reopened_by"))
    if sign_off is None and assessment.is_final:
        sign_off = next((s for s in sign_offs if s.reopened_at is None), None)
    return GapReport(
        assessment=assessment,
        summary=summary_,
        outline=outline,
        zone_sections=zone_sections,
        conduit_sections=conduit_sections,
        diagram_svg=overview.diagram_svg(),
        design_checks=design_checks,
        largest_gaps=_largest_gaps(summary_, frs),
        status_totals=status_totals,
        status_meanings=[(str(s), str(ResultStatus(s).label), meaning, ok) for s, meaning, ok in STATUS_MEANINGS],
        fr_names=[(fr.code, fr.name, fr.abbreviation) for fr in frs.values()],
        findings=findings,
        findings_source=source,
        not_assessed=sum(t.counts.get(ResultStatus.NOT_ASSESSED, 0) for t in summary_.targets),
        evidence=evidence,
        change_days=days,
        change_total=change_total,
        recent_changes=recent,
        team=list(assessment.team.all()),
        generated_at=now or timezone.now(),
        result_count=sum(len(rows) for rows in results.values()),
        chapters=chapters,
        compact_not_assessed=compact_not_assessed,
        omit_met=omit_met,
        sign_off=sign_off,
        sign_offs=sign_offs,
        since=since,
        alignment=alignment,
    )
