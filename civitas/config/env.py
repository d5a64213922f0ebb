"""Reading settings from the environment, failing with one clear line.

Every setting Civitas reads from the environment goes through these helpers so that a missing or
malformed value stops start-up with a message naming the variable and what is expected, instead of a
stack trace deep inside Django.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable and what it expects."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ConfigurationError(f"{name} is not set: expected {name}=<value>")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean: expected true or false")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name}={value} is too small: expected at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ConfigurationError(
            f"{name}={value!r} is not valid: expected one of {', '.join(choices)}"
        )
    return value


def database_from_url(url: str, *, var_dir: Path, variable: str = "DATABASE_URL") -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if path.startswith("/") and parsed.netloc == "":
            # sqlite:///relative.db keeps a relative path, sqlite:////abs.db an absolute one
            path = path[1:]
        name = Path(path) if path else var_dir / "civitas.sqlite3"
        return sqlite_database(name)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        if not parsed.path.strip("/"):
            raise ConfigurationError(
                f"{variable} has no database name: expected postgres://user@host:5432/dbname"
            )
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError(
        f"{variable}={url!r} is not supported: expected sqlite:///path or postgres://user@host/db"
    )


def sqlite_database(path: Path) -> dict:
    """The embedded default: WAL so readers never block the writer, immediate transactions so two
    writers never fail mid-transaction with "database is locked", and Django's backend with
    writers taking turns on a lock of ours instead of polling (``civitas.db.sqlite``)."""
    return {
        "ENGINE": "civitas.db.sqlite",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
        "TEST": {"NAME": str(path.with_name(f"test_{path.name}"))},
    }


def email_from_url(url: str) -> dict:
    """``console://``, ``smtp://user:pass@host:port`` (``smtp+tls://`` for STARTTLS) or ``file:///dir``."""
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if parsed.scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parsed.hostname:
            raise ConfigurationError(f"EMAIL_URL={url!r} has no host: expected smtp://host:port")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
        }
    raise ConfigurationError(
        f"EMAIL_URL={url!r} is not supported: expected console://, file:///dir or smtp://host:port"
    )
