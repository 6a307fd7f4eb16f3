"""A gap report's parts on the workers (decision 0039): the run sends the missing parts out, a stale run writes
nothing, the call that completes the parts enqueues the assembly once, and the option to leave out met items.
Layout is light_pdf's blank pages: the real PDFs are checked in test_report_parts.py."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports import parts, runner, services, tasks
from reports.choices import OMIT_MET, JobStatus, ReportKind
from reports.models import ReportJob, ReportPart
from tests.conftest import Personas
from tests.reports.helpers import make_job, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("light_pdf")]


@pytest.fixture
def dispatched(
    sample: Any, personas: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch, capture: Any
) -> tuple[ReportJob, list[tuple[Any, ...]]]:
    """A job whose run planned its parts and sent them out (one part a task; the messages kept, not sent)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(parts, "BATCH_PAGES", 0.0001)
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(parts, "group", lambda sigs: SimpleNamespace(delay=lambda: sent.extend(s.args for s in sigs)))
    job = make_job(sample, personas)
    with capture(execute=True):
        runner.report_run(job_id=str(job.pk), token=str(job.run_token))
    job.refresh_from_db()
    return job, sent


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


def test_the_run_sends_the_missing_parts_and_waits(dispatched: tuple[ReportJob, list[tuple[Any, ...]]]) -> None:
    job, sent = dispatched
    assert job.status == JobStatus.RUNNING and not job.file
    assert (job.parts_total, job.parts_done) == (6, 0)  # body, 2 zones, 1 conduit, findings, tail
    assert job.stage == "Rendering parts: 0 of 6"
    assert len(sent) == 6 and all(args[:3] == (str(job.pk), str(job.run_token), 1) for args in sent)


def test_a_stale_run_writes_nothing(dispatched: tuple[ReportJob, list[tuple[Any, ...]]]) -> None:
    job, sent = dispatched
    _, _, attempt, ids = sent[0]
    assert not parts.parts_run(job_id=str(job.pk), token=str(uuid.uuid4()), attempt=attempt, part_ids=ids)
    assert not parts.parts_run(job_id=str(job.pk), token=str(job.run_token), attempt=attempt + 1, part_ids=ids)
    assert not ReportPart.objects.filter(pk__in=ids).exclude(file="").exists()
    job.refresh_from_db()
    assert job.parts_done == 0


def test_the_part_that_completes_the_job_enqueues_the_assembly_once(
    dispatched: tuple[ReportJob, list[tuple[Any, ...]]], capture: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job, sent = dispatched
    assembled: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.assemble_report, "delay", lambda *args: assembled.append(args))
    for n, args in enumerate(sent):
        with capture(execute=True):
            tasks.render_report_parts(*args)
        job.refresh_from_db()
        assert job.parts_done == n + 1
        assert len(assembled) == (1 if n == len(sent) - 1 else 0)
    assert job.stage == "Assembling"
    with capture(execute=True):
        tasks.render_report_parts(*sent[-1])  # a redelivered message: nothing counts twice, no second assembly
    assert len(assembled) == 1
    tasks.assemble_report(*assembled[0])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    reader, pages = pdf_text(job.file.read())
    assert job.pages == len(reader.pages) == 21  # light_pdf: three blank pages a part, the front included
    assert "Page 21 of 21" in pages[-1] and "Page" not in pages[0]


def test_an_unchanged_report_is_assembled_in_the_run_from_stored_parts(
    dispatched: tuple[ReportJob, list[tuple[Any, ...]]], sample: Any, personas: Personas, capture: Any
) -> None:
    _job, sent = dispatched
    for args in sent:
        parts.parts_run(job_id=args[0], token=args[1], attempt=args[2], part_ids=args[3])
    again = make_job(sample, personas)
    with capture(execute=True):
        runner.report_run(job_id=str(again.pk), token=str(again.run_token))
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED and (again.parts_total, again.parts_done) == (6, 6)


def test_omit_met_is_an_option_of_the_gap_reports_only(sample: Any) -> None:
    a = sample.assessment
    assert services.report_parameters(ReportKind.GAP_ASSESSMENT, a, {OMIT_MET: True})[OMIT_MET] is True
    assert OMIT_MET not in services.report_parameters(ReportKind.GAP_ASSESSMENT, a, {})
    with pytest.raises(ValidationError):
        services.report_parameters(ReportKind.GAP_ASSESSMENT, a, {OMIT_MET: "yes"})
    with pytest.raises(ValidationError):
        services.report_parameters(ReportKind.RESULTS_CSV, a, {OMIT_MET: True})


def test_prune_keeps_the_latest_reports_parts_and_drops_old_unused_ones(
    dispatched: tuple[ReportJob, list[tuple[Any, ...]]], sample: Any
) -> None:
    job, _ = dispatched
    old = timezone.now() - timedelta(days=2)
    unused = ReportPart.objects.create(assessment=sample.assessment, key="0" * 64, kind="zone", used_at=old)
    fresh = ReportPart.objects.create(assessment=sample.assessment, key="1" * 64, kind="zone")
    ReportPart.objects.filter(key__in=job.part_plan["keys"]).update(used_at=old)
    assert parts.parts_prune() == 1
    assert not ReportPart.objects.filter(pk=unused.pk).exists() and ReportPart.objects.filter(pk=fresh.pk).exists()
    assert ReportPart.objects.filter(key__in=job.part_plan["keys"]).count() == 6


def test_parts_reused_from_an_earlier_report_count_as_done_on_the_bar(
    dispatched: tuple[ReportJob, list[tuple[Any, ...]]], sample: Any, personas: Personas, capture: Any
) -> None:
    _job, sent = dispatched
    for args in sent[:2]:
        parts.parts_run(job_id=args[0], token=args[1], attempt=args[2], part_ids=args[3])
    again = make_job(sample, personas)
    with capture(execute=True):
        runner.report_run(job_id=str(again.pk), token=str(again.run_token))
    again.refresh_from_db()
    assert (again.parts_total, again.parts_done) == (6, 2)
    assert again.stage == "Rendering parts: 2 of 6" and again.progress == 10 + 80 * 2 // 6
