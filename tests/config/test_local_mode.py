"""Local mode (ZONEWISE_LOCAL, what `./zw up` runs): DEBUG off over plain http on this machine. People see the
product's pages (never Django's debug pages), static files are served without collectstatic, cookies work
over http, and production settings stay as secure as before.

Settings are read once per process, so each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# Read in the child process: the settings that local mode changes, and what the app answers to an anonymous
# person (no database needed: the data folder is empty).
PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")  # a host of the default ALLOWED_HOSTS, as `./zw up` serves
login, missing, css = client.get("/login/"), client.get("/no-such-page/"), client.get("/static/css/app.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "secret_key": settings.SECRET_KEY,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "static_backend": settings.STORAGES["staticfiles"]["BACKEND"],
    "login": login.status_code,
    "csrf_cookie": str(login.cookies.get("csrftoken", "")),
    "missing": missing.status_code,
    "missing_body": missing.content.decode(),
    "css": css.status_code,
}))
"""

# The secret key alone: settings only (a tenth of the full probe's time, no app loading and no requests).
KEY_PROBE = """
import json
from django.conf import settings
print(json.dumps({"secret_key": settings.SECRET_KEY}))
"""


def probe(data_dir: Path, code: str = PROBE, **env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "ZONEWISE_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_local_mode_serves_the_product_over_plain_http_without_debug(tmp_path: Path) -> None:
    local = probe(tmp_path, ZONEWISE_LOCAL="true")
    assert local["debug"] is False
    assert local["login"] == 200, "no redirect to https"
    assert local["ssl_redirect"] is False and local["hsts"] == 0
    assert local["session_cookie_secure"] is False and local["csrf_cookie_secure"] is False
    assert "secure" not in local["csrf_cookie"].lower(), "a cookie the browser sends back over http"
    assert local["css"] == 200, "static files served without collectstatic"
    assert local["missing"] == 404
    assert "There is nothing here" in local["missing_body"], "the product's 404 page"
    assert "technical_404" not in local["missing_body"] and "URLconf" not in local["missing_body"]


def test_local_mode_keeps_one_secret_key_per_data_folder(tmp_path: Path) -> None:
    first = probe(tmp_path, KEY_PROBE, ZONEWISE_LOCAL="true")["secret_key"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first and len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "readable by its owner only"
    assert probe(tmp_path, KEY_PROBE, ZONEWISE_LOCAL="true")["secret_key"] == first, "sessions survive a restart"
    assert probe(tmp_path / "other", KEY_PROBE, ZONEWISE_LOCAL="true")["secret_key"] != first
    assert probe(tmp_path, KEY_PROBE, ZONEWISE_LOCAL="true", SECRET_KEY="given")["secret_key"] == "given"


def test_production_defaults_stay_secure(tmp_path: Path) -> None:
    production = probe(tmp_path, SECRET_KEY="s3cret")
    assert production["debug"] is False
    assert production["session_cookie_secure"] is True and production["csrf_cookie_secure"] is True
    assert production["ssl_redirect"] is True and production["hsts"] == 31536000
    assert production["login"] == 301, "http is redirected to https"
    assert production["static_backend"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert not (tmp_path / "secret_key").exists()


def test_zw_up_runs_in_local_mode_not_debug() -> None:
    script = (ROOT / "zw").read_text()
    up = script[script.index("cmd_up() {") : script.index("\n}\n", script.index("cmd_up() {"))]
    assert "export ZONEWISE_LOCAL=${ZONEWISE_LOCAL:-true}" in up
    assert "export DEBUG" not in up
