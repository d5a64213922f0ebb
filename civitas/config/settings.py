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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
