"""The date range Zonewise accepts (core.validators, docs/decisions/0017-date-range.md): the validator's
bounds, that every date people type into remediation, program and assessments carries it, and that the API
answers a date out of range with a 400 naming the field (never a 500 further down)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from assessments.models import Assessment, Evidence
from core.validators import MAX_DATE, MIN_DATE, clamp_date, date_in_range, validate_date_range
from program.models import Exercise, TrainingRecord, Vulnerability
from remediation.models import Action, Finding
from tests.assessments.helpers import make_assessment
from tests.conftest import Personas, api_as
from tests.zones.plant import small_plant

USER_DATES: list[tuple[type[models.Model], str]] = [
    (Action, "planned_start"), (Action, "due_date"), (Finding, "identified"), (Finding, "resolved_at"),
    (Vulnerability, "found"), (Vulnerability, "fixed"), (TrainingRecord, "period_start"),
    (TrainingRecord, "period_end"), (Exercise, "held_on"),
    (Assessment, "planned_start"), (Assessment, "planned_end"), (Assessment, "actual_start"),
    (Assessment, "actual_end"), (Evidence, "expires"),
]  # fmt: skip


@pytest.mark.parametrize("day", [MIN_DATE, date(2026, 11, 25), MAX_DATE])
def test_dates_in_range_pass(day: date) -> None:
    validate_date_range(day)
    assert date_in_range(day) and clamp_date(day) == day


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)])
def test_dates_out_of_range_are_refused_and_clamped(day: date) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_date_range(day)
    assert caught.value.code == "date_out_of_range" and "1900-01-01" in caught.value.messages[0]
    assert not date_in_range(day) and clamp_date(day) in (MIN_DATE, MAX_DATE)


@pytest.mark.parametrize(("model", "name"), USER_DATES, ids=lambda v: getattr(v, "__name__", v))
def test_every_date_people_type_is_range_checked(model: type[models.Model], name: str) -> None:
    field = model._meta.get_field(name)
    assert validate_date_range in field.validators  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        field.clean(date(9999, 12, 31), model())  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_program_api_refuses_far_dates(personas: Personas) -> None:
    plant = small_plant(personas.site)
    client = api_as(personas.admin)
    body = {"asset": str(plant.firewall.pk), "cve": "CVE-2026-9999", "cvss_score": "7.2", "found": "9999-12-31"}
    response = client.post("/api/v1/vulnerabilities/", body, format="json")
    assert response.status_code == 400 and "found" in response.json(), response.content
    body = {
        "site": str(personas.site.pk),
        "held_on": "0001-01-01",
        "kind": "tabletop",
        "scenario": "x",
        "outcome": "met",
    }
    response = client.post("/api/v1/exercises/", body, format="json")
    assert response.status_code == 400 and "held_on" in response.json(), response.content


@pytest.mark.django_db
def test_the_assessments_api_refuses_far_dates(personas: Personas) -> None:
    assessment = make_assessment(personas.site, personas.consultant)
    client = api_as(personas.consultant)
    response = client.patch(
        f"/api/v1/assessments/{assessment.pk}/",
        {"planned_start": "9999-12-31"},
        format="json",
        HTTP_IF_MATCH=f'"{assessment.version}"',
    )
    assert response.status_code == 400 and "planned_start" in response.json(), response.content
    body = {"assessment": str(assessment.pk), "reference": "DMS-1", "expires": "9999-12-31"}
    response = client.post("/api/v1/evidence/", body, format="json")
    assert response.status_code == 400 and "expires" in response.json(), response.content
