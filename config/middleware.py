"""Response headers the project sets itself, and the answer to a save the database was too busy to take."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

from core.api.errors import BUSY_DETAIL, BUSY_RETRY_AFTER_SECONDS, database_busy


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


class DatabaseBusyMiddleware:
    """A page whose save could not get the database's lock in time answers 503 with Retry-After, not 500.

    On the embedded SQLite a write waits for the one write lock (settings: timeout), then fails with
    "database is locked"; on PostgreSQL a lock timeout or a lost serialization race. Nothing was saved (the
    transaction rolled back) and sending it again will most likely work, so the person is told that, not
    that Zonewise broke. htmx requests get the sentence as plain text, which the pages show in place.
    The API answers the same through core.api.errors.exception_handler.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(BUSY_DETAIL, content_type="text/plain; charset=utf-8", status=503)
        else:
            # Rendered like the 500 page: no request, no context processors, so no database read.
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response
