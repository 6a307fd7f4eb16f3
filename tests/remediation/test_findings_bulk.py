"""Findings generated in bulk (decision 0040): the same findings, links and history as one save and one
`results.set` each, in a number of queries that does not grow with the findings."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from remediation import services
from remediation.models import Finding
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import Personas
from tests.remediation.helpers import TODAY


def _gaps(personas: Personas, zones: int) -> tuple[Assessment, tuple[int, int, int]]:
    """A plant of `zones` zones at SL-T 1 whose results are all not met: one finding per SR and zone."""
    plant = make_plant(personas.site, [uniform(1)] * zones, prefix=f"P{zones}")
    assessment = make_assessment(personas.site, personas.consultant, zones=plant.zones, conduits=[])
    Result.objects.filter(assessment=assessment).update(status=ResultStatus.NOT_MET, observations="Seen on site.")
    with CaptureQueriesContext(connection) as ctx:
        report = services.findings_generate(
            assessment=assessment, by=personas.consultant, allow_unreviewed=True, today=TODAY
        )
    assert len(report.created) > zones
    inserts = sum(1 for q in ctx.captured_queries if q["sql"].startswith("INSERT"))
    return assessment, (len(ctx.captured_queries) - inserts, inserts, len(report.created))


def test_generation_reads_and_writes_in_constant_queries(personas: Personas) -> None:
    _, (reads_one, inserts_one, _) = _gaps(personas, 1)
    _, (reads_four, inserts_four, findings_four) = _gaps(personas, 4)
    assert reads_one == reads_four  # and no UPDATE or SELECT per finding
    # INSERTs in batches (SQLite caps a statement's parameters): a few per table, not one per finding.
    assert inserts_one == 4  # findings, their history, the links, the links' history
    assert inserts_four < findings_four / 5


def test_each_finding_has_its_results_and_one_history_record_with_them(personas: Personas) -> None:
    assessment, _ = _gaps(personas, 2)
    findings = list(Finding.objects.filter(assessment=assessment).prefetch_related("results"))
    linked = {r.pk for f in findings for r in f.results.all()}
    assert linked == set(Result.objects.filter(assessment=assessment).values_list("pk", flat=True))
    for finding in findings:
        assert finding.version == 1 and finding.created_by == personas.consultant
        (record,) = finding.history.all()
        assert record.history_type == "+" and record.history_user == personas.consultant
        assert {row.result_id for row in record.results.all()} == {r.pk for r in finding.results.all()}
        assert finding.requirement is not None
        assert all(r.requirement.ref.startswith(finding.requirement.ref) for r in finding.results.all())
    again = services.findings_generate(assessment=assessment, by=personas.consultant, allow_unreviewed=True)
    assert (len(again.created), again.unchanged) == (0, len(findings))
