"""How a stored file leaves the server: as an attachment, never sniffed or rendered, read a block at a time.

Callers have passed the permission door. Under ASGI, Django's `StreamingHttpResponse` reads a sync
iterator into a list before it sends the first byte. A `FileResponse` would therefore hold a whole
evidence file or evidence bundle in the web process's memory. `DownloadResponse` reads one block per
hand-over to a thread instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import IO, cast

from asgiref.sync import sync_to_async
from django.http import FileResponse


class DownloadResponse(FileResponse):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.is_async:
            async for chunk in super().__aiter__():
                yield chunk
            return
        parts = cast(Iterator[bytes], self.streaming_content)  # a sync iterator: is_async is False

        def read() -> bytes | None:
            return next(parts, None)

        read_in_thread = sync_to_async(read, thread_sensitive=False)
        while (part := await read_in_thread()) is not None:
            yield part


def attachment(handle: IO[bytes], *, filename: str, content_type: str | None, sha256: str) -> DownloadResponse:
    """`handle` as a download named `filename`, with its SHA-256 for the recipient to check."""
    response = DownloadResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Checksum-SHA256"] = sha256
    return response
