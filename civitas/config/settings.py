"""Civitas settings: one module, every value from the environment (see .env.example).

The defaults give the embedded set-up on one machine: SQLite under ./var/, files under ./var/, the
database-backed task queue. Environment variables switch each part to its scale-out engine.
"""

from __future__ import annotations

import sys
from pathlib import Path

from civitas.config.env import (
    ConfigurationError,
    database_from_url,
    email_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CIVITAS_VAR_DIR", str(BASE_DIR / "var"))).resolve()

CIVITAS_ENV = env_choice("CIVITAS_ENV", "development", ("development", "production", "test"))
DEBUG = env_bool("DEBUG", CIVITAS_ENV == "development")

_INSECURE_KEY = "insecure-development-key-never-use-in-production"


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    key_file = env_str("SECRET_KEY_FILE", "")
    if not key and key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as exc:
            raise ConfigurationError(
                f"SECRET_KEY_FILE={key_file!r} cannot be read ({exc.strerror})"
            ) from None
    if CIVITAS_ENV == "production":
        if not key or key == _INSECURE_KEY or len(key) < 50 or len(set(key)) < 5:
            raise ConfigurationError(
                "SECRET_KEY is missing or weak: production needs SECRET_KEY (or SECRET_KEY_FILE) "
                "set to a random string of at least 50 characters"
            )
        if DEBUG:
            raise ConfigurationError("DEBUG is on: production requires DEBUG=false")
    return key or _INSECURE_KEY


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    # ours, from the bottom layer up (see ARCHITECTURE.md and the import-linter contract)
    "civitas.security",
    "civitas.audit",
    "civitas.notify",
    "civitas.accounts",
    "civitas.registry",
    "civitas.programs",
    "civitas.applications",
    "civitas.casework",
    "civitas.payments",
    "civitas.opendata",
    "civitas.participation",
    "civitas.demo",
    "civitas.web",
    "civitas.ops",
    "civitas.studio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civitas.accounts.middleware.SecondFactorGate",  # MFA before anything else (ADR 0040)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "civitas.config.urls"
WSGI_APPLICATION = "civitas.config.wsgi.application"
ASGI_APPLICATION = "civitas.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civitas.web.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", "")
if not _database_url:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database lives here
DATABASES = {
    "default": (
        database_from_url(_database_url, var_dir=VAR_DIR)
        if _database_url
        else sqlite_database(VAR_DIR / "civitas.sqlite3")
    )
}
# Connections stay open between requests (seconds; 0 closes after each request). Per request, the
# connect cost the pragmas, and on SQLite closing the last connection checkpoints the WAL with
# fsyncs: most of a submission's wall time before. Health checks drop a connection that died
# (a restarted PostgreSQL) instead of failing the next request.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] in {"civitas.db.sqlite", "django.db.backends.sqlite3"}:
    # NORMAL (default) in WAL mode: a commit survives a killed process but not a power cut or an
    # OS crash, which can lose the last commits (never corrupt the file). FULL syncs every commit
    # to disk and makes each write wait for the disk (single writer: a few ms per submission).
    _synchronous = env_choice("SQLITE_SYNCHRONOUS", "NORMAL", ("NORMAL", "FULL"))
    DATABASES["default"]["OPTIONS"]["init_command"] += (
        f"PRAGMA synchronous={_synchronous};"
        "PRAGMA cache_size=-32768;"  # 32 MiB of page cache per connection
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA journal_size_limit=67108864;"  # truncate the WAL back to 64 MiB after checkpoints
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- identity ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # idle time-out: each request extends the session

# --- files: private (personal data) and public (published data) targets ---------------------------
MEDIA_ROOT = Path(env_str("CIVITAS_PRIVATE_DIR", str(VAR_DIR / "private")))
PUBLIC_ROOT = Path(env_str("CIVITAS_PUBLIC_DIR", str(VAR_DIR / "public")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "public": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PUBLIC_ROOT), "base_url": "/public/"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if CIVITAS_ENV == "production"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("CIVITAS_STATIC_DIR", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = CIVITAS_ENV != "production"

# --- background work ----------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            (
                "django_tasks_db.DatabaseBackend",
                "django_tasks.backends.immediate.ImmediateBackend",
                "civitas.ops.tasks_backend.CeleryBackend",  # scale-out: see CELERY_BROKER_URL
            ),
        ),
        "QUEUES": ["default"],
    }
}

# --- email --------------------------------------------------------------------------------------------
globals().update(email_from_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Civitas <no-reply@civitas.example>")

# --- language and formats -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "civitas" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- the country this instance serves ------------------------------------------------------------
CIVITAS_SITE_NAME = env_str("CIVITAS_SITE_NAME", "Civitas")
CIVITAS_CURRENCY = env_str("CIVITAS_CURRENCY", "CVT")

# --- security -----------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if CIVITAS_ENV == "production":
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if CIVITAS_ENV == "test":
    # Fast hashing and in-process tasks in the test suite; tests that exercise the real queue
    # worker switch back to the database backend themselves.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS["default"]["BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

# --- e-participation ------------------------------------------------------------------------------
# Anti-spam: comments, proposals and statements one account may post per hour.
PARTICIPATION_POSTS_PER_HOUR = env_int("PARTICIPATION_POSTS_PER_HOUR", 10, minimum=1)
# Supports a new proposal needs before the government owes it an official answer.
PARTICIPATION_SUPPORT_THRESHOLD = env_int("PARTICIPATION_SUPPORT_THRESHOLD", 100, minimum=1)
# Days the government has to answer a proposal that reached its threshold.
PARTICIPATION_ANSWER_DAYS = env_int("PARTICIPATION_ANSWER_DAYS", 30, minimum=1)
# Default minimum age to vote in a new participatory budget (each budget can change it).
PARTICIPATION_MINIMUM_AGE = env_int("PARTICIPATION_MINIMUM_AGE", 16, minimum=0)
# Key for the ballot slots that let a voter replace their ballot (ADR 0021). Empty: derived from
# SECRET_KEY. Keep it out of database backups; whoever holds it and the database while voting is
# open can link a ballot to its voter.
PARTICIPATION_BALLOT_KEY = env_str("PARTICIPATION_BALLOT_KEY", "")

# --- open data ------------------------------------------------------------------------------------
# Public address of the catalogue for DCAT feeds and publication jobs (no request to take it from),
# e.g. https://data.example.gov. Empty: taken from each request.
OPENDATA_SITE_URL = env_str("OPENDATA_SITE_URL", "").rstrip("/")
# Datastore tables as Parquet files queried by DuckDB: a local (or mounted) folder.
OPENDATA_DATASTORE_DIR = Path(env_str("OPENDATA_DATASTORE_DIR", str(VAR_DIR / "datastore")))
# Time limit of one datastore query (datastore_search, datastore_search_sql), in milliseconds.
OPENDATA_QUERY_TIMEOUT_MS = env_int("OPENDATA_QUERY_TIMEOUT_MS", 5000, minimum=100)
# Disclosure control of statistics published from operations: cell suppression (primary and
# secondary) or primary suppression plus rounding of every other figure to a base.
OPENDATA_DISCLOSURE_METHOD = env_choice(
    "OPENDATA_DISCLOSURE_METHOD", "suppression", ("suppression", "rounding")
)
OPENDATA_DISCLOSURE_THRESHOLD = env_int("OPENDATA_DISCLOSURE_THRESHOLD", 10, minimum=2)
OPENDATA_ROUNDING_BASE = env_int("OPENDATA_ROUNDING_BASE", 5, minimum=2)
# The organisation (publisher name) that publishes the statistics from operations.
OPENDATA_STATISTICS_PUBLISHER = env_str(
    "OPENDATA_STATISTICS_PUBLISHER", "ministry-of-social-protection"
)
# DCAT-US 1.1 (/data.json) requires bureauCode "NNN:NN" and programCode "NNN:NNN".
OPENDATA_DCAT_US_BUREAU_CODE = env_str("OPENDATA_DCAT_US_BUREAU_CODE", "000:00")
OPENDATA_DCAT_US_PROGRAM_CODE = env_str("OPENDATA_DCAT_US_PROGRAM_CODE", "000:000")

# --- reliability, security and scale-out (civitas.security, civitas.ops; issue 8) ----------------
# Every value below comes from the environment too; .env.example documents each variable.
from civitas.ops.envconfig import cache_from_url, storage_from_url  # noqa: E402
from civitas.security.envconfig import rate_limits  # noqa: E402

# Outermost first: request id and metrics see every request; our headers go on every response;
# hostile bodies are refused before CSRF or a view reads them; rate limits know the account.
MIDDLEWARE.insert(0, "civitas.security.requestid.RequestIdMiddleware")
MIDDLEWARE.insert(1, "civitas.ops.metrics.MetricsMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "civitas.security.headers.SecurityHeadersMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("civitas.security.headers.SecurityHeadersMiddleware") + 1,
    "civitas.security.limits.RequestLimitsMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "civitas.security.sessions.SessionLifetimeMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("civitas.security.sessions.SessionLifetimeMiddleware") + 1,
    "civitas.security.ratelimit.RateLimitMiddleware",
)

# Headers: a CSP without 'unsafe-inline' (pages have no inline script or style attribute),
# no framing, no referrer to other sites, no powerful browser features.
from civitas.security.headers import DEFAULT_CSP, DEFAULT_PERMISSIONS_POLICY  # noqa: E402

CIVITAS_CSP = {k: list(v) for k, v in DEFAULT_CSP.items()}
CIVITAS_CSP["img-src"] += env_list("CSP_EXTRA_IMG_SRC", [])  # e.g. map tiles for opinion maps
CIVITAS_CSP_REPORT_URI = env_str("CSP_REPORT_URI", "")
CIVITAS_PERMISSIONS_POLICY = DEFAULT_PERMISSIONS_POLICY
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if CIVITAS_ENV == "production":
    # __Host- cookies: HTTPS only, this host only, whole site; no sub-domain can set or read them
    SESSION_COOKIE_NAME = "__Host-civitas_session"
    CSRF_COOKIE_NAME = "__Host-civitas_csrf"

# Sessions end after SESSION_ABSOLUTE_SECONDS whatever the activity (idle: SESSION_COOKIE_AGE).
CIVITAS_SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=300)

# Password sign-in goes through the throttle: 5 failures in 15 minutes lock the name for 15 minutes
# (doubling each time, at most a day) and tell the account owner.
AUTHENTICATION_BACKENDS = ["civitas.security.signin.ThrottledModelBackend"]
CIVITAS_SIGNIN = {
    "max_failures": env_int("SIGNIN_MAX_FAILURES", 5, minimum=1),
    "lockout": env_int("SIGNIN_LOCKOUT_SECONDS", 15 * 60, minimum=1),
    "address_max_failures": env_int("SIGNIN_ADDRESS_MAX_FAILURES", 50, minimum=1),
}

# Request limits: bodies over these sizes get 413, JSON nested deeper gets 400.
CIVITAS_MAX_BODY_BYTES = env_int("MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
CIVITAS_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 25 * 1024 * 1024, minimum=1024)
CIVITAS_MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32, minimum=2)
# Paths that take larger bodies: the CKAN action API (datastore writes, up to its own 64 MB).
CIVITAS_BODY_LIMITS = {"/api/3/action/": 64 * 1024 * 1024, "/api/action/": 64 * 1024 * 1024}

# Rate limits per client ("name=requests/seconds,..." overrides a default rule; "off" disables).
# Off by default in the test suite (tests that need them turn them on with override_settings).
CIVITAS_RATE_LIMITS = rate_limits(env_str("RATE_LIMITS", "off" if CIVITAS_ENV == "test" else ""))
# Reverse proxies in front of the web server whose X-Forwarded-For can be trusted.
CIVITAS_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Shared cache (rate-limit counters): per process by default, Redis when there are several.
CACHES = {"default": cache_from_url(env_str("CACHE_URL", "locmem://"))}

# Field encryption keys: "<key id>:<base64 of 32 bytes>", the first encrypts; or a file per list
# kept up to date by a key service. Production refuses to run `check --deploy` without them.
CIVITAS_FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
CIVITAS_FIELD_ENCRYPTION_KEYS_FILE = env_str("FIELD_ENCRYPTION_KEYS_FILE", "")
CIVITAS_FIELD_HASH_KEYS = env_list("FIELD_HASH_KEYS", [])
CIVITAS_FIELD_HASH_KEYS_FILE = env_str("FIELD_HASH_KEYS_FILE", "")

# Storage targets: a local folder, or S3-compatible object storage (django-storages).
_private_storage = env_str("PRIVATE_STORAGE_URL", "")
_public_storage = env_str("PUBLIC_STORAGE_URL", "")
if _private_storage:
    STORAGES["default"] = storage_from_url(
        _private_storage, variable="PRIVATE_STORAGE_URL", public=False
    )
if _public_storage:
    STORAGES["public"] = storage_from_url(
        _public_storage, variable="PUBLIC_STORAGE_URL", public=True, base_url="/public/"
    )

# Celery (TASKS_BACKEND=civitas.ops.tasks_backend.CeleryBackend): workers on Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_RESULT_EXPIRES = env_int("CELERY_RESULT_EXPIRES", 7 * 24 * 3600, minimum=60)
CELERY_RESULT_EXTENDED = True
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"

# Retention periods in days, per record type (see civitas/ops/retention.py), e.g. "finished_tasks=90".
from civitas.ops.envconfig import retention_days  # noqa: E402

CIVITAS_RETENTION_DAYS = retention_days(env_str("RETENTION_DAYS", ""))

# /metrics: with METRICS_TOKEN, only "Authorization: Bearer <token>"; production without: none.
CIVITAS_METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# Logs: one JSON object per line with the request id (production default), or plain text.
LOG_FORMAT = env_choice(
    "LOG_FORMAT", "json" if CIVITAS_ENV == "production" else "text", ("json", "text")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "civitas.security.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "civitas.security.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # one line per request: on in production (JSON, for the log collector), quiet otherwise
        "civitas.access": {
            "level": env_str("ACCESS_LOG_LEVEL", "INFO" if LOG_FORMAT == "json" else "WARNING")
        },
    },
}

# --- accounts: national eID through OpenID Connect (ADR 0040) ------------------------------------
# Sign-in with the national eID is off unless OIDC_ISSUER is set.
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_PRIVATE_KEY_FILE = env_str("OIDC_PRIVATE_KEY_FILE", "")
OIDC_PRIVATE_KEY_ID = env_str("OIDC_PRIVATE_KEY_ID", "")
OIDC_TOKEN_AUTH_METHOD = env_choice(
    "OIDC_TOKEN_AUTH_METHOD",
    "private_key_jwt" if OIDC_PRIVATE_KEY_FILE else "client_secret_basic",
    ("client_secret_basic", "private_key_jwt"),
)
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid profile")
OIDC_NATIONAL_ID_CLAIM = env_str("OIDC_NATIONAL_ID_CLAIM", "")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "")
OIDC_ACR_VALUES = env_str("OIDC_ACR_VALUES", "")
OIDC_CLAIMS = env_str("OIDC_CLAIMS", "")
OIDC_REDIRECT_URI = env_str("OIDC_REDIRECT_URI", "")
# Finds the registry person for a national ID claim; lives in the web layer, above the registry.
OIDC_PERSON_MATCHER = "civitas.web.identity.match_person"
if OIDC_ISSUER:
    if not OIDC_CLIENT_ID:
        raise ConfigurationError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not")
    if OIDC_TOKEN_AUTH_METHOD == "client_secret_basic" and not OIDC_CLIENT_SECRET:  # noqa: S105
        raise ConfigurationError(
            "OIDC_CLIENT_SECRET is not set: client_secret_basic needs it "
            "(or set OIDC_PRIVATE_KEY_FILE for private_key_jwt)"
        )
    if OIDC_TOKEN_AUTH_METHOD == "private_key_jwt" and not OIDC_PRIVATE_KEY_FILE:  # noqa: S105
        raise ConfigurationError("OIDC_PRIVATE_KEY_FILE is not set: private_key_jwt needs it")
    if OIDC_CLAIMS:
        import json as _json

        try:
            _json.loads(OIDC_CLAIMS)
        except ValueError:
            raise ConfigurationError("OIDC_CLAIMS is not valid JSON") from None

# --- back office: casework and payments -------------------------------------------------------------
# Four-eyes: an approval whose monthly amount is above this needs a supervisor's second approval.
CIVITAS_FOUR_EYES_AMOUNT = env_int("CIVITAS_FOUR_EYES_AMOUNT", 500, minimum=0)
# Programmes in which a child may be counted in one live enrolment only (a database constraint).
CIVITAS_CHILD_PROGRAMMES = env_list("CIVITAS_CHILD_PROGRAMMES", ["maternity-care", "child-benefit"])
# The account benefits are paid from, as written in ISO 20022 pain.001 batches.
CIVITAS_PAYMENTS_DEBTOR_NAME = env_str(
    "CIVITAS_PAYMENTS_DEBTOR_NAME", "Ministry of Social Protection"
)
CIVITAS_PAYMENTS_DEBTOR_IBAN = env_str("CIVITAS_PAYMENTS_DEBTOR_IBAN", "CV00000000000000000000001")
CIVITAS_PAYMENTS_DEBTOR_BIC = env_str("CIVITAS_PAYMENTS_DEBTOR_BIC", "")
# Payments per batch file, and how many times a failed payment is sent again.
CIVITAS_PAYMENTS_BATCH_SIZE = env_int("CIVITAS_PAYMENTS_BATCH_SIZE", 50_000, minimum=1)
CIVITAS_PAYMENTS_MAX_ATTEMPTS = env_int("CIVITAS_PAYMENTS_MAX_ATTEMPTS", 3, minimum=1)
# A TrueType font with Latin and Arabic letters for PDF decision letters (empty: look in the
# usual system folders for DejaVu Sans or Noto Sans).
CIVITAS_PDF_FONT = env_str("CIVITAS_PDF_FONT", "")

# --- applications: documents, virus scanning, text messages --------------------------------------
# ClamAV daemon that scans uploaded documents: tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl.
# Empty (or unreachable): documents are kept and marked "not checked for viruses".
CLAMD_ADDRESS = env_str("CLAMD_ADDRESS", "")
# HTTP SMS gateway (JSON POST, see civitas/notify/sms.py). Empty: texts are written to the log.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
# Sender name or number shown on text messages (default: CIVITAS_SITE_NAME).
SMS_SENDER = env_str("SMS_SENDER", "")
