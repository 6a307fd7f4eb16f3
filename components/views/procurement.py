"""The zone page's procurement requirements: the CSV and XLSX straight away (small and read-only: no worker
needed), the PDF through a report job like every other PDF (never rendered inside a request).

The zone page's form posts to all three (its CSRF token must not travel in a URL); the spreadsheets answer a
plain GET too, so a link downloads every component type. A refused choice goes back to the zone page with the
choices in the query string, where the form shows them again."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any, BinaryIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from compliance.models import Catalogue
from components.procurement import PURCHASE, TYPES, ZONE, Procurement, clean_options, procurement_for
from components.procurement_export import CSV_TYPE, XLSX_TYPE, procurement_csv, procurement_xlsx
from config.downloads import attachment
from core.http import AuthenticatedHttpRequest
from core.pages import get_for
from reports import services
from reports.choices import ReportKind
from zones.models import Zone

FORMATS: dict[str, tuple[Callable[[Procurement, BinaryIO], None], str]] = {
    "csv": (procurement_csv, CSV_TYPE),
    "xlsx": (procurement_xlsx, XLSX_TYPE),
}


def _choices(request: AuthenticatedHttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


NO_CATALOGUE = "No IEC 62443-4-2 catalogue is loaded yet; run manage.py load_catalogue."


def _refused(request: AuthenticatedHttpRequest, zone: Zone, exc: ValidationError) -> HttpResponse:
    """Back to the zone page's section with the error and the person's choices."""
    messages.error(request, "Procurement requirements: " + " ".join(exc.messages))
    given = _choices(request)
    query = QueryDict(mutable=True)
    query.setlist(TYPES, given.getlist(TYPES))
    query[PURCHASE] = given.get(PURCHASE, "")
    return redirect(f"{zone.get_absolute_url()}?{query.urlencode()}#procurement")


@login_required
@require_http_methods(["GET", "POST"])
def procurement_download(request: AuthenticatedHttpRequest, pk: Any, fmt: str) -> HttpResponse | FileResponse:
    """The zone's requirements as CSV or XLSX, with the SHA-256 of the file. The form always sends `purchase`,
    so a form with no type ticked is refused; a bare link has every type."""
    zone = get_for(request, Zone, pk, select=("site",))
    given = _choices(request)
    from_form = TYPES in given or PURCHASE in given
    try:
        types, purchase = clean_options(given.getlist(TYPES) if from_form else None, given.get(PURCHASE))
    except ValidationError as exc:
        return _refused(request, zone, exc)
    try:
        procurement = procurement_for(zone, types, purchase)
    except Catalogue.DoesNotExist:
        return _refused(request, zone, ValidationError(NO_CATALOGUE))
    write, content_type = FORMATS[fmt]
    out = io.BytesIO()
    write(procurement, out)
    data = out.getvalue()
    return attachment(
        io.BytesIO(data),
        filename=procurement.filename(fmt),
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
    )


@login_required
@require_POST
def procurement_report(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Request the zone's procurement PDF; the job's page follows the worker."""
    zone = get_for(request, Zone, pk, select=("site",))
    parameters = {ZONE: str(zone.pk), TYPES: request.POST.getlist(TYPES), PURCHASE: request.POST.get(PURCHASE, "")}
    try:
        job = services.report_request(
            kind=ReportKind.PROCUREMENT, by=request.user, site=zone.site, parameters=parameters
        )
    except ValidationError as exc:
        return _refused(request, zone, exc)
    messages.success(
        request, "Procurement requirements requested: a worker is preparing the PDF. This page follows its progress."
    )
    return redirect(job)
