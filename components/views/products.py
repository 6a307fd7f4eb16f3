"""The product library's pages: the list with filters, a product's page (SL-C and its source, certificates with
their expiry, the assets that run it, its component assessments), the product form, certificates (upload,
download through the door, delete) and the delete confirmation. Views translate and delegate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from accounts.access import Action, can, organizations_for
from compliance.choices import ComponentType
from components.forms import CertificateForm, ProductForm
from components.models import Certificate, ComponentAssessment, Product
from components.services.certificates import certificate_delete, certificate_save
from components.services.products import product_delete, product_delete_blockers, product_save
from core.history import HistorySpec, object_history
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import button_write, form_save, form_view, get_for, posted_version, updating
from core.uploads import evidence_file_response
from core.versioning import InUse
from zones.models import Asset


@login_required
def product_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The library of every organization the person belongs to, filtered by organization, type and text."""
    organizations = organizations_for(request.user, Action.VIEW).order_by("name")
    products = (
        Product.objects.restrict(request.user)
        .select_related("organization")
        .prefetch_related("certificates")
        .annotate(asset_count=Count("assets", distinct=True))
    )
    chosen = {key: request.GET.get(key, "").strip() for key in ("organization", "component_type", "q")}
    if organization := parse_uuid(chosen["organization"]):
        products = products.filter(organization_id=organization)
    if chosen["component_type"] in ComponentType.values:
        products = products.filter(component_type=chosen["component_type"])
    if text := chosen["q"]:
        products = products.filter(Q(vendor__icontains=text) | Q(name__icontains=text) | Q(release__icontains=text))
    context = {
        "products": products.order_by("vendor", "name", "release"),
        "organizations": organizations,
        "component_types": ComponentType.choices,
        "chosen": chosen,
        "can_add": organizations_for(request.user, Action.CHANGE).exists(),
    }
    return render(request, "components/product_list.html", context)


@login_required
def product_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    orgs = organizations_for(request.user, Action.CHANGE).order_by("name")
    if not orgs.exists():
        raise PermissionDenied("Your role does not let you add products.")
    asked = parse_uuid(request.POST.get("organization") or request.GET.get("organization"))
    # An organization the person may not add to (or a stale id) is refused, never swapped for another one.
    organization = orgs.filter(pk=asked).first() if asked else orgs.first()
    if organization is None:
        raise PermissionDenied("You cannot add products to that organization.")
    form = ProductForm(request.POST or None)
    return form_view(
        request,
        form,
        lambda f: product_save(by=request.user, fields={"organization": organization, **f.service_fields()}),
        template="components/product_form.html",
        done="Product “{obj}” added to the library.",
        context={
            "title": "New product",
            "cancel_url": reverse("product-list"),
            "organizations": orgs,
            "organization": organization,
        },
    )


def _assessment_create_url(product: Product) -> str | None:
    # The compassess pages define `component-assessment-create`; until they do, the button stays away.
    try:
        return reverse("component-assessment-create", args=[product.pk])
    except NoReverseMatch:
        return None


def _detail(
    request: AuthenticatedHttpRequest, product: Product, form: CertificateForm | None, status: int = 200
) -> HttpResponse:
    can_change = can(request.user, Action.CHANGE, product)
    assets = Asset.objects.restrict(request.user).filter(product=product).select_related("zone__site")
    context = {
        "product": product,
        "certificates": list(product.certificates.order_by("expires", "number")),
        "assets": assets.order_by("zone__site__name", "zone__name", "name"),
        "assessments": ComponentAssessment.objects.restrict(request.user).filter(product=product).order_by("-created"),
        "history": object_history(product, HistorySpec(), limit=50),
        "can_change": can_change,
        "certificate_form": (form or CertificateForm()) if can_change else None,
        "assessment_create_url": _assessment_create_url(product) if can_change else None,
    }
    return render(request, "components/product_detail.html", context, status=status)


@login_required
def product_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _detail(request, get_for(request, Product, pk, select=("organization",)), None)


@login_required
def product_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    product = get_for(request, Product, pk, Action.CHANGE)
    form = ProductForm(request.POST or None, instance=product)
    return form_view(
        request,
        form,
        updating(product_save, product=product, by=request.user),
        template="components/product_form.html",
        done="Product saved.",
        context={"title": f"Edit product “{product}”", "cancel_url": product.get_absolute_url()},
    )


@login_required
def product_remove(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    product = get_for(request, Product, pk, Action.CHANGE)
    blockers = product_delete_blockers(product)
    if request.method == "POST" and not blockers:
        try:
            product_delete(product=product, by=request.user)
        except InUse as exc:  # an asset took it up since the page was shown
            blockers = exc.blockers
        else:
            messages.success(request, f"Product “{product}” deleted.")
            return redirect("product-list")
    return render(request, "components/product_confirm_delete.html", {"product": product, "blockers": blockers},
                  status=409 if blockers and request.method == "POST" else 200)  # fmt: skip


# --- certificates -----------------------------------------------------------------------------------------
@login_required
@require_POST
def certificate_create(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The upload form on the product's page; refused, the page comes back with the errors and the input."""
    product = get_for(request, Product, pk, Action.CHANGE)
    form = CertificateForm(request.POST, request.FILES)
    saved = form_save(
        form,
        lambda f: certificate_save(
            by=request.user, fields={"product": product, **f.service_fields()}, file=f.cleaned_data.get("file")
        ),
    )
    if saved is None:
        return _detail(request, product, form, status=400)
    messages.success(request, f"Certificate {saved.number} recorded.")
    return redirect(f"{product.get_absolute_url()}#certificates")


@login_required
def certificate_download(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponseBase:
    """The certificate document, only to those who may see its product."""
    certificate = get_object_or_404(Certificate.objects.restrict(request.user), pk=pk)
    if not certificate.file:
        messages.error(request, "No document was uploaded for this certificate.")
        return redirect(certificate.product)
    return evidence_file_response(certificate)


@login_required
@require_POST
def certificate_remove(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    certificate = get_for(request, Certificate, pk, Action.CHANGE, select=("product",))
    button_write(
        request,
        lambda: certificate_delete(certificate=certificate, by=request.user, expected_version=posted_version(request)),
        done=f"Certificate {certificate.number} deleted.",
    )
    return redirect(f"{certificate.product.get_absolute_url()}#certificates")
