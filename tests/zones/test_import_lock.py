"""A large asset import checks its rows before it writes and writes in one short transaction: other people's
saves wait a moment, not the whole import; it stays all-or-nothing and records history as saves do
(issue 14)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client

from core.csvio import CHANGED_MEANWHILE, IMPORT_CHANGE_REASON, CsvImportError, ImportBatch
from tests.conftest import Personas
from tests.zones.plant import Plant, make_zone, small_plant
from zones import csv_io, services
from zones.csv_io import import_assets_csv
from zones.models import Asset, Zone

HEADER = "zone,name,tag,component_type,firmware"


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return small_plant(personas.site)


def rows(n: int, firmware: str = "1.0") -> bytes:
    return "\n".join([HEADER, *(f"Control,Asset {i},T-{i:05d},EDR,{firmware}" for i in range(n))]).encode() + b"\n"


@pytest.mark.django_db
def test_an_import_records_history_with_the_user_and_a_reason(client: Client, personas: Personas, plant: Plant) -> None:
    client.force_login(personas.consultant)
    text = f"{HEADER}\nControl,PLC 1,PLC-1,EDR,9.9\nDMZ,Firewall,FW-1,NDR,\nControl,New HMI,HMI-1,HDR,2.0\n"
    upload = SimpleUploadedFile("assets.csv", text.encode(), content_type="text/csv")
    response = client.post(f"/sites/{plant.site.pk}/assets/import/", {"file": upload})
    assert response.status_code == 302
    plc, new = Asset.objects.get(tag="PLC-1"), Asset.objects.get(tag="HMI-1")
    assert (plc.firmware, plc.version, new.version) == ("9.9", 2, 1)
    changed = plc.history.order_by("-history_date", "-history_id").first()
    created = new.history.get()
    for record, kind in ((changed, "~"), (created, "+")):
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            kind,
            personas.consultant,
            IMPORT_CHANGE_REASON,
        )
    assert (changed.firmware, changed.version, created.name, created.created) == ("9.9", 2, "New HMI", new.created)
    # The firewall's row changed nothing: no save, no history entry, the same ETag.
    assert plant.firewall.history.count() == 1
    assert Asset.objects.get(tag="FW-1").version == 1


@pytest.mark.django_db
def test_a_row_changed_between_check_and_write_is_checked_again(
    personas: Personas, plant: Plant, monkeypatch: Any
) -> None:
    checked = csv_io._check_rows
    attempts = []

    def check_then_someone_edits(*args: Any) -> ImportBatch:
        batch = checked(*args)
        attempts.append(batch)
        if len(attempts) == 1:  # a colleague saves the PLC after the file was checked, before it is written
            services.asset_save(asset=Asset.objects.get(tag="PLC-1"), fields={"vendor": "Acme"})
        return batch

    monkeypatch.setattr(csv_io, "_check_rows", check_then_someone_edits)
    result = import_assets_csv(site=plant.site, data=f"{HEADER}\nControl,PLC 1,PLC-1,EDR,9.9\n".encode())
    assert (result.updated, len(attempts)) == (1, 2)
    plc = Asset.objects.get(tag="PLC-1")
    assert (plc.vendor, plc.firmware, plc.version) == ("Acme", "9.9", 3)  # both changes kept, each counted


@pytest.mark.django_db
def test_an_import_whose_rows_keep_changing_writes_nothing(personas: Personas, plant: Plant, monkeypatch: Any) -> None:
    checked = csv_io._check_rows

    def check_then_someone_adds(*args: Any) -> ImportBatch:
        batch = checked(*args)
        services.asset_save(  # a tagged asset the file might have matched appears every time
            asset=Asset(),
            fields={"zone": plant.control, "name": "X", "tag": f"X-{Asset.objects.count()}", "component_type": "EDR"},
        )
        return batch

    monkeypatch.setattr(csv_io, "_check_rows", check_then_someone_adds)
    with pytest.raises(CsvImportError) as caught:
        import_assets_csv(site=plant.site, data=rows(3))
    assert caught.value.errors == [(0, CHANGED_MEANWHILE)]
    assert not Asset.objects.filter(tag__startswith="T-").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one write lock")
def test_a_large_import_lets_other_saves_through(personas: Personas) -> None:
    """2,000 rows imported while a colleague saves a zone of another site every 20 ms on their own
    connection: no save fails, and none waits for more than a fraction of the import (before: each one
    waited for the whole import, 12,000 rows held the lock 13 to 33 s and a save failed after 20 s)."""
    make_zone(personas.site, "Control")
    edited = make_zone(personas.other_site, "Elsewhere")
    waits: list[float] = []
    failures: list[str] = []
    stop = threading.Event()

    def colleague() -> None:
        try:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    services.zone_save(zone=Zone.objects.get(pk=edited.pk), fields={"description": str(started)})
                except OperationalError as exc:
                    failures.append(str(exc))
                waits.append(time.perf_counter() - started)
                stop.wait(0.02)
        finally:
            connection.close()

    thread = threading.Thread(target=colleague, daemon=True)
    thread.start()
    try:
        time.sleep(0.1)
        started = time.perf_counter()
        result = import_assets_csv(site=personas.site, data=rows(2000))
        took = time.perf_counter() - started
        time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert result.created == 2000
    assert Asset.history.filter(history_type="+").count() == 2000
    assert not failures
    assert len(waits) > 5
    # The write is a small part of the import (about a tenth here); generous against a busy machine.
    assert max(waits) < max(0.5 * took, 0.5), (max(waits), took)
