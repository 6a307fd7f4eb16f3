"""The catalogue page, and an organization's licensed-text pages."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import Action, organizations_for
from accounts.models import Organization
from alignment.selectors import mappings_by_ref
from compliance import licensed
from compliance.choices import Part
from compliance.filters import RequirementFilter, catalogue_queryset
from compliance.forms import LicensedTextForm
from compliance.licensed import texts_for_user
from compliance.models import Catalogue, LicensedText
from compliance.overrides import overrides_for_user
from core.csvio import LineError
from core.http import AuthenticatedHttpRequest
from core.pages import get_for


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if "part" not in params:
        params["part"] = "3-3"
    filterset = RequirementFilter(params, queryset=catalogue_queryset())
    items = filterset.qs if filterset.is_valid() else catalogue_queryset().none()
    page = Paginator(items, 200).get_page(request.GET.get("page"))
    # Which framework items map to each 62443-3-3 item of the page (one query; decision 0031).
    mapped = mappings_by_ref(item.ref for item in page if item.catalogue.part == Part.SYSTEM)
    rows = [(item, mapped.get(item.ref, [])) for item in page]
    # The licensed text and level overrides of the user's organizations, never another's (decision 0032).
    texts = texts_for_user(request.user)
    texts_by_item = {item.pk: texts[key] for item in page if (key := (item.catalogue.part, item.ref)) in texts}
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/catalogue.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "assessable_count": items.filter(assessable=True).count(),
            "releases": Catalogue.objects.filter(is_current=True).order_by("part"),
            "query": query.urlencode(),
            "show_mappings": params.get("part") == Part.SYSTEM,
            "licensed": texts_by_item,
            "overrides": overrides_for_user(request.user),
            "licence_orgs": organizations_for(request.user, Action.MANAGE),
        },
    )


# --- an organization's licensed text (decision 0032) ----------------------------------------------------------
@login_required
def licensed_text(request: AuthenticatedHttpRequest, org_pk: Any) -> HttpResponse:
    """What the organization holds, and the import (admins only: 403 for other members, 404 for outsiders)."""
    organization = get_for(request, Organization, org_pk, Action.MANAGE)
    form = LicensedTextForm(request.POST or None, request.FILES or None)
    errors: list[LineError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(int(settings.CSV_IMPORT_MAX_BYTES) + 1)
        try:
            count = licensed.licensed_text_import(organization=organization, data=data, by=request.user,
                                                  filename=upload.name or "")  # fmt: skip
        except licensed.CsvImportError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Imported {count} licensed texts; they replace what {organization} held.")
            return redirect("licensed-text", organization.pk)
    texts = LicensedText.objects.filter(organization=organization).select_related("imported_by")
    return render(
        request,
        "compliance/licensed_text.html",
        {"organization": organization, "form": form, "errors": errors, "texts": texts.order_by("part", "ref"),
         "columns": licensed.COLUMNS},
    )  # fmt: skip


@login_required
def licensed_text_delete(request: AuthenticatedHttpRequest, org_pk: Any) -> HttpResponse:
    """Ask, then delete all of the organization's licensed text at once (when its licence ends)."""
    organization = get_for(request, Organization, org_pk, Action.MANAGE)
    if request.method == "POST":
        count = licensed.licensed_text_delete(organization=organization)
        messages.success(request, f"Deleted all {count} licensed texts of {organization}.")
        return redirect("licensed-text", organization.pk)
    count = LicensedText.objects.filter(organization=organization).count()
    return render(request, "compliance/licensed_text_delete.html", {"organization": organization, "count": count})
