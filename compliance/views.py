"""The catalogue page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from compliance.filters import RequirementFilter, catalogue_queryset
from compliance.models import Catalogue


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if "part" not in params:
        params["part"] = "3-3"
    filterset = RequirementFilter(params, queryset=catalogue_queryset())
    items = filterset.qs if filterset.is_valid() else catalogue_queryset().none()
    page = Paginator(items, 200).get_page(request.GET.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/catalogue.html",
        {
            "filter": filterset,
            "page": page,
            "total": page.paginator.count,
            "assessable_count": items.filter(assessable=True).count(),
            "releases": Catalogue.objects.filter(is_current=True).order_by("part"),
            "query": query.urlencode(),
        },
    )
