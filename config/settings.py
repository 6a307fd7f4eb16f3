"""Django settings for Zonewise, read from environment variables (see .env.example).

No DATABASE_URL means the embedded SQLite file in the data folder; no REDIS_URL means
the in-memory channel layer and a filesystem Celery broker served by a local worker.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    check_redis_url,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    local_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("ZONEWISE_DATA_DIR") or BASE_DIR / "data")

DEBUG = env_bool("DEBUG", default=False)
# Local mode (`./zw up`, docs/decisions/0016-local-mode.md): DEBUG off, so errors show the product's own pages,
# over plain http on this machine: cookies not marked secure, no redirect to https, no HSTS, static files from
# the source folders, a secret key generated once into the data folder. Never for a server others reach.
LOCAL = env_bool("ZONEWISE_LOCAL", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if LOCAL:
        SECRET_KEY = local_secret_key(DATA_DIR / "secret_key")
    elif not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    else:
        SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "channels",
    "core",
    "accounts",
    "compliance",
    "zones",
    "assessments",
    "remediation",
    "program",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.memberships",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url, env_int("DB_POOL_SIZE", 8, minimum=1))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "zonewise.sqlite3",
            # IMMEDIATE: a transaction takes the write lock when it begins, waiting up to `timeout`.
            # Deferred (the default), a transaction that read first and then writes while another
            # writes fails at once with "database is locked", since SQLite cannot wait there.
            "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The permission door's site scope root (accounts.access.site_model): accounts imports no domain app.
ACCESS_SITE_MODEL = "zones.Site"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or LOCAL)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or LOCAL  # served from the source folders: no collectstatic before `./zw up`
if LOCAL:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # empty, but WhiteNoise warns at every start without it

# --- Upload limits -----------------------------------------------------------
CSV_IMPORT_MAX_BYTES = env_int("CSV_IMPORT_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# How long a WebSocket's presence row counts without a heartbeat (the page beats every 20 s).
PRESENCE_TIMEOUT_SECONDS = 60

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zonewise API",
    "DESCRIPTION": "IEC 62443 catalogue, organizations, zones and conduits, assessments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Redis, Celery, Channels --------------------------------------------------
REDIS_URL = check_redis_url(env_str("REDIS_URL")) if env_str("REDIS_URL") else ""
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_DIR = DATA_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s timeout, the same as channels-redis's blocking pop, which
            # closed every socket that heard nothing for 5 s (channels_redis#422; seen in bench/).
            # capacity: messages waiting for one socket before the layer drops more (default 100). A
            # burst of saves reaches every socket on the assessment; a slow reader must not lose them.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 10}], "capacity": 1000},
        }
    }
else:
    # Embedded default: a broker in plain files, shared by the web process and the local
    # worker that `./zw up` starts (docs/decisions/0003-embedded-defaults.md).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),  # broadcast (pidbox) messages, else ./control
        "store_processed": False,
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CELERY_TIMEZONE = TIME_ZONE  # so "the month just ended" is the local one
CELERY_BEAT_SCHEDULE = {
    "program-snapshot-kpis": {
        "task": "program.tasks.snapshot_kpis",
        "schedule": crontab(minute=30, hour=0, day_of_month="1"),
    },
    "reports-reap-stale-jobs": {"task": "reports.tasks.reap_stale_jobs", "schedule": 300.0},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_WORKER_MAX_TASKS_PER_CHILD = 20
# A report job still queued after this many seconds is failed by the reaper, so that a message lost
# with the broker does not leave it "queued" forever (docs/decisions/0013-report-jobs.md).
REPORT_QUEUE_TIMEOUT = env_int("REPORT_QUEUE_TIMEOUT", 3600, minimum=60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Security ----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
if not (DEBUG or LOCAL):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# A refused request (403, or a suspicious one's 400) is one line with method, path, user and reason, not a
# traceback: on django.request, where Django logs a PermissionDenied, and on the console handler, for the
# django.security.* loggers (one per kind of suspicious operation).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusal": {"()": "config.logfilters.OneLineRefusal"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusal"]}},
    "loggers": {
        "django.request": {"filters": ["one_line_refusal"]},
        # WeasyPrint reports every layout step at INFO: noise in the worker's and seed_demo's output.
        "weasyprint.progress": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "zonewise-demo")
