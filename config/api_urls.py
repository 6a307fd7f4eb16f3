"""All /api/v1/ routes, gathered from each app's api/urls.py."""

from django.urls import include, path

API_APPS = (
    "accounts", "compliance", "zones", "assessments", "remediation", "program", "reports", "risk", "security",
    "components", "alignment",
)  # fmt: skip

urlpatterns = [path("", include(f"{app}.api.urls")) for app in API_APPS]
