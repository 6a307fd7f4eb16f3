"""The views of the API schema (/api/schema/) and its docs (/api/docs/): served to signed-in people unless
settings.API_DOCS_PUBLIC says otherwise (DEBUG on, or the env variable). Apart from core.api.schema, which
REST framework imports while drf-spectacular's views are being defined."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request


def docs_public() -> bool:
    """Whether the schema and its docs are served without a login (settings.API_DOCS_PUBLIC, read per request)."""
    return bool(getattr(settings, "API_DOCS_PUBLIC", False))


class SchemaView(SpectacularAPIView):
    """/api/schema/: for a script, so an anonymous caller gets 401 (send a token), not a login page."""

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if docs_public() else [IsAuthenticated()]


class DocsView(SpectacularSwaggerSplitView):
    """/api/docs/: for a person, so an anonymous visitor goes to the login page and comes back."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        if not docs_public() and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response
