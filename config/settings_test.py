"""Settings for the test suite: production settings with test-friendly overrides."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-key")
os.environ.setdefault("ZONEWISE_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "data", "test"))

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS, DATA_DIR, DATABASES, REDIS_URL, STATIC_ROOT

# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...). Each gets its own test database
# (pytest-django appends "_gw0" to the TEST NAME below and to PostgreSQL's "test_<name>") and, here, its
# own media folder and filesystem broker, so uploads, report files and queued tasks never cross workers.
# The Celery worker that tests/reports/test_worker.py starts inherits the variable, hence the same folders.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media" / XDIST_WORKER if XDIST_WORKER else DATA_DIR / "media"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder

if not REDIS_URL and XDIST_WORKER:
    CELERY_BROKER_DIR = DATA_DIR / "celery-broker" / XDIST_WORKER
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's in-memory default: the e2e ASGI server thread opens its own connections,
    # and shared-cache in-memory SQLite fails a read that meets a write with "database table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}

# django-axes needs the request in authenticate(), which the test client's login() does not pass (axes's
# documented way for tests is to switch it off); tests/accounts/test_lockout.py turns it back on.
AXES_ENABLED = False
