"""core.history: field-level before/after for any model's django-simple-history rows, the predecessors
fetched in bulk (no query per entry), and the pages and exports built on it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import history as assessment_history
from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from compliance.sl import SLVector
from core.history import HistorySpec, chained, entries_for, object_history, previous_records
from reports.history_export import history_csv
from tests.assessments.helpers import make_assessment, make_conduit, make_plant, make_zone, uniform
from tests.conftest import Personas
from zones import history as plant_history
from zones import services as zone_services
from zones.models import Asset, Conduit, Zone

pytestmark = pytest.mark.django_db


def _edit_zone(zone: Zone, n: int) -> Zone:
    return zone_services.zone_save(zone=zone, fields={"description": f"edit {n}"})


def test_an_edit_reads_as_labelled_before_and_after(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control", uniform(2))
    zone_services.zone_save(zone=zone, fields={"criticality": "very_high", "sl_target": SLVector.parse(uniform(3))})
    latest, created = object_history(zone)
    assert (latest.action, created.action) == ("changed", "created")
    assert latest.compared and not created.compared and created.fields == []
    changes = {label: (old, new) for label, old, new in latest.changes}
    assert changes["criticality"] == ("Medium", "Very high")  # choice labels, verbose names
    assert changes["SL-T"] == ("{2,2,2,2,2,2,2}", "{3,3,3,3,3,3,3}")  # SL vectors compact
    assert "version" not in {c.field for c in latest.fields}  # bookkeeping is not a change
    assert latest.object_kind == "zone" and latest.object_label == "Control"


def test_foreign_keys_are_named_and_many_to_many_counted_or_named(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1), uniform(1), uniform(1)], prefix="Z")
    first, second, third = plant.zones
    asset = Asset.objects.create(zone=first, name="PLC-1", component_type="EDR")
    asset.zone = second
    asset.save()
    (moved, _) = object_history(asset)
    assert moved.changes == [("zone", "Z 1", "Z 2")]
    conduit = make_conduit(personas.site, "C", [first, second])
    zone_services.conduit_save(conduit=conduit, fields={"name": "C"}, zones=[first, second, third])
    counted = object_history(conduit)[0]
    assert ("zones", "2 linked", "3 linked") in counted.changes
    named = object_history(conduit, HistorySpec(fields=["zones"], m2m_names=True))[0]
    assert named.fields[0].new_display == "; ".join(sorted(str(z) for z in (first, second, third)))
    assert sorted(named.fields[0].new) == sorted(str(z.pk) for z in (first, second, third))


def test_a_deleted_related_object_and_a_long_text_still_read(personas: Personas) -> None:
    keep, gone = make_zone(personas.site, "Keep"), make_zone(personas.site, "Gone")
    asset = Asset.objects.create(zone=gone, name="RTU", component_type="EDR")
    asset.zone = keep
    asset.vendor = "v" * 100
    asset.save()
    Zone.objects.filter(pk=gone.pk).delete()  # the asset's history keeps the old zone's id
    entry = object_history(asset, HistorySpec(fields=["zone", "vendor"], truncate=20))[0]
    shown = {c.field: (c.old_display, c.new_display) for c in entry.fields}
    assert shown["zone"] == ("a deleted zone", "Keep")
    assert shown["vendor"] == ("—", "v" * 19 + "…")


def test_the_row_before_each_is_found_for_several_objects_in_one_query(personas: Personas) -> None:
    zones = [make_zone(personas.site, f"Zone {n}") for n in range(3)]
    for zone in zones:
        for n in range(3):
            zone = _edit_zone(zone, n)
    history_model: Any = Zone.history.model
    latest = list(history_model.objects.filter(id__in=[z.pk for z in zones]).order_by("-history_date")[:5])
    with CaptureQueriesContext(connection) as ctx:
        before = previous_records(history_model, latest)
    assert len(ctx.captured_queries) == 1
    every = list(history_model.objects.filter(id__in=[z.pk for z in zones]))
    assert {k: v.history_id for k, v in before.items()} == {
        k: v.history_id for k, v in chained(every).items() if k in {r.history_id for r in latest}
    }
    for record in latest:
        assert before[record.history_id].id == record.id
        assert before[record.history_id].history_date <= record.history_date


def test_the_oldest_entry_shown_is_still_compared(personas: Personas) -> None:
    zone = make_zone(personas.site, "Limited")
    for n in range(4):
        zone = _edit_zone(zone, n)
    entries = object_history(zone, limit=2)
    assert len(entries) == 2 and all(e.compared for e in entries)
    assert entries[1].changes == [("description", "edit 1", "edit 2")]


# --- query-count guards ---------------------------------------------------------------------------
def _site_history_queries(client: Any, personas: Personas, edits: int) -> tuple[int, int]:
    zone, other = make_zone(personas.site, f"Busy {edits}"), make_zone(personas.site, f"Quiet {edits}")
    conduit = make_conduit(personas.site, f"Conduit {edits}", [zone, other])
    for n in range(edits):
        zone = _edit_zone(zone, n)
        conduit = zone_services.conduit_save(conduit=conduit, fields={"description": f"c {n}"}, zones=[zone, other])
    client.force_login(personas.consultant)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/site/{personas.site.pk}/history/")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["entries"])


def test_site_history_page_reads_in_constant_queries(client: Any, personas: Personas) -> None:
    few, few_entries = _site_history_queries(client, personas, 2)
    many, many_entries = _site_history_queries(client, personas, 40)
    assert many_entries > few_entries + 60
    assert many == few


def test_site_history_gathers_the_site_and_everything_in_it(personas: Personas) -> None:
    zone = make_zone(personas.site, "Inside")
    Asset.objects.create(zone=zone, name="HMI", component_type="HDR")
    make_conduit(personas.site, "Link", [zone, make_zone(personas.site, "Beside")])
    kinds = {e.object_kind for e in plant_history.site_history(personas.site)}
    assert kinds >= {"zone", "asset", "conduit"}
    assert all(e.object_kind != "zone" or e.object_label for e in plant_history.site_history(personas.site))
    assert len(plant_history.site_history(personas.site, limit=2)) == 2
    assert not {e.object_label for e in plant_history.site_history(personas.other_site)} & {"Inside", "Link"}


def _result_history_queries(personas: Personas, edits: int) -> tuple[int, int]:
    (zone,) = make_plant(personas.site, [uniform(1)], prefix=f"R{edits}").zones
    assessment = make_assessment(personas.site, personas.consultant, zones=[zone], conduits=[])
    result = Result.objects.filter(assessment=assessment).first()
    assert result is not None
    for n in range(edits):
        status = ResultStatus.MET if n % 2 else ResultStatus.NOT_MET
        result = services.result_update(
            result=result, by=personas.consultant, fields={"status": status, "assignee": personas.owner}
        )
    with CaptureQueriesContext(connection) as ctx:
        entries = assessment_history.result_history(result)
    return len(ctx.captured_queries), len(entries)


def test_result_history_reads_in_constant_queries(personas: Personas) -> None:
    few, few_entries = _result_history_queries(personas, 2)
    many, many_entries = _result_history_queries(personas, 40)
    assert (few_entries, many_entries) == (3, 41)
    assert many == few == 2


def test_result_history_names_people_and_labels_fields(personas: Personas) -> None:
    (zone,) = make_plant(personas.site, [uniform(1)], prefix="Named").zones
    assessment: Assessment = make_assessment(personas.site, personas.consultant, zones=[zone], conduits=[])
    result = Result.objects.filter(assessment=assessment).first()
    assert result is not None
    services.result_update(result=result, by=personas.consultant, fields={"assignee": personas.owner})
    latest, created = assessment_history.result_history(result)
    assert created["kind"] == "created" and latest["kind"] == "changed"
    (change,) = latest["changes"]
    assert (change["field"], change["from"], change["to"]) == ("assignee", None, str(personas.owner.pk))
    assert change["to_display"] == str(personas.owner) and change["from_display"] == "—"
    assert latest["who"] == str(personas.consultant)


def test_history_export_is_built_from_the_same_entries(personas: Personas) -> None:
    (zone,) = make_plant(personas.site, [uniform(1)], prefix="Export").zones
    assessment = make_assessment(personas.site, personas.consultant, zones=[zone], conduits=[])
    result = Result.objects.filter(assessment=assessment).first()
    assert result is not None
    services.result_update(result=result, by=personas.consultant, fields={"status": ResultStatus.MET})
    out = io.BytesIO()
    history_csv(assessment, out)
    text = out.getvalue().decode("utf-8-sig")
    assert f"changed,result,{result.pk}," in text and ",status,not_assessed,met" in text
    entries = entries_for([(Result.history.model, list(result.history.all()), assessment_history.RESULT)])
    assert any(c.field == "status" for e in entries for c in e.fields)


def test_conduits_history_is_the_zones_engine(personas: Personas) -> None:
    zones = [make_zone(personas.site, "A"), make_zone(personas.site, "B")]
    conduit: Conduit = make_conduit(personas.site, "Plain", zones)
    assert [e.action for e in plant_history.object_history(conduit)][-1] == "created"
