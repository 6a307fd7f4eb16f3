"""Django settings for Zonewise, read from environment variables (see .env.example).

No DATABASE_URL means the embedded SQLite file in the data folder; no REDIS_URL means
the in-memory channel layer and a filesystem Celery broker served by a local worker.
"""

from __future__ import annotations

from datetime import timedelta
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "compliance",
    "zones",
    "assessments",
    "remediation",
    "program",
    "reports",
    "risk",
    "security",
    "components",
    "alignment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.DatabaseBusyMiddleware",  # a save that cannot get the lock: 503 + Retry-After
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.RequestContextMiddleware",  # the request, for the audit log's model signals
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, then the second factor: a session that owes one reaches no page.
    "accounts.auth.middleware.SessionTimeoutMiddleware",
    "accounts.auth.middleware.MfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page (or 429 on the API).
    "axes.middleware.AxesMiddleware",
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
    # First, as django-axes asks: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

# --- Authentication ----------------------------------------------------------
# Lockout (django-axes, docs/decisions/0019-authentication.md): LOGIN_FAILURE_LIMIT failed attempts on one
# account, or from one client address, lock that account or address for LOGIN_COOLOFF_MINUTES; each attempt
# during a lockout restarts the cool-off. A success clears the count. Wrong second-step codes count too.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no "AXES: BEGIN ..." banner on every manage.py command
AXES_LOCKOUT_CALLABLE = "accounts.auth.lockout.lockout_response"
# The client address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT reverse proxies in front of the web process,
# the address that many hops from the right of X-Forwarded-For (what the last trusted proxy saw).
AXES_CLIENT_IP_CALLABLE = "accounts.auth.lockout.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Two-factor authentication (django-otp): TOTP apps and recovery codes; the issuer names us in the app.
OTP_TOTP_ISSUER = "Zonewise"
# How long the second login step waits for a code after a correct password.
MFA_PENDING_SECONDS = 300
# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request; the expiry is pushed forward at most
# once a minute (accounts.auth.middleware.SessionTimeoutMiddleware), not written on every request.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=120)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_TOUCH_INTERVAL = 60
# And after SESSION_MAX_AGE seconds since login, whatever the activity (0: no absolute limit).
SESSION_MAX_AGE = env_int("SESSION_MAX_AGE", 12 * 60 * 60)
# Mail (password reset): Django's console backend unless configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Zonewise <zonewise@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

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
# The numbered log of live changes (decision 0037): how long a browser can catch up by asking for what
# changed, and above how many changed results a reload is the cheaper answer.
LIVE_CHANGES_RETENTION_HOURS = env_int("LIVE_CHANGES_RETENTION_HOURS", 24, minimum=1)
LIVE_CHANGES_MAX_RESULTS = env_int("LIVE_CHANGES_MAX_RESULTS", 2000, minimum=1)

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "security.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ZonewiseSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "PAGE_SIZE": 50,
}
# The API schema (/api/schema/) and its docs (/api/docs/) need a login when DEBUG is off, unless this says
# they are public: they map every endpoint of a tool that holds plants' security data.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=False) or DEBUG
SPECTACULAR_SETTINGS = {
    "TITLE": "Zonewise API",
    "DESCRIPTION": "IEC 62443 catalogue, organizations, zones and conduits, assessments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["core.api.schema.drop_duplicate_file_routes"],
    # Fields named alike ("status", "kind", "source") on different choice sets: one clear name for each.
    "ENUM_NAME_OVERRIDES": {
        "FindingStatusEnum": "remediation.choices.FindingStatus.values",
        "FindingSourceEnum": "remediation.choices.FindingSource.values",
        "ActionStatusEnum": "remediation.choices.ActionStatus.values",
        "ReportKindEnum": "reports.choices.ReportKind",
        "ResultStatusEnum": "assessments.choices.ResultStatus",
        # The status a request sets (a result edit, a bulk edit): the same values, without their labels.
        "ResultStatusInputEnum": "assessments.choices.ResultStatus.values",
        "AssessmentStatusEnum": "assessments.choices.AssessmentStatus",
        "TokenStateEnum": "security.choices.TokenState",
        # Assets, products and procurement annexes name the same four 4-2 component types.
        "ComponentTypeEnum": "compliance.choices.ComponentType.values",
    },
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
            # One Redis publish per group message, fanned out inside each web process, with a bounded
            # queue per socket that drops its oldest message when full; the browser catches up by seq
            # (docs/decisions/0038-fan-out-per-process.md).
            "BACKEND": "core.channel_layer.BoundedPubSubChannelLayer",
            # redis-py 8 reads with a 5 s timeout by default; the core layer's 5 s blocking pop closed every
            # socket that heard nothing for 5 s (channels_redis#422; seen in bench/). Kept at 10 s.
            # capacity: messages waiting for one socket before the oldest is dropped. A burst of saves
            # reaches every socket on the assessment; a slow reader should not lose them.
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
# A running report job beats every REPORT_HEARTBEAT_SECONDS; the reaper (run by beat every
# REPORT_REAPER_INTERVAL seconds) re-queues once, then fails, a job silent for REPORT_HEARTBEAT_TIMEOUT
# seconds: its worker died (docs/decisions/0013-report-jobs.md).
REPORT_HEARTBEAT_SECONDS = env_int("REPORT_HEARTBEAT_SECONDS", 20, minimum=1)
REPORT_HEARTBEAT_TIMEOUT = env_int("REPORT_HEARTBEAT_TIMEOUT", 120, minimum=2)
REPORT_REAPER_INTERVAL = env_int("REPORT_REAPER_INTERVAL", 30, minimum=1)
CELERY_TIMEZONE = TIME_ZONE  # so "the month just ended" is the local one
CELERY_BEAT_SCHEDULE = {
    "program-snapshot-kpis": {
        "task": "program.tasks.snapshot_kpis",
        "schedule": crontab(minute=30, hour=0, day_of_month="1"),
    },
    "reports-reap-stale-jobs": {"task": "reports.tasks.reap_stale_jobs", "schedule": float(REPORT_REAPER_INTERVAL)},
    "assessments-prune-live-changes": {"task": "assessments.tasks.prune_live_changes", "schedule": crontab(minute=17)},
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
    # Preloading commits the whole domain, subdomains included, to https in browsers for months: the
    # client who hosts Zonewise decides (docs/decisions/0022-openapi-and-deploy-checks.md).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# `check --deploy` warnings decided against, each with its reason (docs/decisions/0022; tests/config/
# test_check_deploy.py fails on any other): W021, HSTS preload is the hosting client's choice (above).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

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
