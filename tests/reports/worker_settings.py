"""Settings of the real Celery worker that tests/reports/test_worker.py starts in a subprocess.

The test suite's settings, pointed at the database pytest-django made for this run (the test passes
its name: `test_<name>` on PostgreSQL, the TEST NAME file on SQLite) and at the test's media folder,
with tasks really queued: the worker must use the same broker (REDIS_URL or the data folder's files)
and the same database as the test that sends it work.
"""

from __future__ import annotations

import os
from pathlib import Path

from config.settings_test import *  # noqa: F403
from config.settings_test import DATABASES

DATABASES["default"]["NAME"] = os.environ["ZONEWISE_WORKER_DB_NAME"]
MEDIA_ROOT = Path(os.environ["ZONEWISE_WORKER_MEDIA_ROOT"])
CELERY_TASK_ALWAYS_EAGER = False
