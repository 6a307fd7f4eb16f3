"""The runner hands the other kinds to reports.bundle and reports.exports (tested in depth by their own
tests); a job of a kind no renderer produces fails saying so."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from reports import runner, services
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from tests.conftest import Personas
from tests.reports.helpers import pdf_text, sample_assessment

pytestmark = pytest.mark.django_db


def run(sample: Any, personas: Personas, kind: str, capture: Any) -> ReportJob:
    with capture(execute=True):
        job = services.report_request(kind=kind, by=personas.auditor, assessment=sample.assessment)
    job.refresh_from_db()
    return job


def test_exports_are_dispatched(personas: Personas, media_root: Path, django_capture_on_commit_callbacks: Any) -> None:
    sample = sample_assessment(personas)
    csv = run(sample, personas, ReportKind.RESULTS_CSV, django_capture_on_commit_callbacks)
    assert csv.status == JobStatus.SUCCEEDED, csv.error
    assert csv.filename.endswith(".csv") and csv.content_type.startswith("text/csv")
    assert "SR 2.1" in csv.file.read().decode("utf-8-sig")
    xlsx = run(sample, personas, ReportKind.RESULTS_XLSX, django_capture_on_commit_callbacks)
    assert xlsx.status == JobStatus.SUCCEEDED, xlsx.error
    assert zipfile.is_zipfile(io.BytesIO(xlsx.file.read()))


def test_the_bundle_carries_the_gap_report(
    personas: Personas, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    sample = sample_assessment(personas)
    job = run(sample, personas, ReportKind.EVIDENCE_BUNDLE, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.content_type == "application/zip" and job.filename.endswith(".zip")
    assert len(job.output_info["manifest_sha256"]) == 64
    with zipfile.ZipFile(io.BytesIO(job.file.read())) as archive:
        pdf = next(name for name in archive.namelist() if name.endswith(".pdf") and "evidence/" not in name)
        reader, pages = pdf_text(archive.read(pdf))
    assert job.output_info["gap_assessment_pages"] == len(reader.pages)
    assert "Riverside 2026 gap assessment" in pages[0]


def test_a_kind_without_a_renderer_fails_the_job_with_the_reason(
    personas: Personas, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    sample = sample_assessment(personas)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.report_request(kind=ReportKind.RESULTS_CSV, by=personas.auditor, assessment=sample.assessment)
    ReportJob.objects.filter(pk=job.pk).update(kind="no_such_kind")  # a row written by a newer release
    ran = runner.report_run(job_id=str(job.pk), token=str(job.run_token))
    assert ran is not None and ran.status == JobStatus.FAILED
    assert ran.error == "Unknown report kind 'no_such_kind'."
