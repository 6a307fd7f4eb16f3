"""What the gap-assessment report reads: sections, results by FR, findings, evidence, changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.choices import ResultStatus
from compliance.sl import SLVector
from reports.pdf.gap_assessment import _diagram
from reports.pdf.gap_data import gap_report
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import Personas
from tests.reports.helpers import LONG_OBSERVATION, sample_assessment
from zones.choices import AssetRole, CapabilitySource, ComponentType
from zones.models import Asset

pytestmark = pytest.mark.django_db


def test_sections_follow_the_summary_and_group_results_by_fr(personas: Personas) -> None:
    sample = sample_assessment(personas)
    report = gap_report(sample.assessment)
    assert [s.entry.title for s in report.zone_sections] == ["Zone: Zone 1", "Zone: Zone 2"]
    assert [s.entry.title for s in report.conduit_sections] == ["Conduit: Conduit 1-2"]
    assert [s.entry.number for s in report.sections] == ["4.1", "4.2", "5.1"]
    assert [e.number for e in report.outline.entries if e.level == 1] == [
        "1", "2", "3", "4", "5", "6", "7", "Appendix A", "Appendix B",
    ]  # fmt: skip
    zone1 = report.zone_sections[0]
    assert zone1.summary.standing.achieved == SLVector.of(1, 0, 0, 0, 0, 0, 0)  # FR1 met, nothing else
    fr1 = zone1.groups[0]
    assert fr1.fr == "FR1" and fr1.name == "Identification and authentication control"
    assert {row.status for row in fr1.rows} == {ResultStatus.MET}
    assert report.result_count == 3 * 37
    fr2_rows = {row.ref: row for row in zone1.groups[1].rows}
    assert fr2_rows["SR 2.1"].observations == LONG_OBSERVATION
    assert fr2_rows["SR 2.1"].evidence == ["E1"]


def test_findings_are_the_unsatisfied_results_without_a_register(personas: Personas, monkeypatch: Any) -> None:
    sample = sample_assessment(personas)
    report = gap_report(sample.assessment)
    assert report.findings_source == "results"
    # Numbered by the result's place among the 111 in-scope results in catalogue order (SR 2.1 of Zone 1 is the
    # 32nd), so that a finding added later renumbers no other (decision 0039).
    assert [(f.number, f.requirement, f.target, f.rating) for f in report.findings] == [
        ("F032", "SR 2.1", "Zone 1", "Not met")
    ]
    met = sample.assessment.results.filter(status=ResultStatus.MET).count()
    assert met == 10  # FR1 of Zone 1 at SL 1
    assert report.not_assessed == 3 * 37 - met - 2
    first = sample.assessment.results.filter(status=ResultStatus.MET).order_by("requirement__position").first()
    assert first is not None
    sample.assessment.results.filter(pk=first.pk).update(status=ResultStatus.NOT_MET)
    again = gap_report(sample.assessment)
    numbers = {(f.requirement, f.target): f.number for f in again.findings}
    assert numbers.pop(("SR 2.1", "Zone 1")) == "F032"  # kept, although a finding now comes before it
    [(new, number)] = numbers.items()
    assert new[0] == first.requirement.ref and number < "F032"


def test_evidence_index_labels_and_changes_name_the_people(personas: Personas) -> None:
    sample = sample_assessment(personas)
    report = gap_report(sample.assessment)
    assert [(e.label, e.name, e.is_file) for e in report.evidence] == [
        ("E1", "firewall-rules.pdf", True),
        ("E2", "DMS-4711 network drawing", False),
    ]
    assert report.evidence[0].sha256 == sample.evidence.sha256 and len(report.evidence[0].sha256) == 64
    assert report.change_total == 10 + 1 + 1
    by_person = {(d.who, d.count) for d in report.change_days}
    assert by_person == {(str(personas.consultant), 11), (str(personas.owner), 1)}
    latest = report.recent_changes[0]
    assert latest.requirement == "SR 3.2" and latest.target == "Zone 2" and latest.who == str(personas.owner)
    assert ("Status", "Not assessed", "Compensated") in latest.changes
    assert ("Countermeasure", "—", "Application allow-listing on both stations") in latest.changes


def test_capability_warnings_list_assets_below_the_zone_target(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(2)])
    Asset.objects.create(
        zone=plant.zones[0],
        name="Legacy PLC",
        component_type=ComponentType.EDR,
        role=AssetRole.PLC,
        sl_capability=SLVector.of(1, 2, 1, 2, 2, 2, 2),
        sl_capability_source=CapabilitySource.VENDOR_CLAIM,
    )
    Asset.objects.create(zone=plant.zones[0], name="Unknown HMI", component_type=ComponentType.HDR)
    report = gap_report(make_assessment(personas.site, personas.consultant))
    section = report.zone_sections[0]
    assert [(b.asset, b.frs) for b in section.below_target] == [("Legacy PLC", ["FR1", "FR3"])]
    assert [a.name for a in section.no_capability] == ["Unknown HMI"]
    assert section.asset_count == 2 and section.has_warnings


def test_the_diagram_links_into_the_report(personas: Personas) -> None:
    sample = sample_assessment(personas)
    report = gap_report(sample.assessment)
    svg = str(_diagram(report))
    zone = report.zone_sections[0]
    assert f'href="#{zone.entry.anchor}"' in svg and f'xlink:href="#{zone.entry.anchor}"' in svg
    assert "/zones/" not in svg and "/conduits/" not in svg


def test_queries_do_not_grow_with_the_number_of_results(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1)] * 2, conduit_slt=uniform(1))
    make_assessment(personas.site, personas.consultant, zones=plant.zones, title="Earlier")  # both get "since"
    small = make_assessment(personas.site, personas.consultant, zones=plant.zones, conduits=plant.conduits)
    gap_report(small)  # fills the per-process catalogue caches
    with CaptureQueriesContext(connection) as one:
        gap_report(small)
    big_plant = make_plant(personas.site, [uniform(3)] * 5, conduit_slt=uniform(2), prefix="Big")
    big = make_assessment(personas.site, personas.consultant, zones=big_plant.zones, conduits=big_plant.conduits)
    with CaptureQueriesContext(connection) as many:
        report = gap_report(big)
    assert report.result_count > 4 * small.results.count()
    assert len(many) == len(one), [q["sql"][:120] for q in many.captured_queries]


def test_findings_come_from_the_remediation_register_when_it_has_some(personas: Personas) -> None:
    remediation = pytest.importorskip("remediation.models")
    sample = sample_assessment(personas)
    zone1 = sample.not_met.zone
    for title, severity, requirement in (
        ("Shared engineering login", "medium", sample.not_met.requirement),
        ("No backup restore test", "critical", None),
    ):
        remediation.Finding.objects.create(
            site=personas.site,
            assessment=sample.assessment,
            zone=zone1,
            requirement=requirement,
            title=title,
            source="assessment",
            severity=severity,
            identified=date(2026, 11, 13),
        )
    remediation.Finding.objects.create(  # another assessment's (or none): not in this report
        site=personas.site, title="Audit finding", source="third_party_audit", severity="high", identified=date.today()
    )
    report = gap_report(sample.assessment)
    assert report.findings_source == "remediation"
    assert [(f.number, f.title, f.rating, f.extra, f.target) for f in report.findings] == [
        # Most severe first; numbered in the order they were recorded (this one second), stable across revisions.
        ("F02", "No backup restore test", "Critical", "Open", "Zone 1"),
        ("F01", "Shared engineering login", "Medium", "Open", "Zone 1"),
    ]
    assert report.findings[0].anchor == report.zone_sections[0].entry.anchor
    assert [f.requirement for f in report.findings] == ["", "SR 2.1"]
