"""All /api/v1/ routes, gathered from each app's api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("compliance.api.urls")),
    path("", include("zones.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("remediation.api.urls")),
    path("", include("program.api.urls")),
    path("", include("reports.api.urls")),
]
