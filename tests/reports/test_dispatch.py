"""The runner hands the other kinds to reports.bundle and reports.exports (tested in depth by their own
tests); without those modules a job fails saying what is missing."""

from __future__ import annotations

import importlib
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
    pytest.importorskip("reports.exports")
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
    pytest.importorskip("reports.bundle")
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


def test_a_missing_module_fails_the_job_with_the_reason(
    personas: Personas, media_root: Path, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    real = importlib.import_module

    def without_exports(name: str, *args: Any) -> Any:
        if name == "reports.exports":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(runner.importlib, "import_module", without_exports)
    sample = sample_assessment(personas)
    job = run(sample, personas, ReportKind.RESULTS_CSV, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "cannot produce results export reports yet (reports.exports.results_csv is missing)" in job.error
