"""Pages for sites, zones, conduits and assets. Views translate and delegate to services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import Action, can, organizations_for
from core.csv_pages import csv_download, csv_upload
from core.forms import VersionedForm
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import creating, form_view, get_for, updating
from core.versioning import InUse
from zones import csv_io, history, selectors, services
from zones.forms import AssetForm, ConduitForm, SiteForm, ZoneForm
from zones.models import Asset, Conduit, Site, Zone


def _form_view(
    request: AuthenticatedHttpRequest,
    form: VersionedForm,
    save: Callable[[Any], Model],
    *,
    title: str,
    cancel: str,
    done: str,
    after: Callable[[Any], Any] | None = None,
    **extra: Any,
) -> HttpResponse:
    """The zones create/edit page: core's form page with this app's template and crumbs."""
    context = {"title": title, "cancel_url": cancel, **extra}
    return form_view(request, form, save, template="zones/form.html", done=done, after=after, context=context)


def _design_page(
    request: AuthenticatedHttpRequest,
    form: VersionedForm,
    save: Callable[[Any], Model],
    *,
    parent: Site | Zone | None = None,
    after: Callable[[Any], Any] | None = None,
    **extra: Any,
) -> HttpResponse:
    """The page of a new zone or conduit (in a site) or asset (in a zone) when `parent` is given, afterwards
    `after(saved)`, by default the parent; else the edit page of the form's site, zone, conduit or asset."""
    noun = str(form._meta.model._meta.verbose_name)
    if parent is not None:
        title, cancel = f"New {noun} in {parent.name}", parent.get_absolute_url()
        done, after = f"{noun.capitalize()} “{{obj.name}}” created.", after or (lambda _: parent)
    else:
        obj = form.instance
        title, cancel, done = f"Edit {noun} “{obj.name}”", obj.get_absolute_url(), f"{noun.capitalize()} saved."
    return _form_view(request, form, save, title=title, cancel=cancel, done=done, after=after, **extra)


# --- sites --------------------------------------------------------------------------------------
@login_required
def site_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sites = selectors.sites_for(request.user).order_by("organization__name", "name")
    can_add = organizations_for(request.user, Action.CHANGE).exists()
    return render(request, "zones/site_list.html", {"sites": sites, "can_add": can_add})


# The organization a person is working in: that of the last site they opened or edited. A consultant in
# several organizations who clicks "New site" gets it, not the first name in the alphabet.
WORKING_ORGANIZATION = "zones.working_organization"


def _working_in(request: AuthenticatedHttpRequest, site: Site) -> None:
    request.session[WORKING_ORGANIZATION] = str(site.organization_id)


@login_required
def site_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    orgs = organizations_for(request.user, Action.CHANGE).order_by("name")
    if not orgs.exists():
        raise PermissionDenied("Your role does not let you add sites.")
    # The organization the page came from (?organization= on its "New site" link, or the form's choice),
    # else the one the person was working in, else the first.
    asked = request.POST.get("organization") or request.GET.get("organization")
    ids = [pk for pk in (parse_uuid(asked), parse_uuid(request.session.get(WORKING_ORGANIZATION))) if pk]
    organization = next((org for pk in ids for org in orgs.filter(pk=pk)), None) or orgs.first()
    form = SiteForm(request.POST or None)
    return _form_view(
        request,
        form,
        creating(services.site_save, site=Site(organization=organization)),
        title="New site",
        cancel=reverse("site-list"),
        done="Site “{obj.name}” created.",
        organizations=orgs,
        organization=organization,
    )


@login_required
def site_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    site = get_for(request, Site, pk)
    _working_in(request, site)
    overview = selectors.site_overview(site)
    return render(
        request,
        "zones/site_detail.html",
        {
            "site": site,
            "o": overview,
            "svg": overview.diagram_svg(),
            "assessments": list(site.assessments.order_by("-created")),
            "can_change": can(request.user, Action.CHANGE, site),
        },
    )


@login_required
def site_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    site = get_for(request, Site, pk, Action.CHANGE)
    _working_in(request, site)
    form = SiteForm(request.POST or None, instance=site)
    return _design_page(request, form, updating(services.site_save, site=site))


# --- zones --------------------------------------------------------------------------------------
@login_required
def zone_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = ZoneForm(request.POST or None)
    return _design_page(request, form, creating(services.zone_save, zone=Zone(site=site)), parent=site, site=site)


@login_required
def zone_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    zone = get_for(request, Zone, pk)
    overview = selectors.site_overview(zone.site)
    assets = zone.assets.select_related("product").order_by("name")
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
def zone_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    zone = get_for(request, Zone, pk, Action.CHANGE)
    form = ZoneForm(request.POST or None, instance=zone)
    return _design_page(request, form, updating(services.zone_save, zone=zone), site=zone.site)


# --- conduits -----------------------------------------------------------------------------------
@login_required
def conduit_create(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form = ConduitForm(request.POST or None, site=site)
    return _design_page(
        request, form, creating(services.conduit_save, conduit=Conduit(site=site)), parent=site, site=site
    )


@login_required
def conduit_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    conduit = get_for(request, Conduit, pk)
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
def conduit_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    conduit = get_for(request, Conduit, pk, Action.CHANGE)
    form = ConduitForm(request.POST or None, instance=conduit, site=conduit.site)
    return _design_page(request, form, updating(services.conduit_save, conduit=conduit), site=conduit.site)


# --- assets -------------------------------------------------------------------------------------
@login_required
def asset_create(request: AuthenticatedHttpRequest, zone_pk: Any) -> HttpResponse:
    zone = get_for(request, Zone, zone_pk, Action.CHANGE)
    form = AssetForm(request.POST or None, site=zone.site, initial={"zone": zone})
    save = creating(services.asset_save, asset=Asset())
    return _design_page(
        request, form, save, after=lambda a: a.zone, parent=zone, site=zone.site
    )  # the form may move it


@login_required
def asset_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    asset = get_for(request, Asset, pk, select=("zone__site", "product"))
    zone = asset.zone
    capability = asset.sl_capability_effective  # its own, else its product's
    below = capability.frs_below(zone.sl_target) if capability is not None else []
    product = asset.product
    return render(
        request,
        "zones/asset_detail.html",
        {
            "asset": asset,
            "zone": zone,
            "site": zone.site,
            "capability": capability,
            "product": product,
            "certificates": list(product.certificates.all()) if product is not None else [],
            "below": below,
            "past_eos": bool(asset.end_of_support and asset.end_of_support < timezone.localdate()),
            "boundary_of": asset.boundary_of.order_by("name"),
            "can_change": can(request.user, Action.CHANGE, asset),
        },
    )


@login_required
def asset_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    asset = get_for(request, Asset, pk, Action.CHANGE)
    form = AssetForm(request.POST or None, instance=asset, site=asset.zone.site)
    return _design_page(request, form, updating(services.asset_save, asset=asset), site=asset.zone.site)


# --- delete and history (all four kinds) ---------------------------------------------------------
KINDS: dict[str, type[Site | Zone | Conduit | Asset]] = {"site": Site, "zone": Zone, "conduit": Conduit, "asset": Asset}


def _after_delete(obj: Any) -> str:
    if isinstance(obj, Site):
        return reverse("site-list")
    if isinstance(obj, Asset):
        return obj.zone.get_absolute_url()
    return str(obj.site.get_absolute_url())


@login_required
def object_delete(request: AuthenticatedHttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    obj = get_for(request, KINDS[kind], pk, Action.CHANGE)
    impact, blockers = services.delete_impact(obj), services.delete_blockers(obj)
    if request.method == "POST" and not blockers:
        target = _after_delete(obj)
        try:
            services.object_delete(obj=obj)
        except InUse as exc:  # an assessment arrived since the page was shown
            blockers = exc.blockers
        else:
            messages.success(request, f"{str(obj._meta.verbose_name).capitalize()} “{obj}” deleted.")
            return redirect(target)
    context = {"obj": obj, "kind": kind, "impact": impact, "blockers": blockers}
    return render(
        request, "zones/confirm_delete.html", context, status=409 if blockers and request.method == "POST" else 200
    )


@login_required
def object_history(request: AuthenticatedHttpRequest, kind: str, pk: Any) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    obj = get_for(request, KINDS[kind], pk)
    entries = history.site_history(obj) if isinstance(obj, Site) else history.object_history(obj)
    return render(request, "zones/history.html", {"obj": obj, "kind": kind, "entries": entries})


# --- CSV ------------------------------------------------------------------------------------------
@login_required
def assets_export(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk)
    return csv_download(csv_io.export_assets_csv(site), f"{site.name} assets.csv")


@login_required
def assets_import(request: AuthenticatedHttpRequest, site_pk: Any) -> HttpResponse:
    site = get_for(request, Site, site_pk, Action.CHANGE)
    form, errors, result = csv_upload(request, lambda data: csv_io.import_assets_csv(site=site, data=data))
    if result is not None:
        messages.success(request, f"Imported: {result.created} assets created, {result.updated} updated.")
        return redirect(site)
    return render(
        request,
        "zones/assets_import.html",
        {"site": site, "form": form, "errors": errors, "columns": csv_io.ASSET_CSV_COLUMNS},
    )
