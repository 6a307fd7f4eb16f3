"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from assessments.views.home import home
from config import errors, health
from core.api.docs import DocsView, SchemaView

# The error pages with DEBUG off (500: Django's own handler and the static templates/500.html).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    # A login when DEBUG is off, unless API_DOCS_PUBLIC (core.api.docs: 401 for the schema, login page for docs).
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("", home, name="home"),  # composes accounts and assessments: see assessments.views.home
    path("", include("accounts.urls")),
    path("", include("security.urls")),
    path("catalogue/", include("compliance.urls")),
    path("", include("assessments.urls")),
    path("", include("remediation.urls")),
    path("", include("program.urls")),
    path("", include("risk.urls")),
    path("", include("components.urls")),
    path("", include("alignment.urls")),
    path("", include("reports.urls")),  # before zones: its <kind>/<pk>/history/ would catch results/
    path("", include("zones.urls")),
]
