"""The page side of CSV: downloads whose name comes from user data, and the upload step of an import."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings

from core.csv_pages import csv_download, csv_upload
from core.csvio import CsvImportError, ImportResult


def test_a_download_name_with_quotes_newlines_and_accents_makes_a_valid_header() -> None:
    response = csv_download("a,b\r\n", 'Usine "Nord"\nÉté assets.csv')
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    assert "\n" not in header and "\r" not in header
    assert "filename*=utf-8''" in header  # the accented name travels encoded, not raw
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_a_get_shows_the_empty_form_and_runs_nothing() -> None:
    ran: list[bytes] = []

    def run(data: bytes) -> ImportResult:
        ran.append(data)
        return ImportResult(created=0, updated=0)

    form, errors, result = csv_upload(RequestFactory().get("/"), run)
    assert not form.is_bound and errors == [] and result is None and ran == []


@override_settings(CSV_IMPORT_MAX_BYTES=10)
def test_the_import_reads_one_byte_past_the_limit_and_returns_its_result() -> None:
    seen: list[bytes] = []

    def run(data: bytes) -> ImportResult:
        seen.append(data)
        return ImportResult(created=1, updated=0)

    upload = SimpleUploadedFile("x.csv", b"0123456789ABCDEF", content_type="text/csv")
    _form, errors, result = csv_upload(RequestFactory().post("/", {"file": upload}), run)
    assert seen == [b"0123456789A"]  # the reader sees that the file is larger than allowed
    assert errors == [] and result is not None and result.created == 1


def test_a_refused_import_gives_its_line_errors_and_no_result() -> None:
    def run(data: bytes) -> ImportResult:
        raise CsvImportError([(3, "zone: no zone named 'X'")])

    upload = SimpleUploadedFile("x.csv", b"name\nA\n", content_type="text/csv")
    _form, errors, result = csv_upload(RequestFactory().post("/", {"file": upload}), run)
    assert errors == [(3, "zone: no zone named 'X'")] and result is None
