"""Keeps the current request within reach of the audit log's signal receivers: a model signal (a role
changed, a device saved) carries no request, yet its event should say who did it and from where."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_request: ContextVar[HttpRequest | None] = ContextVar("security_current_request", default=None)


class RequestContextMiddleware:
    """Sets `current_request` for the duration of each request (a context variable, so concurrent requests
    in threads or in the ASGI event loop each see their own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reset = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(reset)
