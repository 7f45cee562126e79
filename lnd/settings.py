"""Settings come only from the environment (see .env.example).

With no environment at all the project runs embedded: SQLite in ./var and a Celery
worker on kombu's filesystem transport, so one laptop runs everything. Set DATABASE_URL
(PostgreSQL) and CELERY_BROKER_URL (Redis) to run on shared services.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; silently absent on most machines

VAR_DIR = Path(env.str("LND_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = env.bool("LND_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """Production must be given a key; elsewhere one is generated once and kept in var/."""
    if "SECRET_KEY" in env.ENVIRON:
        return env.str("SECRET_KEY")
    if PRODUCTION:
        raise environ.ImproperlyConfigured("SECRET_KEY must be set when LND_PRODUCTION=true")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "lnd",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lnd.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lnd.urls"
WSGI_APPLICATION = "lnd.wsgi.application"
AUTH_USER_MODEL = "lnd.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lnd.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, so a worker process can share the test database; one per test
    # process so concurrent runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_lnd_{os.getpid()}.sqlite3")}
# Connections outlive a request (a new one per request costs the connect, and on SQLite
# the PRAGMAs above, on every call); checked before reuse.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lnd")}

# --- Authentication and its defences ----------------------------------------------------
# Argon2 first: new and re-hashed passwords use it; older hashes still verify and upgrade.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Checks lock-outs first (and needs the request; see lnd.api.backends).
    "lnd.api.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock out one account *from one address* after repeated failures, for a cool-off
# period only: nobody can lock a colleague out for good, or from the colleague's desk.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Failures during a lock-out do not extend it: the cool-off always ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Only trust a forwarded address when a proxy we run sets it (set to HTTP_X_FORWARDED_FOR
# behind one); otherwise a client could pick a new "address" on every attempt.
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"])
AXES_VERBOSE = False
# Failed attempts are kept (they drive the lock-out); successful log-ins are not logged
# by axes, so no second, unretained log of who logged in from where builds up.
AXES_DISABLE_ACCESS_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)
# Outside production, serve static files straight from the finders (no collectstatic step).
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# --- Celery -----------------------------------------------------------------------
# The database, not the broker, is the source of truth for work (lnd.models.Job), so
# no result backend is needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = VAR_DIR / "broker" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(VAR_DIR / "broker" / "control"),
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3900)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Product settings ---------------------------------------------------------------
LND_IMPORT_MAX_FILE_BYTES = env.int("LND_IMPORT_MAX_FILE_BYTES", default=512 * 1024 * 1024)
LND_ARTIFACT_DIR = Path(env.str("LND_ARTIFACT_DIR", default=str(VAR_DIR / "artifacts")))
LND_UPLOAD_DIR = Path(env.str("LND_UPLOAD_DIR", default=str(VAR_DIR / "uploads")))

# Token first: an anonymous API request gets 401 with a WWW-Authenticate header.
# Permissions deny by default; every view names the roles it lets in (lnd.api.permissions).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lnd.api.permissions.DenyAll"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "lnd.api.exceptions.handler",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Counted in CACHES["default"]: shared by every process when CACHE_URL is Redis.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("LND_THROTTLE_ANON", default="60/min"),
        "user": env.str("LND_THROTTLE_USER", default="1200/min"),
        "auth": env.str("LND_THROTTLE_AUTH", default="20/min"),
        "xapi": env.str("LND_THROTTLE_XAPI", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Contact-centre L&D API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AssignedByEnum": "lnd.models.development.AssignedBy",
        "EmployeeStatusEnum": "lnd.models.people.Employee.Status",
        "AssignmentStatusEnum": "lnd.models.development.Assignment.Status",
        "ModelVersionStatusEnum": "lnd.models.ml.ModelVersion.Status",
        "ImportFileStatusEnum": "lnd.models.jobs.ImportFileReport.Status",
        "LearningItemKindEnum": "lnd.models.catalogue.LearningItem.Kind",
        "JobKindEnum": "lnd.models.jobs.Job.Kind",
        "ModelVersionKindEnum": "lnd.models.ml.ModelVersion.Kind",
        "PilotStatusEnum": "lnd.models.retention.Pilot.Status",
    },
}

# --- Privacy --------------------------------------------------------------------------
# Days each category of personal data is kept; lnd.services.governance.retention_enforce
# deletes (or blanks) what is older. Override one with LND_RETENTION_<CATEGORY>_DAYS.
_RETENTION_DEFAULTS = {
    "interaction_transcripts": 90,  # transcripts blanked; the scored interaction stays
    "interactions": 730,
    "pulse_comments": 180,  # free text blanked; the scores stay for aggregates
    "pulse_answers": 730,
    "access_logs": 730,
    "qa_evaluations": 1095,
    "coaching_notes": 1095,  # notes, agenda and actions blanked; the session stays
    "job_records": 365,
    "recommendation_runs": 90,  # past lists and their reasons; the impression log stays
}
LND_RETENTION_DAYS = {
    category: env.int(f"LND_RETENTION_{category.upper()}_DAYS", default=days)
    for category, days in _RETENTION_DEFAULTS.items()
}

# --- Content Security Policy (django-csp), in every profile so violations show early --
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy, trust its X-Forwarded-Proto (set LND_BEHIND_PROXY).
    if env.bool("LND_BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
