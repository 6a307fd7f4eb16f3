"""Files leave the server a block at a time under ASGI, never read whole into memory (config/handlers.py)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessments import services
from config.downloads import attachment
from config.handlers import stream_in_blocks
from tests.assessments.helpers import make_zone
from tests.config.test_handlers import request
from tests.conftest import Personas


class CountingFile(io.BytesIO):
    reads = 0

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads += 1
        return super().read(size)


def test_the_file_is_read_one_block_at_a_time_as_it_is_sent() -> None:
    data = bytes(range(256)) * 1024  # 256 KiB
    handle = CountingFile(data)
    response = attachment(handle, filename="rules.txt", content_type="text/plain", sha256="x" * 64)
    response.block_size = 64 * 1024
    stream_in_blocks(response)
    reads_before_each_part: list[int] = []

    async def consume() -> bytes:
        body = b""
        async for part in response:
            reads_before_each_part.append(handle.reads)
            body += part
        return body

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it has to list() a sync iterator first
        # Its own thread and loop: a session-scoped Playwright may be running a loop in this one.
        with ThreadPoolExecutor(1) as pool:
            body = pool.submit(asyncio.run, consume()).result()
    assert body == data
    # Django's own FileResponse would have read all 5 blocks (4 and the empty end) before the first part.
    assert reads_before_each_part == [1, 2, 3, 4]
    assert response["Content-Disposition"] == 'attachment; filename="rules.txt"'
    assert response["Content-Length"] == str(len(data))
    assert response["X-Checksum-SHA256"] == "x" * 64
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db(transaction=True)
def test_static_files_through_the_asgi_application_are_streamed_too() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # WhiteNoise answers with a FileResponse over a sync iterator
        response = request("GET", "/static/css/app.css")
    assert response["status"] == 200
    assert response["body"] == css


@pytest.mark.django_db(transaction=True)
def test_evidence_downloads_through_the_asgi_application(personas: Personas, settings: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    call_command("load_catalogue", verbosity=0)
    make_zone(personas.site, "Control")
    assessment = services.assessment_create(site=personas.site, title="Downloads", by=personas.consultant)
    data = b"permit tcp any host 10.0.0.5 eq 502\n" * 8000  # about 300 KB
    evidence = services.evidence_add(
        assessment=assessment, by=personas.consultant, file=SimpleUploadedFile("rules.txt", data, "text/plain")
    )
    browser = Client()
    browser.force_login(personas.owner)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = request("GET", f"/evidence/{evidence.pk}/download/", headers=[(b"cookie", cookie)])
    assert response["status"] == 200
    assert response["body"] == data
    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert headers["x-checksum-sha256"] == hashlib.sha256(data).hexdigest() == evidence.sha256
    assert headers["content-disposition"].startswith("attachment")
