"""The rules of one row: CVE ids, CVSS and severity, status and dates, training counts; the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from core.versioning import StaleObjectError
from program import services
from program.models import Exercise, TrainingRecord, Vulnerability, cve_problem, severity_for_cvss
from tests.conftest import Personas
from tests.program.factories import TrainingRecordFactory, critical
from tests.zones.plant import small_plant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "rating"),
    [("10.0", "critical"), ("9.0", "critical"), ("8.9", "high"), ("7.0", "high"), ("6.9", "medium"),
     ("4.0", "medium"), ("3.9", "low"), ("0.1", "low"), ("0.0", "none")],
)  # fmt: skip
def test_cvss_qualitative_rating(score: str, rating: str) -> None:
    assert severity_for_cvss(Decimal(score)) == rating


@pytest.mark.parametrize("cve", ["CVE-2024-1234", "CVE-1999-0001", "CVE-2026-1234567"])
def test_good_cve_ids(cve: str) -> None:
    assert cve_problem(cve) is None


@pytest.mark.parametrize("cve", ["CVE-24-1234", "CVE-2024-123", "2024-1234", "CVE-2024-12a4", "CVE-1998-1234"])
def test_bad_cve_ids(cve: str) -> None:
    assert cve_problem(cve)


def save(personas: Personas, **fields: Any) -> Vulnerability:
    asset = small_plant(personas.site).plc
    data = {"asset": asset, "cve": "cve-2026-4242", "found": date(2026, 1, 5), **fields}
    return services.vulnerability_save(vulnerability=Vulnerability(), fields=data)


def test_severity_follows_the_score_and_the_id_is_normalised(personas: Personas) -> None:
    vuln = save(personas, cvss_score=Decimal("9.1"))
    assert (vuln.cve, vuln.severity, vuln.status, vuln.version) == ("CVE-2026-4242", "critical", "open", 1)
    assert vuln.history.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cvss_score": Decimal("9.8"), "severity": "high"}, "severity", "is rated critical, not high"),
        ({}, "severity", "Give a severity, or a CVSS score"),
        ({"cve": "", "severity": "low"}, "cve", "Give a CVE id, an advisory id, or both."),
        ({"cve": "CVE-26-1", "severity": "low"}, "cve", "is not a CVE id"),
        ({"severity": "low", "fixed": date(2026, 1, 1)}, "fixed", "before it was found"),
        ({"severity": "low", "status": "fixed"}, "fixed", "Say when it was patched."),
        ({"severity": "low", "status": "mitigated"}, "fixed", "Say when it was mitigated."),
        ({"severity": "low", "status": "open", "fixed": date(2026, 2, 1)}, "status", "fixed or mitigated"),
        ({"cvss_score": Decimal("10.1")}, "cvss_score", "less than or equal to 10.0"),
    ],
)
def test_refused_vulnerabilities(personas: Personas, fields: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        save(personas, **fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Vulnerability.objects.exists()


def test_a_stale_edit_is_refused_and_a_vulnerability_stays_on_its_site(personas: Personas) -> None:
    vuln = save(personas, severity="high")
    services.vulnerability_save(vulnerability=vuln, fields={"title": "First"}, expected_version=1)
    with pytest.raises(StaleObjectError):
        services.vulnerability_save(vulnerability=vuln, fields={"title": "Second"}, expected_version=1)
    elsewhere = small_plant(personas.other_site).plc
    with pytest.raises(ValidationError, match="another site"):
        services.vulnerability_save(vulnerability=vuln, fields={"asset": elsewhere}, expected_version=2)
    vuln.refresh_from_db()
    assert (vuln.title, vuln.version, vuln.history.count()) == ("First", 2, 2)


def test_training_counts_and_exercises(personas: Personas) -> None:
    bad = {"programme": "Awareness", "period_start": date(2026, 3, 1), "period_end": date(2026, 1, 1),
           "people_required": 10, "people_completed": 11}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.training_record_save(record=TrainingRecord(site=personas.site), fields=bad)
    assert set(caught.value.message_dict) == {"period_end", "people_completed"}
    record = TrainingRecordFactory.create(site=personas.site, people_required=8, people_completed=6)
    assert record.percent == 75.0
    with pytest.raises(ValidationError, match="another site"):
        services.training_record_save(record=record, fields={"site": personas.other_site})
    fields = {"held_on": date(2026, 5, 20), "kind": "functional", "scenario": "Loss of view", "outcome": "not_met"}
    exercise = services.exercise_save(exercise=Exercise(site=personas.site), fields=fields)
    services.record_delete(obj=exercise, expected_version=1)
    assert not Exercise.objects.exists() and Exercise.history.count() == 2  # the deletion is in the history


def test_deleting_with_a_stale_version_is_refused(personas: Personas) -> None:
    vuln = critical(small_plant(personas.site).plc, found=date(2026, 1, 1))
    with pytest.raises(StaleObjectError):
        services.record_delete(obj=vuln, expected_version=7)
    assert Vulnerability.objects.filter(pk=vuln.pk).exists()
