"""`manage.py check --deploy` in production settings shows no warning but the ones decided in
docs/decisions/0022-openapi-and-deploy-checks.md (silenced in settings, each with its reason)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DECIDED = {"security.W021"}  # HSTS preload: the hosting client's choice


def production_env(data_dir: Path) -> dict[str, str]:
    """What a production server sets (docker-compose.yml): DEBUG off, a long random key, its host name;
    the embedded database, and nothing of local or test mode."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="zonewise.example.com",
        CSRF_TRUSTED_ORIGINS="https://zonewise.example.com",
        ZONEWISE_DATA_DIR=str(data_dir),
    )
    return env


def test_check_deploy_in_production_settings_warns_of_nothing_undecided(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues (1 silenced)" in done.stdout, done.stdout


def test_only_the_decided_checks_are_silenced() -> None:
    assert set(settings.SILENCED_SYSTEM_CHECKS) == DECIDED
