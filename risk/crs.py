"""What the cybersecurity requirements specification (CRS, IEC 62443-3-2 ZCR 6) of a risk assessment says, read
in a fixed number of queries: the system under consideration, the zones and conduits with their characteristics,
the threat environment, the matrix and tolerable risk, per zone and conduit the proposed SL-T with its reasons
and the scenarios behind it, what was applied, and the approval. The levels come from risk.selectors.site_proposal
(risk/rules.py underneath): this module arranges, it never computes a level. reports/pdf/crs.py renders it."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from compliance.choices import FR_CODES
from risk import rules
from risk.models import AppliedTarget, RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource
from risk.selectors import SiteProposal, TargetProposal, matrix_for, site_proposal
from zones.models import Conduit, Zone


@dataclass(frozen=True)
class ScenarioRow:
    """One threat scenario of a zone or conduit, numbered T01, T02... across the document, with what the
    rule makes of it."""

    number: str
    scenario: ThreatScenario
    evaluation: rules.Evaluation

    @property
    def anchor(self) -> str:
        return f"scenario-{self.scenario.pk}"


@dataclass(frozen=True)
class FrLevel:
    """One FR of a proposal: its level, and the scenarios that set it (none: the baseline)."""

    fr: str
    level: int
    current: int | None
    reasons: list[ScenarioRow]


@dataclass
class TargetSpec:
    """A zone or conduit in the CRS: its characteristics, its proposal FR by FR, its scenarios and what
    was applied to it from this risk assessment."""

    target: TargetProposal
    asset_count: int | None  # None for a conduit
    members: str  # a conduit's zones ("A ↔ B", "A → B"); "" for a zone
    levels: list[FrLevel]
    scenarios: list[ScenarioRow]
    applied: list[AppliedTarget] = field(default_factory=list)

    @property
    def obj(self) -> object:
        return self.target.obj

    @property
    def matches_current(self) -> bool:
        return self.target.current == self.target.proposed

    @property
    def needing_more(self) -> list[ScenarioRow]:
        return [row for row in self.scenarios if row.evaluation.needs_additional_countermeasures]


@dataclass(frozen=True)
class SourceRow:
    """A threat source of the organization and how many scenarios of this assessment name it."""

    source: ThreatSource
    scenarios: int
    exceeding: int


@dataclass(frozen=True)
class MatrixCell:
    likelihood: int
    consequence: int
    rank: int
    exceeds: bool


@dataclass
class Crs:
    """Everything the CRS PDF shows of one risk assessment."""

    assessment: RiskAssessment
    matrix: RiskMatrix
    proposal: SiteProposal
    sources: list[SourceRow]
    zones: list[TargetSpec]
    conduits: list[TargetSpec]
    scenario_count: int
    exceeding_count: int
    needing_more_count: int

    @property
    def targets(self) -> list[TargetSpec]:
        return [*self.zones, *self.conduits]

    @property
    def matrix_rows(self) -> list[tuple[int, str, list[MatrixCell]]]:
        """The matrix as printed: most likely row first, each cell's rank and whether it exceeds."""
        rule = self.proposal.matrix
        return [
            (
                likelihood,
                self.matrix.likelihood_labels[likelihood - 1],
                [
                    MatrixCell(likelihood, c, rule.rank(likelihood, c), rule.exceeds(rule.rank(likelihood, c)))
                    for c in range(1, rules.LEVELS + 1)
                ],
            )
            for likelihood in range(rules.LEVELS, 0, -1)
        ]

    @property
    def consequence_columns(self) -> list[tuple[int, str]]:
        return list(enumerate(self.matrix.consequence_labels, start=1))

    @property
    def changed_targets(self) -> list[TargetSpec]:
        """The zones and conduits whose SL-T today is not the proposal."""
        return [t for t in self.targets if not t.matches_current]


def _levels(target: TargetProposal, rows_by_id: dict[uuid.UUID, ScenarioRow]) -> list[FrLevel]:
    reasons: dict[str, list[ScenarioRow]] = defaultdict(list)
    for reason in target.proposal.reasons:
        row = rows_by_id.get(reason.scenario)  # type: ignore[call-overload]
        if row is not None:
            reasons[reason.fr].append(row)
    current = target.current
    return [
        FrLevel(fr, target.proposed[fr], current[fr] if current is not None else None, reasons.get(fr, []))
        for fr in FR_CODES
    ]


def crs_data(assessment: RiskAssessment) -> Crs:
    """The CRS of `assessment` as it stands now (the proposal, the register and the approval of its current
    revision; applied SL-T of any revision)."""
    proposal = site_proposal(assessment)
    matrix = matrix_for(assessment.site.organization_id)
    rule = proposal.matrix
    scenarios = list(
        ThreatScenario.objects.filter(risk_assessment=assessment)
        .select_related("threat_source")
        .order_by("title", "id")
    )
    by_target: dict[uuid.UUID, list[ThreatScenario]] = defaultdict(list)
    for scenario in scenarios:
        by_target[scenario.target_id].append(scenario)
    rows_by_id: dict[uuid.UUID, ScenarioRow] = {}
    number = 0
    for target in proposal.targets():  # numbered in the document's order: zones, then conduits
        for scenario in by_target.get(target.id, []):
            number += 1
            evaluation = rules.evaluate(rule, scenario.as_rule(scenario.threat_source.capability))
            rows_by_id[scenario.pk] = ScenarioRow(f"T{number:02d}", scenario, evaluation)
    asset_counts = dict(
        Zone.objects.filter(site_id=assessment.site_id).annotate(n=Count("assets")).values_list("pk", "n")
    )
    applied: dict[uuid.UUID, list[AppliedTarget]] = defaultdict(list)
    for row in AppliedTarget.objects.filter(risk_assessment=assessment).select_related("applied_by"):
        target_id = row.zone_id or row.conduit_id
        if target_id is not None:
            applied[target_id].append(row)
    conduits = Conduit.objects.filter(site_id=assessment.site_id).prefetch_related("zones")
    conduit_members = {c.pk: c.flow for c in conduits}

    def spec(target: TargetProposal) -> TargetSpec:
        rows = [rows_by_id[s.pk] for s in by_target.get(target.id, [])]
        rows.sort(key=lambda r: r.number)
        return TargetSpec(
            target=target,
            asset_count=asset_counts.get(target.id) if target.kind == "zone" else None,
            members=conduit_members.get(target.id, ""),
            levels=_levels(target, rows_by_id),
            scenarios=rows,
            applied=sorted(applied.get(target.id, []), key=lambda a: a.applied_at, reverse=True),
        )

    named = Counter(s.threat_source_id for s in scenarios)
    exceeding = Counter(s.threat_source_id for s in scenarios if rows_by_id[s.pk].evaluation.exceeds)
    sources = [
        SourceRow(source, named[source.pk], exceeding[source.pk])
        for source in ThreatSource.objects.filter(organization_id=assessment.site.organization_id).order_by(
            "capability", "name"
        )
    ]
    evaluations = [row.evaluation for row in rows_by_id.values()]
    return Crs(
        assessment=assessment,
        matrix=matrix,
        proposal=proposal,
        sources=sources,
        zones=[spec(t) for t in proposal.zones],
        conduits=[spec(t) for t in proposal.conduits],
        scenario_count=len(scenarios),
        exceeding_count=sum(e.exceeds for e in evaluations),
        needing_more_count=sum(e.needs_additional_countermeasures for e in evaluations),
    )
