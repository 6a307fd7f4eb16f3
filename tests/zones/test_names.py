"""Names and titles are one line: control characters are refused by models, forms, the API and the CSV import,
and a stored name that predates the rule cannot break the assets CSV download's header."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from assessments.models import Assessment
from core.validators import validate_single_line
from program.models import Exercise, TrainingRecord, Vulnerability
from remediation.models import Action, Finding
from tests.conftest import Personas, api_as
from tests.zones.plant import Plant, small_plant
from zones.csv_io import CsvImportError, import_assets_csv
from zones.models import Asset, Conduit, Site, Zone

pytestmark = pytest.mark.django_db

VEC = {f"FR{n}": 2 for n in range(1, 8)}
BAD_NAMES = ["Works\nNorth", "Works\r\nSet-Cookie: x=1", "Tab\there", "NUL\x00", "\x1b[31mred", "DEL\x7f", "C1\x85",
             "Line\u2028separator"]  # fmt: skip
NAME_FIELDS: list[tuple[type[models.Model], str]] = [
    (Site, "name"),
    (Zone, "name"),
    (Conduit, "name"),
    (Asset, "name"),
    (Assessment, "title"),
    (Finding, "title"),
    (Action, "title"),
    (Vulnerability, "title"),
    (TrainingRecord, "programme"),
    (Exercise, "scenario"),
]


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def test_assets_csv_of_a_site_whose_stored_name_has_a_newline_downloads(
    client: Any, personas: Personas, plant: Plant
) -> None:
    Site.objects.filter(pk=plant.site.pk).update(name="Works\r\nX-Injected: yes")  # stored before names were checked
    client.force_login(personas.consultant)
    response = client.get(f"/sites/{plant.site.pk}/assets.csv")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    assert "\r" not in header and "\n" not in header
    assert not response.has_header("X-Injected")
    assert plant.plc.name in response.content.decode()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_validator_refuses_control_characters(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_single_line(name)
    assert caught.value.code == "control_characters"


@pytest.mark.parametrize("name", ["", "PLC-1", "Pumpe Süd / Ölpumpe", "Zone «A» 東京", 'HMI, "north"'])
def test_the_validator_accepts_ordinary_names(name: str) -> None:
    validate_single_line(name)


@pytest.mark.parametrize(("model", "field_name"), NAME_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_every_name_and_title_field_refuses_control_characters(model: type[models.Model], field_name: str) -> None:
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.CharField)
    assert validate_single_line in field.validators
    with pytest.raises(ValidationError):
        field.clean("First line\nsecond line", None)


def test_the_zone_form_answers_a_field_error(client: Any, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    data = {"name": "Bad\nzone", "kind": "control", "criticality": "high", "sl_target_compact": "{2,2,2,2,2,2,2}"}
    response = client.post(f"/sites/{plant.site.pk}/zones/new/", data)
    assert response.status_code == 200
    assert "Control characters" in response.context["form"].errors["name"][0]
    assert not Zone.objects.filter(name="Bad\nzone").exists()


def test_the_api_answers_a_field_error(personas: Personas, plant: Plant) -> None:
    client = api_as(personas.consultant)
    created = client.post(
        "/api/v1/sites/",
        {"organization": str(personas.org.pk), "name": "Works\nNorth", "sector": "water"},
        format="json",
    )
    assert created.status_code == 400
    assert "Control characters" in created.json()["name"][0]
    patched = client.patch(
        f"/api/v1/assets/{plant.plc.pk}/", {"name": "\x1b[2JPLC"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert patched.status_code == 400
    assert "name" in patched.json()
    assert Asset.objects.get(pk=plant.plc.pk).name == plant.plc.name


def test_the_asset_import_refuses_a_name_with_a_line_break(plant: Plant) -> None:
    data = f'zone,name,component_type\n{plant.control.name},"two\nlines",EDR\n'.encode()
    with pytest.raises(CsvImportError) as caught:
        import_assets_csv(site=plant.site, data=data)
    [(line, reason)] = caught.value.errors
    assert line == 2 and reason.startswith("name: Control characters")
    assert not Asset.objects.filter(name="two\nlines").exists()
