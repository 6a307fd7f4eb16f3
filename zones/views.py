"""Pages for sites, zones, conduits and assets. Views translate and delegate to services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import Action, can, organizations_for
from core.versioning import InUse, StaleObjectError
from zones import csv_io, history, selectors, services
from zones.forms import AssetForm, ConduitForm, CsvUploadForm, SiteForm, VersionedForm, ZoneForm
from zones.models import Asset, Conduit, Site, Zone


def _get(request: HttpRequest, model: type[Model], pk: Any, action: Action = Action.VIEW) -> Any:
    """The door for pages: 404 outside the user's scope, 403 for readers asking to change."""
    manager: Any = model._default_manager
    obj = get_object_or_404(manager.restrict(request.user, Action.VIEW), pk=pk)
    if action != Action.VIEW and not can(request.user, action, obj):
        raise PermissionDenied("Your role lets you read this, not change it.")
    return obj


def _save_form(request: HttpRequest, form: VersionedForm, save: Any) -> Any | None:
    """Run a service with the form's data; put service errors and stale writes back on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.service_fields(), form.cleaned_data.get("version"))
    except StaleObjectError as exc:
        form.add_error(
            None,
            f"Someone else saved this {exc.obj._meta.verbose_name} while you were editing (now version "
            f"{exc.obj.version}). Your changes are kept below; the current values are shown beside them. "
            "Save again to overwrite.",
        )
        data = form.data.copy()  # type: ignore[attr-defined]
        data["version"] = str(exc.obj.version)
        form.data = data
        form.current = exc.obj  # type: ignore[attr-defined]
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    return None


def _form_page(request: HttpRequest, form: VersionedForm, title: str, cancel: str, **extra: Any) -> HttpResponse:
    return render(request, "zones/form.html", {"form": form, "title": title, "cancel_url": cancel, **extra})


def _form_view(
    request: HttpRequest,
    form: VersionedForm,
    save: Any,
    *,
    title: str,
    cancel: str,
    done: str,
    after: Any = None,
    **extra: Any,
) -> HttpResponse:
    """The create/edit page pattern: show the form, save through a service, say so, go on."""
    if request.method == "POST":
        saved = _save_form(request, form, save)
        if saved:
            messages.success(request, done.format(obj=saved))
            return redirect(after(saved) if after else saved)
    return _form_page(request, form, title, cancel, **extra)


# --- sites --------------------------------------------------------------------------------------
@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    sites = selectors.sites_for(request.user).order_by("organization__name", "name")
    can_add = organizations_for(request.user, Action.CHANGE).exists()
    return render(request, "zones/site_list.html", {"sites": sites, "can_add": can_add})


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    orgs = organizations_for(request.user, Action.CHANGE).order_by("name")
    if not orgs.exists():
        raise PermissionDenied("Your role does not let you add sites.")
    organization = orgs.filter(pk=request.GET.get("organization") or request.POST.get("organization")).first()
    organization = organization or orgs.first()
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        site = _save_form(
            request, form, lambda fields, _v: services.site_save(site=Site(organization=organization), fields=fields)
        )
        if site:
            messages.success(request, f"Site “{site.name}” created.")
            return redirect(site)
    return _form_page(request, form, "New site", reverse("site-list"), organizations=orgs, organization=organization)


@login_required
def site_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    site = _get(request, Site, pk)
    overview = selectors.site_overview(site)
    return render(
        request,
        "zones/site_detail.html",
        {
            "site": site,
            "o": overview,
            "svg": overview.diagram_svg(),
            "can_change": can(request.user, Action.CHANGE, site),
        },
    )


@login_required
def site_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    site = _get(request, Site, pk, Action.CHANGE)
    form = SiteForm(request.POST or None, instance=site)
    save = lambda f, v: services.site_save(site=site, fields=f, expected_version=v)  # noqa: E731
    return _form_view(request, form, save, title=f"Edit site “{site.name}”", cancel=site.get_absolute_url(),
                      done="Site saved.")  # fmt: skip


# --- zones --------------------------------------------------------------------------------------
@login_required
def zone_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE)
    form = ZoneForm(request.POST or None)
    save = lambda f, _v: services.zone_save(zone=Zone(site=site), fields=f)  # noqa: E731
    return _form_view(request, form, save, title=f"New zone in {site.name}", cancel=site.get_absolute_url(),
                      done="Zone “{obj.name}” created.", after=lambda z: z.site, site=site)  # fmt: skip


@login_required
def zone_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    zone = _get(request, Zone, pk)
    overview = selectors.site_overview(zone.site)
    assets = zone.assets.order_by("name")
    return render(
        request,
        "zones/zone_detail.html",
        {
            "zone": zone,
            "site": zone.site,
            "assets": assets,
            "capability": overview.capability_by_zone.get(zone.pk),
            "findings": selectors.zone_findings(overview, zone),
            "conduits": [c for c in overview.conduits if zone in c.zones.all()],
            "can_change": can(request.user, Action.CHANGE, zone),
            "today": timezone.localdate(),
        },
    )


@login_required
def zone_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    zone = _get(request, Zone, pk, Action.CHANGE)
    form = ZoneForm(request.POST or None, instance=zone)
    save = lambda f, v: services.zone_save(zone=zone, fields=f, expected_version=v)  # noqa: E731
    return _form_view(request, form, save, title=f"Edit zone “{zone.name}”", cancel=zone.get_absolute_url(),
                      done="Zone saved.", site=zone.site)  # fmt: skip


# --- conduits -----------------------------------------------------------------------------------
def _conduit_save(conduit: Conduit, form: ConduitForm, fields: dict[str, Any], version: int | None) -> Conduit:
    zones = fields.pop("zones")
    devices = fields.pop("boundary_devices")
    return services.conduit_save(
        conduit=conduit, fields=fields, zones=zones, boundary_devices=devices, expected_version=version
    )


@login_required
def conduit_create(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE)
    form = ConduitForm(request.POST or None, site=site)
    save = lambda f, _v: _conduit_save(Conduit(site=site), form, f, None)  # noqa: E731
    return _form_view(request, form, save, title=f"New conduit in {site.name}", cancel=site.get_absolute_url(),
                      done="Conduit “{obj.name}” created.", after=lambda c: c.site, site=site)  # fmt: skip


@login_required
def conduit_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    conduit = _get(request, Conduit, pk)
    overview = selectors.site_overview(conduit.site)
    current = next(c for c in overview.conduits if c.pk == conduit.pk)
    return render(
        request,
        "zones/conduit_detail.html",
        {
            "conduit": current,
            "site": conduit.site,
            "findings": selectors.conduit_findings(overview, conduit),
            "can_change": can(request.user, Action.CHANGE, conduit),
        },
    )


@login_required
def conduit_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    conduit = _get(request, Conduit, pk, Action.CHANGE)
    form = ConduitForm(request.POST or None, instance=conduit, site=conduit.site)
    save = lambda f, v: _conduit_save(conduit, form, f, v)  # noqa: E731
    return _form_view(request, form, save, title=f"Edit conduit “{conduit.name}”",
                      cancel=conduit.get_absolute_url(), done="Conduit saved.", site=conduit.site)  # fmt: skip


# --- assets -------------------------------------------------------------------------------------
@login_required
def asset_create(request: HttpRequest, zone_pk: Any) -> HttpResponse:
    zone = _get(request, Zone, zone_pk, Action.CHANGE)
    form = AssetForm(request.POST or None, site=zone.site, initial={"zone": zone})
    save = lambda f, _v: services.asset_save(asset=Asset(), fields=f)  # noqa: E731
    return _form_view(request, form, save, title=f"New asset in {zone.name}", cancel=zone.get_absolute_url(),
                      done="Asset “{obj.name}” created.", after=lambda a: a.zone, site=zone.site)  # fmt: skip


@login_required
def asset_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    asset = _get(request, Asset, pk)
    zone = asset.zone
    below = asset.sl_capability.frs_below(zone.sl_target) if asset.sl_capability is not None else []
    return render(
        request,
        "zones/asset_detail.html",
        {
            "asset": asset,
            "zone": zone,
            "site": zone.site,
            "below": below,
            "past_eos": bool(asset.end_of_support and asset.end_of_support < timezone.localdate()),
            "boundary_of": asset.boundary_of.order_by("name"),
            "can_change": can(request.user, Action.CHANGE, asset),
        },
    )


@login_required
def asset_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    asset = _get(request, Asset, pk, Action.CHANGE)
    form = AssetForm(request.POST or None, instance=asset, site=asset.zone.site)
    save = lambda f, v: services.asset_save(asset=asset, fields=f, expected_version=v)  # noqa: E731
    return _form_view(request, form, save, title=f"Edit asset “{asset.name}”", cancel=asset.get_absolute_url(),
                      done="Asset saved.", site=asset.zone.site)  # fmt: skip


# --- delete and history (all four kinds) ---------------------------------------------------------
KINDS: dict[str, type[Model]] = {"site": Site, "zone": Zone, "conduit": Conduit, "asset": Asset}


def _after_delete(obj: Any) -> str:
    if isinstance(obj, Site):
        return reverse("site-list")
    if isinstance(obj, Asset):
        return obj.zone.get_absolute_url()
    return str(obj.site.get_absolute_url())


@login_required
def object_delete(request: HttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    obj = _get(request, KINDS[kind], pk, Action.CHANGE)
    impact, blockers = services.delete_impact(obj), services.delete_blockers(obj)
    if request.method == "POST" and not blockers:
        target = _after_delete(obj)
        try:
            services.object_delete(obj=obj)
        except InUse as exc:  # an assessment arrived since the page was shown
            blockers = exc.blockers
        else:
            messages.success(request, f"{obj._meta.verbose_name.capitalize()} “{obj}” deleted.")
            return redirect(target)
    context = {"obj": obj, "kind": kind, "impact": impact, "blockers": blockers}
    return render(
        request, "zones/confirm_delete.html", context, status=409 if blockers and request.method == "POST" else 200
    )


@login_required
def object_history(request: HttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    obj = _get(request, KINDS[kind], pk)
    entries = history.site_history(obj) if isinstance(obj, Site) else history.object_history(obj)
    return render(request, "zones/history.html", {"obj": obj, "kind": kind, "entries": entries})


# --- CSV ------------------------------------------------------------------------------------------
@login_required
def assets_export(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk)
    response = HttpResponse(csv_io.export_assets_csv(site), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{site.name} assets.csv"'
    return response


@login_required
def assets_import(request: HttpRequest, site_pk: Any) -> HttpResponse:
    site = _get(request, Site, site_pk, Action.CHANGE)
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(csv_io_limit() + 1)
            result = csv_io.import_assets_csv(site=site, data=data)
        except csv_io.CsvImportError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Imported: {result.created} assets created, {result.updated} updated.")
            return redirect(site)
    return render(
        request,
        "zones/assets_import.html",
        {"site": site, "form": form, "errors": errors, "columns": csv_io.ASSET_CSV_COLUMNS},
    )


def csv_io_limit() -> int:
    from django.conf import settings

    return int(settings.CSV_IMPORT_MAX_BYTES)
