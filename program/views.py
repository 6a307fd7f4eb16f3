"""Program pages: the KPI dashboards (organization and site), and the site's vulnerabilities, training
counts and exercises with their forms and the vulnerability CSV import. Views translate and delegate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from core.versioning import StaleObjectError
from program import csv_io, selectors, services
from program.choices import Severity, VulnerabilityStatus
from program.forms import CsvUploadForm, ExerciseForm, MonthForm, TrainingRecordForm, VulnerabilityForm
from program.kpis import Scope
from program.models import Exercise, TrainingRecord, Vulnerability
from zones.forms import VersionedForm
from zones.models import Site

PAGE_SIZE = 100


def _get(request: HttpRequest, model: type[Model], pk: Any, action: Action = Action.VIEW, **select: Any) -> Any:
    """The door for pages: 404 outside the user's scope, 403 for readers asking to change."""
    manager: Any = model._default_manager
    queryset = manager.restrict(request.user, Action.VIEW).select_related(*select.get("related", ()))
    obj = get_object_or_404(queryset, pk=pk)
    if action != Action.VIEW and not can(request.user, action, obj):
        raise PermissionDenied("Your role lets you read this, not change it.")
    return obj


def _month(request: HttpRequest) -> Any:
    form = MonthForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["month"]
    messages.error(request, " ".join(str(e) for e in form.errors.get("month", [])) + " Showing the current month.")
    return None


def _dashboard(request: HttpRequest, scope: Scope, template: str, **extra: Any) -> HttpResponse:
    month = _month(request)
    try:
        period, tiles = selectors.dashboard(scope, month)
    except ValueError as exc:  # a month that has not begun
        messages.error(request, f"{exc}. Showing the current month.")
        period, tiles = selectors.dashboard(scope, None)
    context = {"scope": scope, "period": period, "tiles": tiles, "month_value": f"{period.month:%Y-%m}", **extra}
    return render(request, template, context)


@login_required
def kpi_index(request: HttpRequest) -> HttpResponse:
    return render(request, "program/index.html", {"rows": selectors.kpi_scopes(request.user)})


@login_required
def organization_dashboard(request: HttpRequest, pk: Any) -> HttpResponse:
    organization = get_object_or_404(selectors.organizations_with_whole_view(request.user), pk=pk)
    sites = Site.objects.filter(organization=organization).order_by("name")
    return _dashboard(request, Scope(organization), "program/dashboard.html", sites=sites)


@login_required
def site_dashboard(request: HttpRequest, pk: Any) -> HttpResponse:
    site = _get(request, Site, pk, related=("organization",))
    return _dashboard(
        request,
        Scope.of_site(site),
        "program/dashboard.html",
        site=site,
        can_change=can(request.user, Action.CHANGE, site),
        tab="kpis",
    )


# --- lists ------------------------------------------------------------------------------------------------
def _site_page(request: HttpRequest, site: Site, tab: str, template: str, **context: Any) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context.update(site=site, tab=tab, can_change=can(request.user, Action.CHANGE, site), query=query.urlencode())
    return render(request, template, context)


@login_required
def vulnerability_list(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, related=("organization",))
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
def training_list(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, related=("organization",))
    page = Paginator(selectors.training_records_of(site), PAGE_SIZE).get_page(request.GET.get("page"))
    return _site_page(request, site, "training", "program/training_list.html", page=page)


@login_required
def exercise_list(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, related=("organization",))
    page = Paginator(selectors.exercises_of(site), PAGE_SIZE).get_page(request.GET.get("page"))
    return _site_page(request, site, "exercises", "program/exercise_list.html", page=page)


# --- create and edit --------------------------------------------------------------------------------------
def _form_page(
    request: HttpRequest,
    form: VersionedForm,
    save: Callable[[dict[str, Any], int | None], Any],
    *,
    site: Site,
    title: str,
    back: str,
    done: str,
    kind: str,
) -> HttpResponse:
    """Show the form; on a good POST save through the service and go back to the list; put a stale write or
    a service's refusal back on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.service_fields(), form.cleaned_data.get("version"))
        except StaleObjectError as exc:
            form.add_error(
                None,
                f"Someone else saved this while you were editing (now version {exc.obj.version}). Reload the page "
                "to see their change, then edit again.",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    context = {"form": form, "site": site, "title": title, "back": back, "kind": kind}
    return render(request, "program/form.html", context)


@login_required
def vulnerability_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE)
    form = VulnerabilityForm(request.POST or None, site=site)
    return _form_page(
        request,
        form,
        lambda fields, _: services.vulnerability_save(vulnerability=Vulnerability(), fields=fields),
        site=site,
        title="Add a vulnerability",
        back=reverse("vulnerability-list", args=[site.pk]),
        done="Vulnerability added.",
        kind="vulnerability",
    )


@login_required
def vulnerability_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    vuln = _get(request, Vulnerability, pk, Action.CHANGE, related=("asset__zone__site",))
    site = vuln.asset.zone.site
    form = VulnerabilityForm(request.POST or None, instance=vuln, site=site)
    return _form_page(
        request,
        form,
        lambda fields, version: services.vulnerability_save(
            vulnerability=vuln, fields=fields, expected_version=version
        ),
        site=site,
        title=f"Edit {vuln.identifier}",
        back=reverse("vulnerability-list", args=[site.pk]),
        done="Vulnerability saved.",
        kind="vulnerability",
    )


@login_required
def training_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE)
    form = TrainingRecordForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda fields, _: services.training_record_save(record=TrainingRecord(site=site), fields=fields),
        site=site,
        title="Add a training count",
        back=reverse("training-list", args=[site.pk]),
        done="Training count added.",
        kind="training",
    )


@login_required
def training_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    record = _get(request, TrainingRecord, pk, Action.CHANGE, related=("site",))
    form = TrainingRecordForm(request.POST or None, instance=record)
    return _form_page(
        request,
        form,
        lambda fields, version: services.training_record_save(record=record, fields=fields, expected_version=version),
        site=record.site,
        title=f"Edit {record.programme}",
        back=reverse("training-list", args=[record.site_id]),
        done="Training count saved.",
        kind="training",
    )


@login_required
def exercise_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE)
    form = ExerciseForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda fields, _: services.exercise_save(exercise=Exercise(site=site), fields=fields),
        site=site,
        title="Record an exercise",
        back=reverse("exercise-list", args=[site.pk]),
        done="Exercise recorded.",
        kind="exercise",
    )


@login_required
def exercise_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    exercise = _get(request, Exercise, pk, Action.CHANGE, related=("site",))
    form = ExerciseForm(request.POST or None, instance=exercise)
    return _form_page(
        request,
        form,
        lambda fields, version: services.exercise_save(exercise=exercise, fields=fields, expected_version=version),
        site=exercise.site,
        title=f"Edit {exercise.scenario}",
        back=reverse("exercise-list", args=[exercise.site_id]),
        done="Exercise saved.",
        kind="exercise",
    )


_DELETABLE: dict[str, tuple[type[Model], str, str]] = {
    "vulnerability": (Vulnerability, "asset__zone__site", "vulnerability-list"),
    "training": (TrainingRecord, "site", "training-list"),
    "exercise": (Exercise, "site", "exercise-list"),
}


@login_required
@require_POST
def record_delete(request: HttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in _DELETABLE:
        raise PermissionDenied("Nothing of that kind can be deleted here.")
    model, site_path, list_name = _DELETABLE[kind]
    obj = _get(request, model, pk, Action.CHANGE)
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
def vulnerability_export(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk)
    response = HttpResponse(csv_io.export_csv(site), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vulnerabilities-{site.pk}.csv"'
    return response


@login_required
def vulnerability_import(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE, related=("organization",))
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
