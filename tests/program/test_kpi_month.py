"""Bad months on the KPI endpoint are the caller's mistake (400 on `month`), never a server error: a month
before the dates Zonewise accepts (year 1, whose 12-month window would start before the calendar does), no
year 0, no month 13, no five-digit year, no month at all."""

from __future__ import annotations

import pytest

from program.kpis import parse_month
from tests.conftest import Personas, api_as

pytestmark = pytest.mark.django_db

BAD_MONTHS = ["0001-01", "0000-01", "2026-13", "10000-01", "abc", "1899-12", "2201-01"]


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_a_bad_month_is_a_400_on_month(personas: Personas, month: str) -> None:
    response = api_as(personas.admin).get("/api/v1/kpis/", {"organization": str(personas.org.pk), "month": month})
    assert response.status_code == 400, response.content
    assert "month" in response.json()


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_parse_month_refuses_months_out_of_range(month: str) -> None:
    with pytest.raises(ValueError):
        parse_month(month)


def test_an_early_month_in_range_still_measures(personas: Personas) -> None:
    response = api_as(personas.admin).get("/api/v1/kpis/", {"organization": str(personas.org.pk), "month": "1900-01"})
    assert response.status_code == 200, response.content
    assert response.json()["period"]["month"] == "1900-01"
