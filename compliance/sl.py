"""Security-level arithmetic: the one module that knows what an SL vector is and how levels compare.

A security level is a vector over the seven foundational requirements, written
`{IAC UC SI DC RDF TRE RA}`, one value 0-4 per FR. Pages, API, reports and KPIs all use
this module; nothing else computes with levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from compliance.choices import FR_CODES

MIN_LEVEL, MAX_LEVEL = 0, 4
_COMPACT = re.compile(r"^\{\s*(.*?)\s*\}$")


class SLVectorError(ValueError):
    """A value that is not an SL vector; `errors` maps an FR (or "__all__") to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def _check_level(fr: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SLVectorError({fr: f"{fr} must be an integer 0-4, not {value!r}"})
    if not MIN_LEVEL <= value <= MAX_LEVEL:
        raise SLVectorError({fr: f"{fr} must be between 0 and 4, not {value}"})
    return value


@dataclass(frozen=True, order=False)
class SLVector:
    """One security level (0-4) per foundational requirement, FR1 to FR7."""

    levels: tuple[int, int, int, int, int, int, int]

    def __post_init__(self) -> None:
        # The common case in one pass (a large site's summary makes thousands of vectors); the checks below
        # say what is wrong otherwise. `type(v) is int` refuses booleans, as `_check_level` does.
        if len(self.levels) == len(FR_CODES) and all(
            type(v) is int and MIN_LEVEL <= v <= MAX_LEVEL for v in self.levels
        ):
            return
        if len(self.levels) != len(FR_CODES):
            raise SLVectorError({"__all__": f"an SL vector has 7 values, not {len(self.levels)}"})
        for fr, value in zip(FR_CODES, self.levels, strict=True):
            _check_level(fr, value)

    # --- construction ------------------------------------------------------------
    @classmethod
    def of(cls, *levels: int) -> SLVector:
        return cls(tuple(levels))  # type: ignore[arg-type]

    @classmethod
    def uniform(cls, level: int) -> SLVector:
        return cls.of(*([level] * len(FR_CODES)))

    @classmethod
    def from_mapping(cls, data: Any) -> SLVector:
        """From the API form `{"FR1": 2, ..., "FR7": 2}`: all seven keys, integers 0-4, nothing else."""
        if not isinstance(data, Mapping):
            raise SLVectorError({"__all__": 'expected an object with keys FR1 to FR7, e.g. {"FR1": 2, ...}'})
        errors: dict[str, str] = {}
        unknown = sorted(set(map(str, data)) - set(FR_CODES))
        if unknown:
            errors["__all__"] = f"unknown keys: {', '.join(unknown)} (expected FR1 to FR7)"
        levels: list[int] = []
        for fr in FR_CODES:
            if fr not in data:
                errors[fr] = f"{fr} is missing"
                continue
            try:
                levels.append(_check_level(fr, data[fr]))
            except SLVectorError as exc:
                errors.update(exc.errors)
        if errors:
            raise SLVectorError(errors)
        return cls(tuple(levels))  # type: ignore[arg-type]

    @classmethod
    def parse(cls, text: str) -> SLVector:
        """From the compact notation `{2,2,1,1,3,1,2}` (braces optional, commas or spaces)."""
        raw = text.strip()
        match = _COMPACT.match(raw)
        body = match.group(1) if match else raw
        parts = [p for p in re.split(r"[,\s]+", body) if p]
        if len(parts) != len(FR_CODES):
            raise SLVectorError({"__all__": f"expected 7 values like {{2,2,1,1,3,1,2}}, got {len(parts)} in {text!r}"})
        levels = []
        for fr, part in zip(FR_CODES, parts, strict=True):
            if not re.fullmatch(r"-?\d+", part):
                raise SLVectorError({fr: f"{fr} must be an integer 0-4, not {part!r}"})
            levels.append(_check_level(fr, int(part)))
        return cls(tuple(levels))  # type: ignore[arg-type]

    # --- presentation -------------------------------------------------------------
    def to_dict(self) -> dict[str, int]:
        return dict(zip(FR_CODES, self.levels, strict=True))

    def compact(self) -> str:
        return "{" + ",".join(str(v) for v in self.levels) + "}"

    def __str__(self) -> str:
        return self.compact()

    def __iter__(self) -> Iterator[int]:
        return iter(self.levels)

    def __getitem__(self, fr: str) -> int:
        return self.levels[FR_CODES.index(fr)]

    def items(self) -> list[tuple[str, int]]:
        return list(zip(FR_CODES, self.levels, strict=True))

    # --- comparison -----------------------------------------------------------------
    def frs_below(self, other: SLVector) -> list[str]:
        """The FRs where this vector is lower than `other` (e.g. an asset's SL-C below its zone's SL-T)."""
        return [fr for fr, mine, theirs in zip(FR_CODES, self.levels, other.levels, strict=True) if mine < theirs]

    def meets(self, other: SLVector) -> bool:
        return not self.frs_below(other)

    def gap_to(self, target: SLVector) -> SLVector:
        """target - self per FR, never below zero (the gap when self is SL-A and target SL-T)."""
        return SLVector(tuple(max(t - a, 0) for a, t in zip(self.levels, target.levels, strict=True)))  # type: ignore[arg-type]

    def elementwise_max(self, other: SLVector) -> SLVector:
        return SLVector(tuple(max(a, b) for a, b in zip(self.levels, other.levels, strict=True)))  # type: ignore[arg-type]

    @property
    def max_level(self) -> int:
        return max(self.levels)


ZERO = SLVector.uniform(0)


def zero_vector() -> SLVector:
    """Default for SL-T fields: nothing targeted yet."""
    return ZERO


# --- assessment arithmetic ----------------------------------------------------------------
# The primer's definitions, in one place: which items an assessment covers, when an item is
# satisfied, SL-A per FR, gap and progress. Statuses are the API's strings.

SATISFYING_STATUSES = frozenset({"met", "compensated", "not_applicable"})
NOT_ASSESSED = "not_assessed"


def is_satisfied(status: str) -> bool:
    """Met, met through a documented compensating countermeasure, or justified as not applicable."""
    return status in SATISFYING_STATUSES


def is_required(item_fr: str, item_level: int | None, target: SLVector) -> bool:
    """An item is covered for a zone or conduit when it is selected at or below the SL-T of its FR."""
    return item_level is not None and MIN_LEVEL < item_level <= target[item_fr]


@dataclass(frozen=True)
class ItemState:
    """One catalogue item (SR or RE) of a zone or conduit: its FR, its lowest level, whether it is satisfied."""

    fr: str
    level: int
    satisfied: bool


def achieved(items: Iterable[ItemState]) -> SLVector:
    """SL-A per FR: the highest n in 0..4 such that every item of that FR selected at level n or below
    is satisfied. `items` must be every item of the catalogue part (unassessed ones unsatisfied):
    an item missing from the list would be treated as satisfied."""
    lowest_unsatisfied = dict.fromkeys(FR_CODES, MAX_LEVEL + 1)
    for item in items:
        if not item.satisfied and item.level < lowest_unsatisfied[item.fr]:
            lowest_unsatisfied[item.fr] = item.level
    return SLVector(tuple(max(lowest_unsatisfied[fr] - 1, MIN_LEVEL) for fr in FR_CODES))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Progress:
    """How many of the required items have been assessed (any status other than not assessed)."""

    assessed: int
    total: int

    @property
    def percent(self) -> int:
        """Rounded half up, but 100 only when complete and 0 only when nothing is assessed: a KPI
        must not read "100 %" with one item of 200 left (round() alone would, and rounds 12.5 to 12)."""
        if not self.total:
            return 100
        value = (200 * self.assessed + self.total) // (2 * self.total)  # exact half-up rounding
        if self.assessed < self.total:
            value = min(value, 99)
        if self.assessed > 0:
            value = max(value, 1)
        return value

    @property
    def complete(self) -> bool:
        return self.assessed >= self.total


def progress(statuses: Iterable[str]) -> Progress:
    values = list(statuses)
    return Progress(assessed=sum(1 for s in values if s != NOT_ASSESSED), total=len(values))


def progress_of(counts: Mapping[str, int]) -> Progress:
    """`progress` from the number of items per status (a summary counted by the database)."""
    total = sum(counts.values())
    return Progress(assessed=total - counts.get(NOT_ASSESSED, 0), total=total)


@dataclass(frozen=True)
class Standing:
    """Where one zone or conduit stands against its target."""

    target: SLVector
    achieved: SLVector

    @cached_property
    def gap(self) -> SLVector:
        """Computed once: pages and the API read it several times per target (frozen: it cannot change)."""
        return self.achieved.gap_to(self.target)

    @property
    def at_target(self) -> bool:
        return self.gap.max_level == 0


def standing(target: SLVector, items: Iterable[ItemState]) -> Standing:
    return Standing(target=target, achieved=achieved(items))


# --- projection --------------------------------------------------------------------------------------
# "If the planned actions land by their due dates, what SL-A does the zone reach, and when does it
# reach its SL-T?" The same rule as `achieved`, applied to the items as they would stand on a date.


@dataclass(frozen=True)
class PlannedItem:
    """An item of a zone or conduit with the date a planned fix should make it satisfied
    (`fix_due` None: nothing planned covers it)."""

    fr: str
    level: int
    satisfied: bool
    fix_due: date | None = None

    def satisfied_on(self, when: date) -> bool:
        return self.satisfied or (self.fix_due is not None and self.fix_due <= when)


def achieved_on(items: Iterable[PlannedItem], when: date) -> SLVector:
    """SL-A on `when` if every fix due by then has landed (same completeness rule as `achieved`)."""
    return achieved(ItemState(i.fr, i.level, i.satisfied_on(when)) for i in items)


@dataclass(frozen=True)
class Projection:
    """Where a zone or conduit stands now, where the planned fixes take it, and when it meets its SL-T."""

    target: SLVector
    current: SLVector
    projected: SLVector  # once every planned fix has landed
    reaches_target_on: date | None  # None: already at target, or never with the planned fixes
    steps: tuple[tuple[date, SLVector], ...]  # each due date on which SL-A goes up, with the new SL-A

    @property
    def at_target_now(self) -> bool:
        return self.current.meets(self.target)

    @property
    def reaches_target(self) -> bool:
        return self.projected.meets(self.target)

    @property
    def uncovered(self) -> list[str]:
        """The FRs that stay below target even when every planned fix has landed."""
        return self.projected.frs_below(self.target)


def projection(target: SLVector, items: Iterable[PlannedItem]) -> Projection:
    """Project SL-A over the fixes' due dates. `items` must be every item of the catalogue part (as
    for `achieved`); the target is reached on the first due date on which SL-A meets it."""
    item_list = list(items)
    current = achieved(ItemState(i.fr, i.level, i.satisfied) for i in item_list)
    due_dates = sorted({i.fix_due for i in item_list if i.fix_due is not None and not i.satisfied})
    steps: list[tuple[date, SLVector]] = []
    level = current
    reached: date | None = None
    for when in due_dates:
        now = achieved_on(item_list, when)
        if now != level:
            steps.append((when, now))
            level = now
        if reached is None and not current.meets(target) and now.meets(target):
            reached = when
    return Projection(target=target, current=current, projected=level, reaches_target_on=reached, steps=tuple(steps))
