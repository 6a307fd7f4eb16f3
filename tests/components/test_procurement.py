"""Procurement requirements of a zone: which 4-2 items a component must meet (the primer's counts at SL 4 as the
oracle, fewer at lower targets, pointer headings never), the options a buyer gives, and the CSV and XLSX
downloads through the door (other organizations' zones do not exist)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from compliance.choices import FR_CODES
from compliance.sl import SLVector
from components.procurement import COLUMNS, procurement_for, procurement_parameters
from components.procurement_export import procurement_csv, procurement_xlsx
from components.requirements import (
    COMPONENT_TYPES,
    ComponentItem,
    component_catalogue_items,
    current_component_catalogue,
    required_component_items,
)
from tests.conftest import PERSONA_NAMES, Personas
from tests.zones.plant import make_zone

PRIMER_AT_SL4 = {"SAR": 73, "EDR": 83, "HDR": 84, "NDR": 92}  # the primer's self-check for 4-2:2019
levels = st.integers(min_value=0, max_value=4)
targets = st.builds(lambda values: SLVector(tuple(values)), st.lists(levels, min_size=7, max_size=7))


@pytest.fixture(scope="module")
def rows(django_db_setup: None, django_db_blocker: Any) -> tuple[ComponentItem, ...]:
    """Every row of the current 4-2 release (the real catalogue), pointer headings included."""
    with django_db_blocker.unblock():
        return component_catalogue_items(current_component_catalogue().pk)


# --- the rule --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("component_type", "expected"), PRIMER_AT_SL4.items())
def test_a_zone_at_sl4_asks_the_primers_count_of_every_type(
    rows: tuple[ComponentItem, ...], component_type: str, expected: int
) -> None:
    assert len(required_component_items(rows, component_type, SLVector.uniform(4))) == expected


@pytest.mark.parametrize("component_type", COMPONENT_TYPES)
def test_a_lower_target_asks_fewer_items(rows: tuple[ComponentItem, ...], component_type: str) -> None:
    counts = [len(required_component_items(rows, component_type, SLVector.uniform(n))) for n in range(5)]
    assert counts[0] == 0
    assert counts == sorted(set(counts)), counts  # strictly more at every level
    # One FR raised alone adds only that FR's items.
    only_fr3 = required_component_items(rows, component_type, SLVector.of(1, 1, 3, 1, 1, 1, 1))
    at_one = required_component_items(rows, component_type, SLVector.uniform(1))
    assert {i.fr for i in set(only_fr3) - set(at_one)} == {"FR3"}


def test_pointer_headings_are_never_items(rows: tuple[ComponentItem, ...]) -> None:
    headings = {row.ref for row in rows if not row.assessable}
    assert {"CR 2.4", "CR 3.10", "CR 2.3"} <= headings
    for component_type in COMPONENT_TYPES:
        chosen = required_component_items(rows, component_type, SLVector.uniform(4))
        assert not headings & {item.ref for item in chosen}
    # The rule itself refuses one, even if a row claimed a level and a type.
    heading = ComponentItem(uuid.uuid4(), "CR 9.9", "CR", "FR1", "Pointer", 1, frozenset(COMPONENT_TYPES), False)
    assert required_component_items([heading], "EDR", SLVector.uniform(4)) == []


def test_the_rule_over_plain_rows() -> None:
    def item(ref: str, fr: str, level: int | None, types: str) -> ComponentItem:
        return ComponentItem(uuid.uuid4(), ref, ref.split()[0], fr, ref, level, frozenset(types.split()))

    rows = [item("CR 1.1", "FR1", 1, "SAR EDR"), item("EDR 2.4", "FR2", 2, "EDR"), item("CR 3.1", "FR3", 3, "EDR"),
            item("NDR 1.1", "FR1", 1, "NDR"), item("CR 4.4", "FR4", None, "EDR")]  # fmt: skip
    chosen = required_component_items(rows, "EDR", SLVector.of(2, 2, 2, 2, 2, 2, 2))
    assert [i.ref for i in chosen] == ["CR 1.1", "EDR 2.4"]  # catalogue order kept; CR 3.1 is above its target
    assert required_component_items(rows, "EDR", SLVector.of(1, 0, 3, 0, 0, 0, 0))[-1].ref == "CR 3.1"


@given(low=targets, high=targets)
def test_raising_a_target_never_drops_an_item(rows: tuple[ComponentItem, ...], low: SLVector, high: SLVector) -> None:
    high = low.elementwise_max(high)
    for component_type in COMPONENT_TYPES:
        below = {i.ref for i in required_component_items(rows, component_type, low)}
        above = {i.ref for i in required_component_items(rows, component_type, high)}
        assert below <= above
        assert all(
            i.level is not None and i.level <= high[i.fr or ""]
            for i in required_component_items(rows, component_type, high)
        )


# --- the data and the options ------------------------------------------------------------------------
def test_procurement_groups_the_items_by_fr(personas: Personas) -> None:
    zone = make_zone(personas.site, "Pump station 3", "{3,2,1,0,2,1,1}")
    data = procurement_for(zone, ["NDR", "EDR"], "Replace the RTUs")
    assert [t.component_type for t in data.types] == ["EDR", "NDR"]  # always in SAR, EDR, HDR, NDR order
    edr = data.types[0]
    assert [g.fr for g in edr.frs] == list(FR_CODES) and edr.frs[3].items == []  # FR4 at SL-T 0: nothing
    assert [g.target for g in edr.frs] == [3, 2, 1, 0, 2, 1, 1]
    assert edr.common + edr.specific + edr.enhancements == len(edr.items)
    assert len(edr.items) == len(required_component_items(
        component_catalogue_items(data.catalogue.pk), "EDR", zone.sl_target))  # fmt: skip


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"zone": None}, "zone", "Give the zone"),
        ({"zone": "not-a-uuid"}, "zone", "is not a zone id"),
        ({"zone": str(uuid.uuid4())}, "zone", "has no such zone"),
        ({"component_types": ["EDR", "PLC"]}, "component_types", "Unknown component type(s) PLC"),
        ({"component_types": []}, "component_types", "at least one"),
        ({"component_types": "EDR"}, "component_types", "Give a list"),
        ({"purchase": "x" * 201}, "purchase", "200 characters"),
        ({"purchase": "RTUs\nfor station 3"}, "purchase", "Control characters"),
        ({"purchase": 3}, "purchase", "as text"),
        ({"colour": "blue"}, "parameters", "Unknown option(s) for this report: colour"),
    ],
)
def test_bad_parameters_are_field_errors(personas: Personas, given: dict[str, Any], field: str, message: str) -> None:
    zone = make_zone(personas.site, "Control")
    with pytest.raises(ValidationError) as caught:
        procurement_parameters(personas.site, {"zone": str(zone.pk), **given})
    assert message in " ".join(caught.value.message_dict[field])


def test_parameters_are_made_canonical_and_a_zone_of_another_site_refused(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")
    given = {"zone": str(zone.pk), "component_types": ["NDR", "SAR", "NDR"], "purchase": "  New switches "}
    assert procurement_parameters(personas.site, given) == {
        "zone": str(zone.pk), "component_types": ["SAR", "NDR"], "purchase": "New switches"}  # fmt: skip
    assert procurement_parameters(personas.site, {"zone": str(zone.pk)})["component_types"] == list(COMPONENT_TYPES)
    elsewhere = make_zone(personas.other_site, "Control")
    with pytest.raises(ValidationError) as caught:
        procurement_parameters(personas.site, {"zone": str(elsewhere.pk)})
    assert "Site A has no such zone" in caught.value.message_dict["zone"][0]


# --- the files --------------------------------------------------------------------------------------
def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_members_download_the_csv_an_outsider_finds_nothing(client: Any, personas: Personas, name: str) -> None:
    zone = make_zone(personas.site, "Pump station 3", "{2,2,2,2,2,2,2}")
    client.force_login(personas.by_name(name))
    response = client.get(f"/zones/{zone.pk}/procurement.csv")
    posted = client.post(f"/zones/{zone.pk}/procurement.xlsx", {"component_types": ["EDR"], "purchase": ""})
    report = client.post(f"/zones/{zone.pk}/procurement/report/", {"component_types": ["EDR"]})
    if name == "outsider":
        assert (response.status_code, posted.status_code, report.status_code) == (404, 404, 404)
        return
    assert response.status_code == 200 and posted.status_code == 200
    assert report.status_code == 302 and "/reports/" in report["Location"]  # to the queued job's page
    assert response["Content-Disposition"].startswith('attachment; filename="site-a-pump-station-3-procurement-')
    assert len(response["X-Checksum-SHA256"]) == 64
    rows = read_csv(b"".join(response.streaming_content))
    assert tuple(rows[0]) == COLUMNS
    expected = procurement_for(zone)
    assert len(rows) - 1 == expected.total  # every type by default: a bare link lists them all
    assert {r[0] for r in rows[1:]} == set(COMPONENT_TYPES)
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first == {"component_type": "SAR", "id": "CR 1.1", "kind": "CR", "fr": "FR1",
                     "title": "Human user identification and authentication", "lowest_sl": "1",
                     "required_at": "2", "vendor_response": "", "evidence": ""}  # fmt: skip


def test_a_form_with_no_type_goes_back_with_the_choices(client: Any, personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")
    client.force_login(personas.owner)
    response = client.post(f"/zones/{zone.pk}/procurement.csv", {"purchase": "New RTUs"})
    assert response.status_code == 302
    assert response["Location"] == f"/zones/{zone.pk}/?purchase=New+RTUs#procurement"
    page = client.get(response["Location"]).content.decode()
    assert "Choose at least one component type." in page
    assert 'value="New RTUs"' in page and 'value="EDR" checked' not in page  # what was sent, not the defaults
    fresh = client.get(zone.get_absolute_url()).content.decode()
    assert 'id="procurement"' in fresh and 'value="EDR" checked' in fresh


def test_spreadsheets_keep_formulas_as_text(personas: Personas) -> None:
    zone = make_zone(personas.site, '=HYPERLINK("http://evil")')
    data = procurement_for(zone, ["HDR"], "@SUM(A1:A9)")
    title = "=cmd|' /C calc'!A0"
    poisoned = data.types[0].frs[0].items[0]
    data.types[0].frs[0].items[0] = ComponentItem(
        poisoned.id, "-1+1", poisoned.kind, poisoned.fr, title, poisoned.level, poisoned.component_types
    )
    out = io.BytesIO()
    procurement_csv(data, out)
    row = read_csv(out.getvalue())[1]
    assert row[1:5] == ["'-1+1", "CR", "FR1", "'" + title]
    out = io.BytesIO()
    procurement_xlsx(data, out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Requirements", "About"]
    sheet = book["Requirements"]
    assert sheet["E2"].value == title and sheet["E2"].data_type == "s" and sheet["E2"].quotePrefix
    assert sheet.max_row == data.total + 1
    assert sheet.data_validations.dataValidation[0].formula1 == '"Met,Not met,Compensated"'
    about = {r[0].value: r[1] for r in book["About"].iter_rows()}
    assert about["Zone"].value == zone.name and about["Zone"].quotePrefix
    assert about["Planned purchase"].value == "@SUM(A1:A9)" and about["Planned purchase"].quotePrefix
