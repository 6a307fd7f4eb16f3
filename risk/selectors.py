"""Reads of risk assessments: the organization's matrix (created with its defaults when first needed) and the
proposal of SL-T per zone and conduit, in a fixed number of queries whatever the size of the site."""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import Organization
from compliance.sl import SLVector
from risk import defaults, rules
from risk.models import RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource
from zones.models import Conduit, Zone


def matrix_for(organization: Organization | uuid.UUID) -> RiskMatrix:
    """The organization's risk matrix; on first use, the default matrix and the usual threat sources.
    The sources come only with a new matrix, so a source an organization deleted does not come back."""
    org_id: uuid.UUID = organization.pk if isinstance(organization, Organization) else organization
    found = RiskMatrix.objects.filter(organization_id=org_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            matrix = RiskMatrix.objects.create(organization_id=org_id)
            existing = set(ThreatSource.objects.filter(organization_id=org_id).values_list("name", flat=True))
            for name, capability, description in defaults.THREAT_SOURCES:
                if name not in existing:
                    ThreatSource.objects.create(
                        organization_id=org_id, name=name, capability=capability, description=description
                    )
            return matrix
    except IntegrityError:  # someone else created it at the same moment: theirs is the one
        return RiskMatrix.objects.get(organization_id=org_id)


@dataclass(frozen=True)
class TargetProposal:
    """One zone or conduit of the site: today's SL-T, the proposal with its reasons, its initial risk."""

    kind: str  # "zone" or "conduit"
    id: uuid.UUID
    name: str
    obj: Zone | Conduit
    current: SLVector | None
    proposal: rules.Proposal
    initial: rules.InitialRisk

    @property
    def proposed(self) -> SLVector:
        return self.proposal.levels


@dataclass(frozen=True)
class SiteProposal:
    """The proposal of a risk assessment for every zone and conduit of its site."""

    assessment: RiskAssessment
    matrix: rules.Matrix
    zones: list[TargetProposal]
    conduits: list[TargetProposal]

    def targets(self) -> list[TargetProposal]:
        return [*self.zones, *self.conduits]


def rule_scenarios(assessment: RiskAssessment) -> list[rules.Scenario]:
    """The assessment's scenarios as the rule takes them (one query, the sources' capabilities joined)."""
    rows = ThreatScenario.objects.filter(risk_assessment=assessment).values_list(
        "pk", "zone_id", "conduit_id", "threat_source_id", "threat_source__capability", "frs", "likelihood",
        "consequence", "residual_likelihood", "residual_consequence",
    )  # fmt: skip
    return [
        rules.Scenario(
            id=pk,
            target=zone_id or conduit_id,
            threat_source=source_id,
            capability=capability,
            frs=frozenset(frs),
            likelihood=likelihood,
            consequence=rules.worst_consequence(consequence),
            residual_likelihood=res_l,
            residual_consequence=res_c,
        )
        for pk, zone_id, conduit_id, source_id, capability, frs, likelihood, consequence, res_l, res_c in rows
    ]


def site_proposal(assessment: RiskAssessment) -> SiteProposal:
    """The rule applied to the assessment: zones, conduits, scenarios and the matrix in four queries."""
    matrix = matrix_for(assessment.site.organization_id).as_rule()
    zones = list(Zone.objects.filter(site_id=assessment.site_id).order_by("name"))
    conduits = list(Conduit.objects.filter(site_id=assessment.site_id).order_by("name"))
    scenarios = rule_scenarios(assessment)
    ids: list[Hashable] = [t.pk for t in [*zones, *conduits]]
    proposals = rules.propose(matrix, assessment.baseline_sl, scenarios, ids)
    initial = rules.initial_risk(matrix, scenarios, ids)

    def entry(kind: str, obj: Zone | Conduit) -> TargetProposal:
        return TargetProposal(kind, obj.pk, obj.name, obj, obj.sl_target, proposals[obj.pk], initial[obj.pk])

    return SiteProposal(
        assessment=assessment,
        matrix=matrix,
        zones=[entry("zone", z) for z in zones],
        conduits=[entry("conduit", c) for c in conduits],
    )


@dataclass(frozen=True)
class Row:
    """One scenario of the register with what the rule says of it, and its number on the heat maps."""

    number: int
    scenario: ThreatScenario
    evaluation: rules.Evaluation


@dataclass(frozen=True)
class RegisterGroup:
    """The scenarios of one zone or conduit."""

    kind: str
    obj: Zone | Conduit
    rows: list[Row]

    @property
    def id(self) -> uuid.UUID:
        return self.obj.pk


def evaluated(scenario: ThreatScenario, matrix: rules.Matrix, number: int = 0) -> Row:
    """A scenario (its threat source joined) against the matrix."""
    return Row(number, scenario, rules.evaluate(matrix, scenario.as_rule(scenario.threat_source.capability)))


def register(assessment: RiskAssessment, matrix: rules.Matrix) -> list[RegisterGroup]:
    """The register: every zone, then every conduit of the site with its scenarios, numbered in that order
    (the numbers of the heat-map dots). Three queries whatever the size."""
    scenarios = ThreatScenario.objects.filter(risk_assessment=assessment).select_related(
        "threat_source", "zone", "conduit", "remediation_action"
    )
    by_target: dict[Hashable, list[ThreatScenario]] = {}
    for s in scenarios.order_by("title", "id"):
        by_target.setdefault(s.target_id, []).append(s)
    groups: list[RegisterGroup] = []
    number = 0
    zones = Zone.objects.filter(site_id=assessment.site_id).order_by("name")
    conduits = Conduit.objects.filter(site_id=assessment.site_id).order_by("name")
    for kind, objs in (("zone", list(zones)), ("conduit", list(conduits))):
        for obj in objs:
            rows = []
            for s in by_target.get(obj.pk, []):
                number += 1
                rows.append(evaluated(s, matrix, number))
            groups.append(RegisterGroup(kind, obj, rows))
    return groups
