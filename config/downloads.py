"""How a stored file leaves the server: as an attachment, never sniffed or rendered.

Callers have passed the permission door. Under ASGI the file is sent a block at a time
(config.handlers.stream_in_blocks), never read whole into memory.
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse


def attachment(handle: IO[bytes], *, filename: str, content_type: str | None, sha256: str) -> FileResponse:
    """`handle` as a download named `filename`, with its SHA-256 for the recipient to check."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Checksum-SHA256"] = sha256
    return response
