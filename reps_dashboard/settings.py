"""Settings, read from the environment (12-factor).

Every difference between a laptop and production comes from environment variables; there is
no separate production module. Local defaults are safe for a first run; with
``DJANGO_DEBUG=false`` the process refuses to start without real secrets.
"""

import base64
import hashlib
import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from reps_dashboard.logs import configure_structlog, logging_config
from reps_dashboard.sentry import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
_DEV_SIGNING_KEY = "dev-only-insecure-jwt-signing-key-change-me"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default="")

if not DEBUG:
    for name, value in (("DJANGO_SECRET_KEY", SECRET_KEY), ("JWT_SIGNING_KEY", JWT_SIGNING_KEY)):
        if len(value) < 32 or value.startswith("dev-only"):
            raise ImproperlyConfigured(
                f"{name} must be set to a random value of at least 32 characters when DJANGO_DEBUG=false."
            )
    if SECRET_KEY == JWT_SIGNING_KEY:
        raise ImproperlyConfigured("JWT_SIGNING_KEY must differ from DJANGO_SECRET_KEY.")
SECRET_KEY = SECRET_KEY or _DEV_SECRET
JWT_SIGNING_KEY = JWT_SIGNING_KEY or _DEV_SIGNING_KEY

# seed_demo publishes a known password: it runs only when debugging, or with --force. (A setting of
# its own because test runners switch DEBUG itself off.)
SEED_DEMO_ALLOWED = DEBUG

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the served host names when DJANGO_DEBUG=false.")

INSTALLED_APPS = [
    "console",  # first: its admin templates override Django's
    "console.apps.ConsoleAdminConfig",  # django.contrib.admin with the operator console's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "reps_dashboard.apps.ProjectConfig",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    # Swagger UI and ReDoc served from our own static files, not a CDN
    "drf_spectacular_sidecar",
    "django_structlog",
    "django_prometheus",
    "tenants",
    "leads",
    "calls",
    "appointments",
    "knowledge",
    "analytics",
    "voice",
]

MIDDLEWARE = [
    # Health probes and /metrics, before the host check and the HTTPS redirect (reps_dashboard/probes.py).
    "reps_dashboard.probes.ProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "reps_dashboard.logs.UpstreamRequestIdMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "reps_dashboard.logs.RequestIdMiddleware",
    "reps_dashboard.middleware.RequestGuardMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reps_dashboard.csp.ContentSecurityPolicyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "reps_dashboard.urls"
WSGI_APPLICATION = "reps_dashboard.wsgi.application"
# Routes answer with and without the trailing slash themselves; never redirect.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if "DATABASE_URL" in os.environ and not os.environ["DATABASE_URL"].strip():
    raise ImproperlyConfigured(
        "DATABASE_URL is set but empty: give a URL such as postgres://user:password@host:5432/name, "
        "or unset it to use the local SQLite file."
    )
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# django-prometheus's wrappers of the same backends: query counts, errors and durations.
_INSTRUMENTED_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _INSTRUMENTED_ENGINES.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL row-level security binds only a role that is neither a superuser nor the tables' owner:
# production serves with such a role in DATABASE_URL and runs `migrate` as the owner with
# DATABASE_APP_ROLE naming the serving role, which is then granted the table privileges it needs.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot build covering indexes (PostgreSQL's INCLUDE); it works without them, so a first run
# on SQLite need not warn about it.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "tenants.User"
# The admin login goes through the API login's throttle and lockout (tenants/auth_backend.py).
AUTHENTICATION_BACKENDS = ["tenants.auth_backend.GuardedModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# whitenoise serves collected static files (admin, API docs) from the app itself: compressed, with
# content-hashed names cached for a year. `collectstatic` is part of every deploy (docs/operations.md);
# when debugging, files are served straight from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Where the admin's "View site" leads (the operators' dashboard app); unset, the link is not shown.
ADMIN_SITE_URL = env.str("ADMIN_SITE_URL", default="")

# Uploads: CSV imports are streamed to a temporary file above this size; the import views
# refuse files over MAX_UPLOAD_BYTES with 413.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|health)(/.*)?$"
# The SPA may read these answer headers: the request id to quote, and how long to wait after a 429.
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]

KNOWLEDGE_IMPORT_ALLOW_PRIVATE_URLS = env.bool("KNOWLEDGE_IMPORT_ALLOW_PRIVATE_URLS", default=False)

# Voice agent (voice/, docs/voice-agent.md). Secrets stored for a gym (its Retell API key) are
# encrypted at rest with Fernet under FIELD_ENCRYPTION_KEY: comma-separated Fernet keys, the first
# encrypts, all decrypt (rotation). Required in production; derived from SECRET_KEY when debugging.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not DEBUG and not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set (a Fernet key) when DJANGO_DEBUG=false.")
if not FIELD_ENCRYPTION_KEY:
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{SECRET_KEY}".encode()).digest()).decode()
RETELL_API_BASE_URL = env.str("RETELL_API_BASE_URL", default="https://api.retellai.com").rstrip("/")
RETELL_TIMEOUT_SECONDS = env.float("RETELL_TIMEOUT_SECONDS", default=10.0)
# Retell's webhooks carry the whole call: a 2-hour call with scrubbed transcripts is about 2.7 MB.
RETELL_WEBHOOK_MAX_BYTES = env.int("RETELL_WEBHOOK_MAX_BYTES", default=10 * 1024 * 1024)
# Paths whose bodies may exceed DATA_UPLOAD_MAX_MEMORY_SIZE (RequestGuardMiddleware); their views
# read the stream themselves.
REQUEST_BODY_LIMITS = {"/api/voice/webhooks/": RETELL_WEBHOOK_MAX_BYTES}

LOGIN_THROTTLE_RATE = env.str("LOGIN_THROTTLE_RATE", default="10/min")
# Throttle and lockout of every password check (tenants/login_guard.py): per account and per client address.
LOGIN_LOCKOUT_USERNAME_FAILURES = env.int("LOGIN_LOCKOUT_USERNAME_FAILURES", default=5)
LOGIN_LOCKOUT_IP_FAILURES = env.int("LOGIN_LOCKOUT_IP_FAILURES", default=20)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.authentication.TenantJWTAuthentication"],
    # A view that declares nothing requires a gym member with a role; opt-outs are named sets
    # (tenants/permissions.py), and the convention tests know each one by route.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "tenants.permissions.IsGymMember",
                                   "tenants.permissions.HasRole"],
    "DEFAULT_RENDERER_CLASSES": ["reps_dashboard.api.renderers.ORJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": [
        "reps_dashboard.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "reps_dashboard.api.pagination.PageLimitPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "reps_dashboard.api.filters.RememberingFilterBackend",
        "reps_dashboard.api.ordering.SortByFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "reps_dashboard.api.schema.AutoSchema",
    # Any DRF throttle counts clients as reps_dashboard/client_address.py does (set below).
    "NUM_PROXIES": 0,
    "EXCEPTION_HANDLER": "reps_dashboard.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["reps_dashboard.throttling.UserRateThrottle", "reps_dashboard.throttling.ApiKeyRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

# Per user and per API key (reps_dashboard/throttling.py); "off" disables one.
API_THROTTLE_RATES = {
    "user": env.str("API_THROTTLE_USER_RATE", default="1200/min"),
    "api_key": env.str("API_THROTTLE_API_KEY_RATE", default="6000/min"),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "CHECK_USER_IS_ACTIVE": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Reps Dashboard API",
    "DESCRIPTION": "Backend of the Reps AI voice agent for gyms: leads, calls, appointments, "
    "knowledge base, campaigns and analytics, multi-tenant by gym.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["tenants.permissions.PublicDocumentation"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api",
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files: no CDN, works offline, and
    # the Content-Security-Policy (reps_dashboard/csp.py) allows scripts from our origin only.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AppointmentTypeEnum": "appointments.models.AppointmentType",
        "AppointmentStatusEnum": "appointments.models.AppointmentStatus",
        "LeadStatusEnum": "leads.models.LeadStatus",
        "LeadActivityTypeEnum": "leads.models.ActivityType",
        "ActorTypeEnum": "leads.models.ActorType",
        "ImportStatusEnum": "knowledge.models.ImportStatus",
        "KnowledgeSourceTypeEnum": "knowledge.models.SourceType",
        "CallStatusEnum": "calls.models.CallStatus",
        "CampaignStatusEnum": "calls.models.CampaignStatus",
        "OutcomeEnum": "calls.models.CallOutcome",
        "WebhookOutcomeEnum": "voice.models.WebhookOutcome",
    },
}

# Production hardening, driven by DEBUG so that no setting exists only in production.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# How many proxies we run in front of the app append to X-Forwarded-For; the client address
# (reps_dashboard/client_address.py) is read that many entries from the end. Without
# DJANGO_BEHIND_PROXY the header is never believed, whatever the count says.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1) if BEHIND_PROXY else 0
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Health probes and /metrics are answered before this redirect (reps_dashboard/probes.py): load
# balancers and Prometheus reach them over plain HTTP.

# Logs (reps_dashboard/logs.py): JSON lines in production, readable lines when debugging;
# LOG_FORMAT=json|console overrides the choice.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
if LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or console, not {LOG_FORMAT!r}.")
configure_structlog()
LOGGING = logging_config(json=LOG_FORMAT == "json", level=LOG_LEVEL)
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # no personal data in logs by default
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = 10  # "request_started" at DEBUG: one INFO line per request
DJANGO_STRUCTLOG_CELERY_ENABLED = importlib.util.find_spec("celery") is not None

# Metrics (reps_dashboard/metrics.py): /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False

init_sentry(
    dsn=env.str("SENTRY_DSN", default=""),
    environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
    release=env.str("SENTRY_RELEASE", default=""),
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
)
