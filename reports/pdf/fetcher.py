"""The only way WeasyPrint reads anything while rendering a report: the project's own static files
(static/ in the source tree, or STATIC_ROOT after collectstatic) and media files, under a base URL
that cannot resolve (`.invalid` is reserved), plus self-contained `data:` URLs.

Everything else is refused before any I/O: other hosts, other schemes (`file:`, `http:`, `ftp:`),
paths that climb out of the roots (`..`, encoded or not, or a symlink pointing outside). A report
is built from data people typed; Django escapes it, and this fetcher is the second wall should
some markup ever get through.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

HOST = "zonewise.invalid"
BASE_URL = f"https://{HOST}/"


class RefusedURL(ValueError):
    """A URL the report renderer may not fetch. WeasyPrint logs it and leaves the resource out."""


def _prefix(url_setting: str, default: str) -> str:
    path = urlsplit(url_setting or "").path.strip("/") or default
    return f"/{path}/"


def static_prefix() -> str:
    return _prefix(settings.STATIC_URL or "", "static")


def media_prefix() -> str:
    return _prefix(settings.MEDIA_URL or "", "media")


def static_url(path: str) -> str:
    """The URL a report template uses for one of our static files, e.g. static_url("css/pdf/report.css")."""
    return f"https://{HOST}{static_prefix()}{path.lstrip('/')}"


def _static_roots() -> list[Path]:
    roots = [Path(p) for p in settings.STATICFILES_DIRS if isinstance(p, str | os.PathLike)]
    return [*roots, Path(settings.STATIC_ROOT)]


def _within(root: Path, relative: str) -> Path | None:
    """The existing regular file `relative` names under `root`, or None; never anything outside root."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts) or relative.startswith("/"):
        return None
    base = root.resolve()
    candidate = (base / relative).resolve()  # follows symlinks: a link pointing outside is caught below
    if candidate != base and base not in candidate.parents:
        return None
    return candidate if candidate.is_file() else None


def resolve(url: str) -> Path:
    """The file behind a report URL, or RefusedURL."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or (parts.hostname or "").lower() != HOST or parts.port or parts.username:
        raise RefusedURL(f"Reports may only use the project's own static and media files, not {url[:200]!r}")
    path = unquote(parts.path)
    static, media = static_prefix(), media_prefix()
    if path.startswith(static):
        relative = path[len(static) :]
        for root in _static_roots():
            found = _within(root, relative)
            if found is not None:
                return found
    elif path.startswith(media):
        found = _within(Path(settings.MEDIA_ROOT), path[len(media) :])
        if found is not None:
            return found
    raise RefusedURL(f"No such static or media file for a report: {url[:200]!r}")


class ProjectFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to `resolve()` and `data:` URLs."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)  # decoded in memory by urllib's data: handler
        try:
            path = resolve(url)
        except RefusedURL:
            logger.warning("Report renderer refused to fetch %s", url[:200])
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
