"""Shared by the alignment tests: the small test framework (tests/alignment/data/good/test-fw.yaml), variants
of it written to a temporary folder, and an assessment with one item of each coverage."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from accounts.models import User
from alignment.loader import load_frameworks, read_frameworks, system_refs
from alignment.models import Framework
from assessments.choices import ResultStatus
from assessments.models import Assessment
from compliance.loader import read_all
from tests.assessments.helpers import make_assessment, make_plant, record, result_for, uniform
from zones.models import Site, Zone

DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "good"
KEY = "test-fw"


def good_document() -> dict[str, Any]:
    return dict(yaml.safe_load((GOOD / f"{KEY}.yaml").read_text()))


def write_variant(folder: Path, change: Callable[[dict[str, Any]], None], name: str = KEY) -> Path:
    """The test framework, changed by `change`, written as `<folder>/<name>.yaml`; returns the folder."""
    document = copy.deepcopy(good_document())
    change(document)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return folder


def load_test_framework(folder: Path = GOOD) -> Framework:
    load_frameworks(read_frameworks(system_refs(read_all()), folder))
    return Framework.objects.get(key=KEY)


# What each item of the test framework should read against `covered_assessment`'s two zones at SL-T 2.
EXPECTED = {
    "A-1": "covered",
    "A-2": "partial",
    "A-3": "not_covered",
    "A-4": "not_assessed",
    "A-5": "out_of_scope",
    "G-1": "no_counterpart",
}


@dataclass
class CoveredAssessment:
    assessment: Assessment
    zones: list[Zone]


def covered_assessment(site: Site, by: User, zones: int = 2, prefix: str = "Zone") -> CoveredAssessment:
    """Zones at SL-T 2 everywhere, with statuses that give each item of the test framework its own
    coverage (EXPECTED). SR 1.1 RE 3 is selected at SL4 only, so no zone requires it."""
    plant = make_plant(site, [uniform(2)] * zones, prefix=prefix)
    assessment = make_assessment(site, by, zones=plant.zones)
    first, *others = plant.zones
    for zone in plant.zones:
        record(result_for(assessment, zone, "SR 1.1"), ResultStatus.MET, by)
        record(result_for(assessment, zone, "SR 1.3"), ResultStatus.COMPENSATED, by)
    record(result_for(assessment, first, "SR 1.4"), ResultStatus.NOT_MET, by)  # others' SR 1.4 not assessed
    record(result_for(assessment, first, "SR 1.5"), ResultStatus.NOT_MET, by)
    for zone in others:
        record(result_for(assessment, zone, "SR 1.5"), ResultStatus.PARTIALLY_MET, by)
    return CoveredAssessment(assessment, plant.zones)
