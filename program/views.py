"""Program pages: the KPI dashboards (organization and site), and the site's vulnerabilities, training
counts and exercises with their forms and the vulnerability CSV import. Views translate and delegate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from components.models import Certificate
from components.models.products import EXPIRY_WARNING_DAYS, certificates_expired, certificates_expiring
from core.csv_pages import csv_download, csv_upload
from core.http import AuthenticatedHttpRequest
from core.pages import button_write, creating, form_view, get_for, posted_version, updating
from program import csv_io, selectors, services
from program.choices import Severity, VulnerabilityStatus
from program.forms import ExerciseForm, MonthForm, SiteRecordForm, TrainingRecordForm, VulnerabilityForm
from program.kpis import Scope
from program.models import Exercise, TrainingRecord, Vulnerability
from zones.models import Site

PAGE_SIZE = 100


def _month(request: AuthenticatedHttpRequest) -> Any:
    form = MonthForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["month"]
    messages.error(request, " ".join(str(e) for e in form.errors.get("month", [])) + " Showing the current month.")
    return None


def _dashboard(request: AuthenticatedHttpRequest, scope: Scope, template: str, **extra: Any) -> HttpResponse:
    month = _month(request)
    try:
        period, tiles = selectors.dashboard(scope, month)
    except ValueError as exc:  # a month that has not begun
        messages.error(request, f"{exc}. Showing the current month.")
        period, tiles = selectors.dashboard(scope, None)
    context = {"scope": scope, "period": period, "tiles": tiles, "month_value": f"{period.month:%Y-%m}", **extra}
    return render(request, template, context)


@login_required
def kpi_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "program/index.html", {"rows": selectors.kpi_scopes(request.user)})


@login_required
def organization_dashboard(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    organization = get_object_or_404(selectors.organizations_with_whole_view(request.user), pk=pk)
    sites = Site.objects.filter(organization=organization).order_by("name")
    # The product library's certificates (issue 16): those running out within 90 days, and how many have.
    certificates = Certificate.objects.restrict(request.user).filter(product__organization=organization)
    return _dashboard(
        request,
        Scope(organization),
        "program/dashboard.html",
        sites=sites,
        certificates_expiring=list(certificates_expiring(certificates).select_related("product")),
        certificates_expired=certificates_expired(certificates).count(),
        expiry_days=EXPIRY_WARNING_DAYS,
    )


@login_required
def site_dashboard(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    site = get_for(request, Site, pk, select=("organization",))
    return _dashboard(
        request,
        Scope.of_site(site),
        "program/dashboard.html",
        site=site,
        can_change=can(request.user, Action.CHANGE, site),
        tab="kpis",
    )


# --- lists ------------------------------------------------------------------------------------------------
def _site_page(request: AuthenticatedHttpRequest, site: Site, tab: str, template: str, **context: Any) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context.update(site=site, tab=tab, can_change=can(request.user, Action.CHANGE, site), query=query.urlencode())
    return render(request, template, context)


@login_required
def vulnerability_list(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, select=("organization",))
    rows = selectors.vulnerabilities_of(site)
    severity, status = request.GET.get("severity", ""), request.GET.get("status", "")
    if severity in Severity.values:
        rows = rows.filter(severity=severity)
    if status in VulnerabilityStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _site_page(
        request,
        site,
        "vulnerabilities",
        "program/vulnerability_list.html",
        page=page,
        severities=Severity.choices,
        statuses=VulnerabilityStatus.choices,
        severity=severity,
        status=status,
    )


@login_required
def training_list(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, select=("organization",))
    page = Paginator(selectors.training_records_of(site), PAGE_SIZE).get_page(request.GET.get("page"))
    return _site_page(request, site, "training", "program/training_list.html", page=page)


@login_required
def exercise_list(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, select=("organization",))
    page = Paginator(selectors.exercises_of(site), PAGE_SIZE).get_page(request.GET.get("page"))
    return _site_page(request, site, "exercises", "program/exercise_list.html", page=page)


# --- create, edit and delete ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Kind:
    """One kind of site record the program pages create, edit and delete: its model, how to reach its site,
    its form and its service. The kind's name is the delete URL's, and its list is `<name>-list`."""

    model: type[Vulnerability | TrainingRecord | Exercise]
    site_path: str  # from the record to its site, as a lookup
    form: type[SiteRecordForm]
    service: Callable[..., Any]
    keyword: str  # the service's keyword for the record
    label: str  # the field that names a record on its edit page
    new: Callable[[Site], Vulnerability | TrainingRecord | Exercise]  # a record not saved yet

    def site_of(self, record: Any) -> Site:
        """The site `record` belongs to (fetched along with it, see `site_path`)."""
        site: Site = attrgetter(self.site_path.replace("__", "."))(record)
        return site


class _Says(NamedTuple):
    """What a kind's pages say: the create page's title, and the message after a create and after an edit."""

    add_title: str
    added: str
    saved: str


_KINDS = {
    "vulnerability": _Kind(Vulnerability, "asset__zone__site", VulnerabilityForm, services.vulnerability_save,
                           keyword="vulnerability", label="identifier", new=lambda site: Vulnerability()),
    "training": _Kind(TrainingRecord, "site", TrainingRecordForm, services.training_record_save,
                      keyword="record", label="programme", new=lambda site: TrainingRecord(site=site)),
    "exercise": _Kind(Exercise, "site", ExerciseForm, services.exercise_save,
                      keyword="exercise", label="scenario", new=lambda site: Exercise(site=site)),
}  # fmt: skip
_SAYS = {
    "vulnerability": _Says("Add a vulnerability", "Vulnerability added.", "Vulnerability saved."),
    "training": _Says("Add a training count", "Training count added.", "Training count saved."),
    "exercise": _Says("Record an exercise", "Exercise recorded.", "Exercise saved."),
}


def _form_page(
    request: AuthenticatedHttpRequest,
    kind: str,
    site: Site,
    form: SiteRecordForm,
    save: Callable[[Any], Any],
    *,
    title: str,
    done: str,
) -> HttpResponse:
    """Core's form page with the program template; a save goes back to the list."""
    back = reverse(f"{kind}-list", args=[site.pk])
    context = {"site": site, "title": title, "cancel_url": back, "kind": kind}
    return form_view(
        request, form, save, template="program/form.html", done=done, after=lambda _: back, context=context
    )


def _record_pages(kind: str) -> tuple[Callable[..., HttpResponse], Callable[..., HttpResponse]]:
    """The create page (under its site) and the edit page of one kind of record."""
    spec, says = _KINDS[kind], _SAYS[kind]

    @login_required
    def create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
        site = get_for(request, Site, site_pk, Action.CHANGE)
        form = spec.form(request.POST or None, site=site)
        save = creating(spec.service, **{spec.keyword: spec.new(site)})
        return _form_page(request, kind, site, form, save, title=says.add_title, done=says.added)

    @login_required
    def edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
        record = get_for(request, spec.model, pk, Action.CHANGE, select=(spec.site_path,))
        site = spec.site_of(record)
        form = spec.form(request.POST or None, instance=record, site=site)
        save = updating(spec.service, **{spec.keyword: record})
        return _form_page(request, kind, site, form, save, title=f"Edit {getattr(record, spec.label)}", done=says.saved)

    return create, edit


vulnerability_create, vulnerability_edit = _record_pages("vulnerability")
training_create, training_edit = _record_pages("training")
exercise_create, exercise_edit = _record_pages("exercise")


@login_required
@require_POST
def record_delete(request: AuthenticatedHttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in _KINDS:
        raise PermissionDenied("Nothing of that kind can be deleted here.")
    spec = _KINDS[kind]
    obj = get_for(request, spec.model, pk, Action.CHANGE)
    site_id = spec.model._default_manager.filter(pk=obj.pk).values_list(f"{spec.site_path}_id", flat=True).get()
    button_write(
        request,
        lambda: services.record_delete(obj=obj, expected_version=posted_version(request)),
        done=f"Deleted {obj}.",
        stale="Someone else changed this meanwhile; check it and try again.",
    )
    return redirect(f"{kind}-list", site_id)


# --- CSV ----------------------------------------------------------------------------------------------------
@login_required
def vulnerability_export(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk)
    return csv_download(csv_io.export_csv(site), f"vulnerabilities-{site.pk}.csv")


@login_required
def vulnerability_import(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE, select=("organization",))
    back = request.POST.get("next") or request.GET.get("next", "")
    form, errors, result = csv_upload(request, lambda data: csv_io.import_csv(site=site, data=data))
    if result is not None:
        messages.success(request, f"Imported: {result.created} vulnerabilities added, {result.updated} updated.")
        # Only two places to go back to: never a URL taken from the request.
        return redirect("kpi-site" if back == "kpis" else "vulnerability-list", site.pk)
    context = {
        "form": form,
        "errors": errors,
        "columns": csv_io.VULNERABILITY_CSV_COLUMNS,
        "next": back if back == "kpis" else "",
    }
    return _site_page(request, site, "vulnerabilities", "program/vulnerability_import.html", **context)
