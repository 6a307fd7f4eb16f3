"""The risk rule of IEC 62443-3-2 as Zonewise applies it: from threat scenarios to a proposed SL-T.

Pure and small, like compliance.sl: frozen dataclasses in, frozen dataclasses out, no database. The pages,
the API, the CRS report and the benchmark all call these functions; nothing else computes risk.

- A scenario's consequence is the highest of its six consequence categories (0-5); 0 everywhere means
  "no consequence": its rank is 0, below any tolerable rank, so it never exceeds.
- Unmitigated rank = ranks[likelihood-1][consequence-1]; it exceeds tolerable risk when rank > tolerable_rank.
- Residual rank: the same with residual likelihood and consequence, each falling back to the unmitigated
  value when not given; above tolerable means "additional countermeasures needed" (ZCR 5.12).
- Proposed SL-T of a zone or conduit, per FR: the highest capability of the threat sources of its exceeding
  scenarios naming that FR, never below the baseline. The reasons of a level are the exceeding scenarios whose
  source's capability equals it; a level with no reason is the baseline.
- Initial risk (ZCR 2, 4) of a zone or conduit: its worst consequence with the threat taken as succeeding
  (likelihood 5, the matrix's "certain" row); above tolerable marks it for the detailed assessment.
See docs/decisions/0024-risk-rule.md.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from compliance.choices import FR_CODES
from compliance.sl import MAX_LEVEL, MIN_LEVEL, SLVector

LEVELS = 5  # likelihood and consequence levels, and risk ranks, are 1-5
NO_CONSEQUENCE = 0
CONSEQUENCE_CATEGORIES = ("safety", "environment", "production", "financial", "reputation", "regulatory")
MIN_CAPABILITY, MAX_CAPABILITY = 1, 4
CERTAIN = LEVELS  # the likelihood of a threat taken as succeeding (initial risk)


class RiskInputError(ValueError):
    """A value the rule cannot take; `errors` maps a field name to a message (for 400s and forms)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def matrix_errors(ranks: Any, tolerable_rank: Any) -> dict[str, str]:
    """What is wrong with a matrix (empty when nothing): 5x5 ranks of integers 1-5 and a tolerable rank 1-5."""
    errors: dict[str, str] = {}
    if not isinstance(ranks, (list, tuple)) or len(ranks) != LEVELS:
        errors["ranks"] = f"ranks must be {LEVELS} rows (one per likelihood 1-{LEVELS}) of {LEVELS} ranks each."
    else:
        for l_index, row in enumerate(ranks, start=1):
            if not isinstance(row, (list, tuple)) or len(row) != LEVELS:
                errors["ranks"] = f"Row {l_index} (likelihood {l_index}) must hold {LEVELS} ranks, one per consequence."
                break
            bad = [c for c, value in enumerate(row, start=1) if not _is_int(value) or not 1 <= value <= LEVELS]
            if bad:
                value = row[bad[0] - 1]
                errors["ranks"] = f"Likelihood {l_index}, consequence {bad[0]}: a rank is 1-{LEVELS}, not {value!r}."
                break
    if not _is_int(tolerable_rank) or not 1 <= tolerable_rank <= LEVELS:
        errors["tolerable_rank"] = f"The tolerable rank is an integer 1-{LEVELS}, not {tolerable_rank!r}."
    return errors


def consequence_errors(consequence: Any) -> dict[str, str]:
    """What is wrong with a consequence object: known categories only, integers 0-5 (a missing one is 0)."""
    if not isinstance(consequence, Mapping):
        return {"__all__": f"Expected an object with integer values 0-5 for {', '.join(CONSEQUENCE_CATEGORIES)}."}
    errors: dict[str, str] = {}
    unknown = sorted(set(map(str, consequence)) - set(CONSEQUENCE_CATEGORIES))
    if unknown:
        errors["__all__"] = f"Unknown categories: {', '.join(unknown)} (use {', '.join(CONSEQUENCE_CATEGORIES)})."
    for name in CONSEQUENCE_CATEGORIES:
        value = consequence.get(name, 0)
        if not _is_int(value) or not NO_CONSEQUENCE <= value <= LEVELS:
            errors[name] = f"{name} must be an integer 0-{LEVELS}, not {value!r}."
    return errors


def worst_consequence(consequence: Mapping[str, int]) -> int:
    """A scenario's consequence: the highest of its categories (0 when it names none)."""
    return max((consequence.get(name, 0) for name in CONSEQUENCE_CATEGORIES), default=NO_CONSEQUENCE)


@dataclass(frozen=True)
class Matrix:
    """An organization's risk matrix: ranks[l-1][c-1] is the rank (1-5) of likelihood l and consequence c."""

    ranks: tuple[tuple[int, ...], ...]
    tolerable_rank: int

    def __post_init__(self) -> None:
        if errors := matrix_errors(self.ranks, self.tolerable_rank):
            raise RiskInputError(errors)

    @classmethod
    def of(cls, ranks: Iterable[Iterable[int]], tolerable_rank: int) -> Matrix:
        return cls(tuple(tuple(row) for row in ranks), tolerable_rank)

    def rank(self, likelihood: int, consequence: int) -> int:
        """The risk rank of a likelihood 1-5 and a consequence 0-5 (0: no consequence, rank 0)."""
        if not 1 <= likelihood <= LEVELS or not NO_CONSEQUENCE <= consequence <= LEVELS:
            raise RiskInputError({"likelihood": f"likelihood 1-{LEVELS} and consequence 0-{LEVELS} only"})
        if consequence == NO_CONSEQUENCE:
            return 0
        return self.ranks[likelihood - 1][consequence - 1]

    def exceeds(self, rank: int) -> bool:
        """Whether a rank is above tolerable risk."""
        return rank > self.tolerable_rank


@dataclass(frozen=True)
class Scenario:
    """What the rule needs of one threat scenario: its target (a zone's or conduit's id), its threat source
    and that source's capability (1-4), the FRs it names, likelihood 1-5 and consequence 0-5 (the worst
    category), and the residual values after countermeasures (None: unchanged by them)."""

    id: Hashable
    target: Hashable
    threat_source: Hashable
    capability: int
    frs: frozenset[str]
    likelihood: int
    consequence: int
    residual_likelihood: int | None = None
    residual_consequence: int | None = None


@dataclass(frozen=True)
class Evaluation:
    """One scenario against the matrix: its unmitigated and residual rank and what they mean."""

    rank: int
    exceeds: bool
    residual_rank: int
    needs_additional_countermeasures: bool


def evaluate(matrix: Matrix, scenario: Scenario) -> Evaluation:
    rank = matrix.rank(scenario.likelihood, scenario.consequence)
    likelihood = scenario.residual_likelihood if scenario.residual_likelihood is not None else scenario.likelihood
    consequence = scenario.residual_consequence if scenario.residual_consequence is not None else scenario.consequence
    residual = matrix.rank(likelihood, consequence)
    return Evaluation(rank, matrix.exceeds(rank), residual, matrix.exceeds(residual))


@dataclass(frozen=True)
class Reason:
    """Why an FR's proposed level is what it is: this scenario, by this threat source, exceeds tolerable risk."""

    fr: str
    level: int
    scenario: Hashable
    threat_source: Hashable


@dataclass(frozen=True)
class Proposal:
    """The proposed SL-T of one zone or conduit, with the reasons of each level above the baseline."""

    target: Hashable
    levels: SLVector
    reasons: tuple[Reason, ...]


def propose(
    matrix: Matrix, baseline: int, scenarios: Iterable[Scenario], targets: Iterable[Hashable] = ()
) -> dict[Hashable, Proposal]:
    """The proposal for every target in `targets` and every target a scenario names."""
    if not _is_int(baseline) or not MIN_LEVEL <= baseline <= MAX_LEVEL:
        raise RiskInputError({"baseline_sl": f"The baseline is an SL 0-4, not {baseline!r}."})
    exceeding: dict[Hashable, list[Scenario]] = {t: [] for t in targets}
    for scenario in scenarios:
        found = exceeding.setdefault(scenario.target, [])
        if matrix.exceeds(matrix.rank(scenario.likelihood, scenario.consequence)):
            found.append(scenario)
    proposals: dict[Hashable, Proposal] = {}
    for target, found in exceeding.items():
        best = dict.fromkeys(FR_CODES, baseline)
        for scenario in found:
            for fr in scenario.frs:
                if scenario.capability > best[fr]:
                    best[fr] = scenario.capability
        found.sort(key=lambda s: str(s.id))  # reasons in a stable order
        reasons = tuple(
            Reason(fr, best[fr], s.id, s.threat_source)
            for fr in FR_CODES
            for s in found
            if s.capability == best[fr] and fr in s.frs
        )
        levels = SLVector(tuple(best[fr] for fr in FR_CODES))  # type: ignore[arg-type]
        proposals[target] = Proposal(target, levels, reasons)
    return proposals


@dataclass(frozen=True)
class InitialRisk:
    """A zone's or conduit's initial risk (ZCR 2): its worst consequence with the threat taken as succeeding."""

    target: Hashable
    worst_consequence: int
    rank: int
    above_tolerable: bool


def initial_risk(
    matrix: Matrix, scenarios: Iterable[Scenario], targets: Iterable[Hashable] = ()
) -> dict[Hashable, InitialRisk]:
    """Per target: the worst consequence of its scenarios at likelihood "certain" (5), against tolerable risk."""
    worst: dict[Hashable, int] = dict.fromkeys(targets, NO_CONSEQUENCE)
    for scenario in scenarios:
        worst[scenario.target] = max(worst.get(scenario.target, NO_CONSEQUENCE), scenario.consequence)
    result = {}
    for target, consequence in worst.items():
        rank = matrix.rank(CERTAIN, consequence)
        result[target] = InitialRisk(target, consequence, rank, matrix.exceeds(rank))
    return result
