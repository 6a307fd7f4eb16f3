"""The HTTP side of the ASGI application: Django's handler with a synchronous middleware chain.

Every view of the project is synchronous. Django's own ASGI handler builds an asynchronous chain, so
that each `MiddlewareMixin` middleware and then the view are called through `sync_to_async` one by
one: about a dozen hand-overs between the event loop and a worker thread per request. Each waits for
the event loop, which also relays the live messages to every open WebSocket, so under load requests
queued behind that work (decision 0014). Here the whole chain runs in one worker thread, entered once
per request; everything else (reading the body, disconnects, streaming the answer) is Django's.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)  # ASGIHandler.__init__ would load the chain in async mode
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: inside ASGIHandler's per-request ThreadSensitiveContext this is the
        # request's own thread, the one its database connection belongs to.
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response


def get_asgi_handler() -> SyncChainASGIHandler:
    """Like django.core.asgi.get_asgi_application, with the synchronous chain."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
