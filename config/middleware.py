"""Response headers the project sets itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Send the project's Content-Security-Policy (no inline scripts, no third-party origins).

    Django 5.2 has no CSP support of its own; one header does not earn a dependency.
    The API docs page loads its assets from our own static files, so the policy holds there too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.DEBUG or getattr(settings, "CSP_IN_DEBUG", True):
            response.headers.setdefault("Content-Security-Policy", settings.CSP_POLICY)
        return response
