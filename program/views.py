"""Program pages: the KPI dashboards (organization and site), and the site's vulnerabilities, training
counts and exercises with their forms and the vulnerability CSV import. Views translate and delegate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from core.forms import VersionedForm
from core.http import AuthenticatedHttpRequest
from core.pages import form_view, get_for
from core.versioning import StaleObjectError
from program import csv_io, selectors, services
from program.choices import Severity, VulnerabilityStatus
from program.forms import CsvUploadForm, ExerciseForm, MonthForm, TrainingRecordForm, VulnerabilityForm
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
    return _dashboard(request, Scope(organization), "program/dashboard.html", sites=sites)


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


# --- create and edit --------------------------------------------------------------------------------------
def _form_page(
    request: AuthenticatedHttpRequest,
    form: VersionedForm,
    save: Callable[[Any], Any],
    *,
    site: Site,
    title: str,
    back: str,
    done: str,
    kind: str,
) -> HttpResponse:
    """Core's form page with the program template; a save goes back to the list."""
    context = {"site": site, "title": title, "cancel_url": back, "kind": kind}
    return form_view(request, form, save, template="program/form.html", done=done, after=lambda _: back,
                     context=context)  # fmt: skip


@login_required
def vulnerability_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = VulnerabilityForm(request.POST or None, site=site)
    return _form_page(
        request,
        form,
        lambda f: services.vulnerability_save(vulnerability=Vulnerability(), fields=f.service_fields()),
        site=site,
        title="Add a vulnerability",
        back=reverse("vulnerability-list", args=[site.pk]),
        done="Vulnerability added.",
        kind="vulnerability",
    )


@login_required
def vulnerability_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    vuln = get_for(request, Vulnerability, pk, Action.CHANGE, select=("asset__zone__site",))
    site = vuln.asset.zone.site
    form = VulnerabilityForm(request.POST or None, instance=vuln, site=site)
    return _form_page(
        request,
        form,
        lambda f: services.vulnerability_save(
            vulnerability=vuln, fields=f.service_fields(), expected_version=f.expected_version
        ),
        site=site,
        title=f"Edit {vuln.identifier}",
        back=reverse("vulnerability-list", args=[site.pk]),
        done="Vulnerability saved.",
        kind="vulnerability",
    )


@login_required
def training_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = TrainingRecordForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda f: services.training_record_save(record=TrainingRecord(site=site), fields=f.service_fields()),
        site=site,
        title="Add a training count",
        back=reverse("training-list", args=[site.pk]),
        done="Training count added.",
        kind="training",
    )


@login_required
def training_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    record = get_for(request, TrainingRecord, pk, Action.CHANGE, select=("site",))
    form = TrainingRecordForm(request.POST or None, instance=record)
    return _form_page(
        request,
        form,
        lambda f: services.training_record_save(
            record=record, fields=f.service_fields(), expected_version=f.expected_version
        ),
        site=record.site,
        title=f"Edit {record.programme}",
        back=reverse("training-list", args=[record.site_id]),
        done="Training count saved.",
        kind="training",
    )


@login_required
def exercise_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = ExerciseForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda f: services.exercise_save(exercise=Exercise(site=site), fields=f.service_fields()),
        site=site,
        title="Record an exercise",
        back=reverse("exercise-list", args=[site.pk]),
        done="Exercise recorded.",
        kind="exercise",
    )


@login_required
def exercise_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    exercise = get_for(request, Exercise, pk, Action.CHANGE, select=("site",))
    form = ExerciseForm(request.POST or None, instance=exercise)
    return _form_page(
        request,
        form,
        lambda f: services.exercise_save(
            exercise=exercise, fields=f.service_fields(), expected_version=f.expected_version
        ),
        site=exercise.site,
        title=f"Edit {exercise.scenario}",
        back=reverse("exercise-list", args=[exercise.site_id]),
        done="Exercise saved.",
        kind="exercise",
    )


_DELETABLE: dict[str, tuple[type[Vulnerability | TrainingRecord | Exercise], str, str]] = {
    "vulnerability": (Vulnerability, "asset__zone__site", "vulnerability-list"),
    "training": (TrainingRecord, "site", "training-list"),
    "exercise": (Exercise, "site", "exercise-list"),
}


@login_required
@require_POST
def record_delete(request: AuthenticatedHttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in _DELETABLE:
        raise PermissionDenied("Nothing of that kind can be deleted here.")
    model, site_path, list_name = _DELETABLE[kind]
    obj = get_for(request, model, pk, Action.CHANGE)
    site_id = model._default_manager.filter(pk=obj.pk).values_list(f"{site_path}_id", flat=True).get()
    version = request.POST.get("version", "")
    try:
        services.record_delete(obj=obj, expected_version=int(version) if version.isdigit() else None)
    except StaleObjectError:
        messages.error(request, "Someone else changed this meanwhile; check it and try again.")
    else:
        messages.success(request, f"Deleted {obj}.")
    return redirect(list_name, site_id)


# --- CSV ----------------------------------------------------------------------------------------------------
@login_required
def vulnerability_export(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk)
    response = HttpResponse(csv_io.export_csv(site), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vulnerabilities-{site.pk}.csv"'
    return response


@login_required
def vulnerability_import(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE, select=("organization",))
    back = request.POST.get("next") or request.GET.get("next", "")
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data["file"].read(int(settings.CSV_IMPORT_MAX_BYTES) + 1)
            result = csv_io.import_csv(site=site, data=data)
        except csv_io.CsvImportError as exc:
            errors = exc.errors
        else:
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
