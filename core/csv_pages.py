"""The page side of CSV: a download answer and the upload step of an import page, the same for every app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from core.csvio import CsvImportError, ImportResult, LineError
from core.forms import CsvUploadForm


def csv_download(text: str, filename: str) -> HttpResponse:
    """A CSV attachment. The header is built by Django's helper, so a name with quotes, non-ASCII letters or
    control characters cannot break it (the filename comes from user data such as a site's name)."""
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def csv_upload(
    request: HttpRequest, run: Callable[[bytes], ImportResult]
) -> tuple[CsvUploadForm, list[LineError], ImportResult | None]:
    """The upload step of an import page: the form, and on a valid POST the import run on the file's bytes.

    Reads one byte past CSV_IMPORT_MAX_BYTES so that the reader can say the file is too large instead of
    reading a truncated file. Returns the line errors of a refused import (nothing was written) or the
    result of a done one."""
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return form, [], None
    data = form.cleaned_data["file"].read(int(settings.CSV_IMPORT_MAX_BYTES) + 1)
    try:
        return form, [], run(data)
    except CsvImportError as exc:
        return form, exc.errors, None
