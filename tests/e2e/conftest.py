"""End-to-end tests in real Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "test" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the end-to-end tests (one xdist group, so one worker runs them back to back).
    Package scope, not session: Playwright's sync API keeps an event loop in this thread while it runs,
    and the tests that xdist sends to this worker afterwards (Channels consumers through async_to_sync)
    must not find one."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run ./zw test as root, or apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@contextmanager
def new_page(browser: Any) -> Iterator[Any]:
    """A page in a browser context of its own (its own cookies: one person), closed afterwards."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with new_page(browser) as page:
        yield page


# The seeded demo of this worker, as a copy of the whole SQLite database in memory: seeding takes seconds and the
# end-to-end tests that read the demo are many, so the first one seeds and the others get the copy back (SQLite's
# backup API, a few milliseconds). Another database (PostgreSQL in CI) seeds for each test.
# The demo's files (evidence) stay where it was seeded; a test that moves MEDIA_ROOT gets a copy of them there.
_demo_copy: list[tuple[sqlite3.Connection, Path]] = []


@pytest.fixture
def demo(transactional_db: None, settings: Any) -> None:
    """The demo data that `./zw up` serves, in the live server's database."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite" and _demo_copy:
        copy, media = _demo_copy[0]
        copy.backup(raw)
        if Path(settings.MEDIA_ROOT) != media and media.exists():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        return
    call_command("load_catalogue", verbosity=0)
    call_command("seed_demo", verbosity=0)
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(copy)
        _demo_copy.append((copy, Path(settings.MEDIA_ROOT)))


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """The real ASGI app (pages and WebSockets) under uvicorn in a background thread; its base URL.

    pytest-django's `live_server` speaks WSGI only, so it cannot serve the live sockets. The
    server thread opens its own database connections, hence `transactional_db`: what a test
    writes is committed, and the server's requests see it. With SQLite the test database should
    be a file (TEST NAME in settings_test): Django's in-memory test database reaches other threads
    only in shared-cache mode, where a read that meets another connection's write fails at once
    with "database table is locked".
    """
    import uvicorn

    from config.asgi import application

    # Bind here and hand the socket over: no window in which another process takes the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(application, lifespan="off", log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def login(page: Any, base_url: str, username: str, password: str = "zonewise-demo") -> None:  # noqa: S107
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
