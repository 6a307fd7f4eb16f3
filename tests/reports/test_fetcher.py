"""WeasyPrint's URL fetcher reaches the project's own static and media files and nothing else."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from reports.pdf.fetcher import BASE_URL, ProjectFilesFetcher, RefusedURL, resolve, static_url
from reports.pdf.render import html_to_pdf


@pytest.fixture
def roots(settings: Any, tmp_path: Path) -> dict[str, Path]:
    static_root, media_root = tmp_path / "staticfiles", tmp_path / "media"
    (static_root / "css").mkdir(parents=True)
    (static_root / "css" / "collected.css").write_text("p { color: red }")
    (media_root / "evidence").mkdir(parents=True)
    (media_root / "evidence" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.txt").write_text("not for reports")
    settings.STATIC_ROOT = static_root
    settings.MEDIA_ROOT = media_root
    return {"static": static_root, "media": media_root, "outside": tmp_path / "secret.txt"}


def test_our_static_files_are_served_from_the_source_tree_and_static_root(roots: dict[str, Path]) -> None:
    source = Path(settings.BASE_DIR) / "static" / "css" / "pdf" / "report.css"
    assert resolve(static_url("css/pdf/report.css")) == source.resolve()
    assert resolve(static_url("css/collected.css")) == (roots["static"] / "css" / "collected.css").resolve()
    response = ProjectFilesFetcher().fetch(static_url("css/pdf/report.css"))
    assert response.read() == source.read_bytes()
    assert response.content_type == "text/css"


def test_media_files_are_served(roots: dict[str, Path]) -> None:
    url = f"{BASE_URL}media/evidence/photo.png"
    assert resolve(url) == (roots["media"] / "evidence" / "photo.png").resolve()
    assert ProjectFilesFetcher().fetch(url).content_type == "image/png"


def test_data_urls_are_decoded_in_memory() -> None:
    assert ProjectFilesFetcher().fetch("data:text/plain,ok").read() == b"ok"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/css/app.css",
        "https://example.com/static/css/app.css",
        "https://zonewise.invalid:8443/static/css/app.css",
        "https://user@zonewise.invalid/static/css/app.css",
        "ftp://zonewise.invalid/static/css/app.css",
        f"{BASE_URL}static/../config/settings.py",
        f"{BASE_URL}static/%2e%2e/%2e%2e/config/settings.py",
        f"{BASE_URL}static/css/..%2f..%2fconfig/settings.py",
        f"{BASE_URL}static//etc/passwd",
        f"{BASE_URL}static/css/missing.css",
        f"{BASE_URL}media/../secret.txt",
        f"{BASE_URL}config/settings.py",
        f"{BASE_URL}static/",
    ],
)
def test_everything_else_is_refused(roots: dict[str, Path], url: str) -> None:
    with pytest.raises(RefusedURL):
        resolve(url)
    with pytest.raises(RefusedURL):
        ProjectFilesFetcher().fetch(url)


def test_a_symlink_out_of_a_root_is_refused(roots: dict[str, Path]) -> None:
    (roots["media"] / "evidence" / "escape.txt").symlink_to(roots["outside"])
    with pytest.raises(RefusedURL):
        resolve(f"{BASE_URL}media/evidence/escape.txt")


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_rendering_never_reaches_the_network_or_the_file_system(
    http_server: tuple[str, list[str]], caplog: Any
) -> None:
    base, hits = http_server
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{base}/evil.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="{static_url("css/pdf/report.css")}">
      </head><body><p>Report</p><img src="{base}/tracker.png"><img src="/etc/hostname">
      <object data="{base}/object.svg"></object></body></html>"""
    with caplog.at_level("WARNING"):
        pdf = html_to_pdf(html)
    assert pdf.data.startswith(b"%PDF-")
    assert hits == [], "the renderer fetched from a web server"
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "reports.pdf.fetcher")
    assert f"{base}/evil.css" in refused
    assert "file:///etc/passwd" in refused
    assert f"{base}/tracker.png" in refused
    assert static_url("css/pdf/report.css") not in refused
