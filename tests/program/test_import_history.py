"""The vulnerability import writes in one short transaction after checking every row (issue 14): the
history is the one a save writes (who, a snapshot, a new version), with the import as its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.csvio import IMPORT_CHANGE_REASON
from program.csv_io import import_csv
from program.models import Vulnerability
from tests.conftest import Personas
from tests.zones.plant import small_plant

pytestmark = pytest.mark.django_db
HEADER = "asset,cve,title,cvss,found"


def test_creates_and_updates_are_recorded_like_saves(personas: Personas) -> None:
    plant = small_plant(personas.site)
    first = f"{HEADER}\nPLC-1,CVE-2026-1234,Overflow,9.8,2026-01-10\nFW-1,CVE-2025-0001,Weak TLS,5.3,2026-01-11\n"
    assert import_csv(site=plant.site, data=first.encode()).created == 2
    second = f"{HEADER}\nPLC-1,CVE-2026-1234,Overflow,7.5,2026-01-10\nFW-1,CVE-2025-0001,Weak TLS,5.3,2026-01-11\n"
    result = import_csv(site=plant.site, data=second.encode())
    assert (result.created, result.updated) == (0, 2)
    changed = Vulnerability.objects.get(cve="CVE-2026-1234")
    unchanged = Vulnerability.objects.get(cve="CVE-2025-0001")
    assert (changed.cvss_score, changed.severity, changed.version, unchanged.version) == (Decimal("7.5"), "high", 2, 1)
    kinds = list(
        changed.history.order_by("history_date", "history_id").values_list("history_type", "version", "severity")
    )
    assert kinds == [("+", 1, "critical"), ("~", 2, "high")]
    assert set(Vulnerability.history.values_list("history_change_reason", flat=True)) == {IMPORT_CHANGE_REASON}
    assert unchanged.history.count() == 1  # a row that changes nothing is not saved
