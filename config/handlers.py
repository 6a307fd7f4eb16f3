"""The HTTP side of the ASGI application: Django's handler with a synchronous middleware chain.

Every view of the project is synchronous. Django's own ASGI handler builds an asynchronous chain, so
that each `MiddlewareMixin` middleware and then the view are called through `sync_to_async` one by
one: about a dozen hand-overs between the event loop and a worker thread per request. Each waits for
the event loop, which also relays the live messages to every open WebSocket, so under load requests
queued behind that work (decision 0014). Here the whole chain runs in one worker thread, entered once
per request; everything else (reading the body, disconnects, sending the answer) is Django's.

Streaming answers (downloads, WhiteNoise's static files) are made asynchronous on the way out: given
a synchronous iterator, Django's ASGI handler reads it into a list before the first byte leaves, so
a 50 MB evidence file or a large evidence bundle would sit whole in the web process's memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)  # ASGIHandler.__init__ would load the chain in async mode
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: inside ASGIHandler's per-request ThreadSensitiveContext this is the
        # request's own thread, the one its database connection belongs to.
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        stream_in_blocks(response)
        return response


def stream_in_blocks(response: HttpResponseBase) -> None:
    """Give a streaming response with a synchronous iterator an asynchronous one that takes one part
    (for a file, one block: FileResponse reads lazily) per hand-over to a thread."""
    if isinstance(response, StreamingHttpResponse) and not response.is_async:
        response.streaming_content = _one_part_at_a_time(response.streaming_content)  # type: ignore[arg-type]


async def _one_part_at_a_time(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    def step() -> bytes | None:
        return next(parts, None)

    take = sync_to_async(step, thread_sensitive=False)
    while (part := await take()) is not None:
        yield part


def get_asgi_handler() -> SyncChainASGIHandler:
    """Like django.core.asgi.get_asgi_application, with the synchronous chain."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
