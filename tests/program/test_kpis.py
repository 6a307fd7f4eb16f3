"""Each KPI on hand-made data with known answers; periods, windows, red/amber/green and formatting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from program import kpis, services
from program.choices import Direction, Rag
from program.kpis import BY_KEY, KEYS, KPIS, Scope, add_months, kpi_series, kpis_for, last_months, period_for
from program.models import Vulnerability
from tests.conftest import Personas
from tests.factories import SiteFactory
from tests.program.factories import (
    AuditFindingFactory,
    ExerciseFactory,
    TrainingRecordFactory,
    VulnerabilityFactory,
    critical,
    plant,
)

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)  # window: 2025-07-01 to 2026-06-30; last three months from 2026-04-01


def measure(key: str, scope: Scope, month: date = JUNE) -> tuple[float | None, float | None, float | None]:
    m = BY_KEY[key].measure(scope, period_for(month))
    return m.value, m.numerator, m.denominator


# --- periods ------------------------------------------------------------------------------------------
def test_a_past_month_is_measured_to_its_last_day() -> None:
    period = period_for(date(2026, 6, 17))
    assert (period.month, period.end, period.to_date) == (date(2026, 6, 1), date(2026, 6, 30), False)
    assert period.window_start == date(2025, 7, 1)
    assert period.recent_start == date(2026, 4, 1)
    assert timezone.localtime(period.moment).date() == date(2026, 6, 30)
    assert period.moment < datetime(2026, 7, 1, tzinfo=timezone.get_current_timezone())


def test_the_current_month_is_measured_up_to_now() -> None:
    now = timezone.now()
    period = period_for(now.date(), now=now)
    assert period.to_date and period.end == timezone.localdate(now) and period.moment == now
    with pytest.raises(ValueError, match="has not begun"):
        period_for(add_months(now.date(), 1), now=now)


def test_month_arithmetic() -> None:
    assert add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert add_months(date(2025, 11, 5), 14) == date(2027, 1, 1)
    months = [p.month for p in last_months(date(2026, 2, 10), 3)]
    assert months == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


# --- mean time to patch ---------------------------------------------------------------------------------
def test_mean_time_to_patch_three_criticals_in_10_20_30_days(personas: Personas) -> None:
    p = plant(personas.site)
    for days in (10, 20, 30):
        critical(p.plc, found=date(2026, 5, 1), fixed=date(2026, 5, 1) + timedelta(days=days))
    critical(p.plc, found=date(2026, 5, 2))  # open: excluded
    critical(p.plc, found=date(2026, 4, 2), fixed=date(2026, 4, 9), status="mitigated")  # not a patch
    critical(p.plc, found=date(2025, 12, 1), fixed=date(2026, 3, 31))  # patched before the 3 months
    critical(p.plc, found=date(2026, 6, 1), fixed=date(2026, 7, 1))  # patched after the period
    VulnerabilityFactory.create(
        asset=p.firewall, severity="high", cvss_score=Decimal("8.9"), found=date(2026, 1, 1),
        fixed=date(2026, 5, 1), status="fixed",
    )  # fmt: skip
    critical(plant(personas.other_site).plc, found=date(2026, 5, 1), fixed=date(2026, 5, 3))  # another org
    assert measure("mean_time_to_patch_critical", Scope.of_site(personas.site)) == (20.0, 60, 3)


def test_mean_time_to_patch_without_patches_is_no_data(personas: Personas) -> None:
    critical(plant(personas.site).plc, found=date(2026, 5, 1))
    value = kpis_for(Scope.of_site(personas.site), JUNE)[2]
    assert value.kpi.key == "mean_time_to_patch_critical"
    assert (value.value, value.rag) == (None, Rag.NONE)


# --- critical vulnerabilities remediated ---------------------------------------------------------------------
def test_critical_vulnerabilities_remediated_over_twelve_months(personas: Personas) -> None:
    asset = plant(personas.site).plc
    critical(asset, found=date(2025, 3, 1), fixed=date(2025, 5, 1))  # closed before the window: out
    critical(asset, found=date(2025, 5, 1), fixed=date(2025, 8, 1))  # in, remediated
    critical(asset, found=date(2026, 2, 1))  # in, open
    critical(asset, found=date(2026, 3, 1), fixed=date(2026, 4, 1), status="mitigated")  # in, remediated
    critical(asset, found=date(2026, 5, 1), fixed=date(2026, 8, 1))  # in, remediated only after June
    critical(asset, found=date(2026, 1, 1), status="risk_accepted")  # in, not remediated
    critical(asset, found=date(2026, 7, 1))  # found after June: out
    VulnerabilityFactory.create(asset=asset, severity="high", cvss_score=Decimal("7.5"), found=date(2026, 2, 1))
    assert measure("critical_vulnerabilities_remediated", Scope.of_site(personas.site)) == (40.0, 2, 5)


def test_critical_means_a_cvss_score_of_nine_or_more(personas: Personas) -> None:
    asset = plant(personas.site).plc
    for score in ("9.0", "8.9"):
        fields = {"asset": asset, "cve": f"CVE-2026-{score.replace('.', '')}00", "cvss_score": Decimal(score),
                  "found": date(2026, 5, 1)}  # fmt: skip
        services.vulnerability_save(vulnerability=Vulnerability(), fields=fields)
    assert dict(Vulnerability.objects.values_list("cvss_score", "severity")) == {
        Decimal("9.0"): "critical",
        Decimal("8.9"): "high",
    }
    assert measure("critical_vulnerabilities_remediated", Scope.of_site(personas.site)) == (0.0, 0, 1)


def test_no_critical_vulnerability_is_no_data(personas: Personas) -> None:
    assert measure("critical_vulnerabilities_remediated", Scope.of_site(personas.site)) == (None, 0, 0)


# --- training --------------------------------------------------------------------------------------------------
def test_training_completion_adds_up_the_latest_count_of_each_programme(personas: Personas) -> None:
    site_b = SiteFactory.create(organization=personas.org, name="Site A2")
    make = TrainingRecordFactory.create
    make(site=personas.site, period_start=date(2025, 10, 1), period_end=date(2025, 12, 31), people_completed=5)
    make(site=personas.site, programme="ot SECURITY awareness", period_end=date(2026, 3, 31), people_completed=7)
    make(site=personas.site, period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), people_completed=10)
    make(site=personas.site, programme="Old course", period_start=date(2025, 1, 1), period_end=date(2025, 6, 30),
         people_required=20, people_completed=20)  # fmt: skip
    make(site=site_b, period_end=date(2026, 6, 30), people_required=30, people_completed=15)
    make(site=personas.other_site, period_end=date(2026, 6, 30), people_required=30, people_completed=30)
    assert measure("training_completion", Scope.of_site(personas.site)) == (70.0, 7, 10)
    assert measure("training_completion", Scope(personas.org)) == (55.0, 22, 40)


# --- exercises -------------------------------------------------------------------------------------------------
def test_exercises_held_in_the_last_twelve_months(personas: Personas) -> None:
    make = ExerciseFactory.create
    make(site=personas.site, held_on=date(2025, 6, 30))  # the day before the window
    make(site=personas.site, held_on=date(2025, 7, 1), outcome="partially_met")
    make(site=personas.site, held_on=date(2026, 6, 30), outcome="met")
    make(site=personas.site, held_on=date(2026, 7, 1))  # after the period
    make(site=personas.other_site, held_on=date(2026, 3, 1))
    value = kpis_for(Scope.of_site(personas.site), JUNE)[4]
    assert (value.kpi.key, value.value, value.rag) == ("incident_response_exercises", 2.0, Rag.GREEN)
    assert value.measure.detail["outcomes"] == {"met": 1, "partially_met": 1, "not_met": 0}
    assert value.measure.detail["last"] == {"held_on": "2026-06-30", "outcome": "met"}
    assert "1 met, 1 partly met" in value.measure.summary


# --- third-party audit findings -------------------------------------------------------------------------------------
def test_audit_findings_resolved(personas: Personas) -> None:
    make = AuditFindingFactory.create
    site = personas.site
    make(site=site, identified=date(2025, 5, 1), status="resolved", resolved_at=date(2025, 6, 1))  # before window
    make(site=site, identified=date(2025, 10, 1), status="resolved", resolved_at=date(2026, 2, 1))  # resolved
    make(site=site, identified=date(2026, 3, 1))  # open
    make(site=site, identified=date(2026, 3, 1), status="resolved", resolved_at=date(2026, 8, 1))  # later
    make(site=site, identified=date(2026, 1, 1), status="accepted_risk")  # not resolved
    make(site=site, identified=date(2026, 7, 1))  # after June
    make(site=site, identified=date(2026, 2, 1), source="incident")  # not an audit
    assert measure("audit_findings_resolved", Scope.of_site(site)) == (25.0, 1, 4)


# --- the six together -----------------------------------------------------------------------------------------------
def test_six_kpis_each_with_a_definition_and_a_target() -> None:
    assert len(KPIS) == 6 and len(set(KEYS)) == 6
    for kpi in KPIS:
        assert kpi.name and len(kpi.definition) > 80 and kpi.unit in ("%", "days", "")
        assert (kpi.amber < kpi.target) if kpi.direction == "higher" else (kpi.amber > kpi.target)


def test_the_table_and_the_measures_agree(tmp_path: Path) -> None:
    source = Path(kpis.__file__).with_name("kpis.yaml").read_text(encoding="utf-8")
    assert [kpi.key for kpi in kpis.read_kpis(Path(kpis.__file__).with_name("kpis.yaml"))] == list(KEYS)
    assert BY_KEY["mean_time_to_patch_critical"].compute is kpis.MEASURES["mean_time_to_patch_critical"][1]
    assert BY_KEY["mean_time_to_patch_critical"].direction is Direction.LOWER
    table = tmp_path / "kpis.yaml"
    table.write_text(source.replace("- key: training_completion", "- key: training_rate"), encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="training_rate"):
        kpis.read_kpis(table)


@pytest.mark.parametrize(
    ("key", "value", "rag"),
    [
        ("training_completion", 90.0, Rag.GREEN),
        ("training_completion", 89.9, Rag.AMBER),
        ("training_completion", 75.0, Rag.AMBER),
        ("training_completion", 74.9, Rag.RED),
        ("mean_time_to_patch_critical", 30.0, Rag.GREEN),
        ("mean_time_to_patch_critical", 30.1, Rag.AMBER),
        ("mean_time_to_patch_critical", 60.0, Rag.AMBER),
        ("mean_time_to_patch_critical", 60.1, Rag.RED),
        ("incident_response_exercises", 0.0, Rag.RED),
        ("zones_at_target", None, Rag.NONE),
    ],
)
def test_red_amber_green(key: str, value: float | None, rag: Rag) -> None:
    assert BY_KEY[key].rag(value) == rag


def test_formatting() -> None:
    assert BY_KEY["training_completion"].format(88.75) == "88.8%"
    assert BY_KEY["training_completion"].format(100.0) == "100%"
    assert BY_KEY["mean_time_to_patch_critical"].format(20.0) == "20.0 days"
    assert BY_KEY["incident_response_exercises"].format(3.0) == "3"
    assert BY_KEY["zones_at_target"].format(None) == "—"
    assert BY_KEY["mean_time_to_patch_critical"].target_text == "target ≤ 30 days, amber ≤ 60 days"


def test_a_series_gives_what_each_month_gives_alone(personas: Personas) -> None:
    """kpi_series reads each KPI's rows once for all months; it must agree with measuring month by month."""
    p = plant(personas.site)
    for n in range(6):
        found = date(2025, 11, 1) + timedelta(days=40 * n)
        critical(p.plc, found=found, fixed=found + timedelta(days=15 + 10 * n) if n % 3 else None)
    TrainingRecordFactory.create(site=personas.site, period_end=date(2026, 3, 31))
    TrainingRecordFactory.create(site=personas.site, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30))
    ExerciseFactory.create(site=personas.site, held_on=date(2026, 2, 1))
    AuditFindingFactory.create(site=personas.site, identified=date(2026, 1, 5), status="resolved",
                               resolved_at=date(2026, 4, 2))  # fmt: skip
    scope = Scope.of_site(personas.site)
    periods = last_months(date(2026, 8, 1), 10)
    series = kpi_series(scope, periods)
    for n, period in enumerate(periods):
        alone = {v.kpi.key: v.measure for v in kpis_for(scope, period)}
        assert {key: values[n].measure for key, values in series.items()} == alone
    assert len({v.value for v in series["mean_time_to_patch_critical"]}) > 2  # the months differ
