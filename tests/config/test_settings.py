"""Settings come from the environment and fail fast on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    code = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], 'broker': settings.CELERY_BROKER_URL,"
        " 'layer': settings.CHANNEL_LAYERS['default']['BACKEND'], 'debug': settings.DEBUG,"
        " 'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0), 'secure_cookie': settings.SESSION_COOKIE_SECURE}))"
    )
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_required_without_debug() -> None:
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SECRET_KEY": "x", "DATABASE_URL": "mysql://h/db"}, "DATABASE_URL scheme 'mysql' is not supported"),
        ({"SECRET_KEY": "x", "REDIS_URL": "http://nope"}, "is not a redis:// or rediss:// URL"),
        ({"SECRET_KEY": "x", "CSV_IMPORT_MAX_BYTES": "lots"}, "CSV_IMPORT_MAX_BYTES='lots' is not an integer"),
    ],
)
def test_bad_values_stop_start_up_with_the_variable_named(env: dict[str, str], message: str) -> None:
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_defaults() -> None:
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert '"broker": "filesystem://"' in result.stdout
    assert "InMemoryChannelLayer" in result.stdout


def test_services_from_urls_and_production_security() -> None:
    result = load_settings(
        SECRET_KEY="s3cret", DATABASE_URL="postgres://u:p@db:5432/zw", REDIS_URL="redis://cache:6379/0"
    )
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"broker": "redis://cache:6379/0"' in result.stdout
    assert "core.channel_layer.BoundedPubSubChannelLayer" in result.stdout  # decision 0038
    assert '"debug": false' in result.stdout
    assert '"hsts": 31536000' in result.stdout
    assert '"secure_cookie": true' in result.stdout


def test_env_example_lists_every_variable_the_settings_read() -> None:
    import re

    sources = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', sources))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no variables found: the pattern is wrong"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"
