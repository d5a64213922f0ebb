"""Settings come from the environment; bad values stop start-up with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from civitas.config.env import (
    ConfigurationError,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
)


def run_civitas(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "CIVITAS_ENV"}}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "civitas.manage", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_civitas("check", CIVITAS_ENV="production", CIVITAS_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, "one line, no stack trace"
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = run_civitas(
        "check",
        CIVITAS_ENV="production",
        CIVITAS_VAR_DIR=str(tmp_path),
        SECRET_KEY="k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
        DEBUG="true",
    )
    assert result.returncode == 2
    assert "DEBUG" in result.stderr and "Traceback" not in result.stderr


def test_production_starts_with_a_real_key_and_debug_off(tmp_path):
    result = run_civitas(
        "check",
        CIVITAS_ENV="production",
        CIVITAS_VAR_DIR=str(tmp_path),
        SECRET_KEY="k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stderr


def test_malformed_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ConfigurationError, match=r"DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False)


def test_malformed_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_AGE", "ten")
    with pytest.raises(ConfigurationError, match="SESSION_COOKIE_AGE"):
        env_int("SESSION_COOKIE_AGE", 60)


def test_bad_database_url_stops_the_command_with_one_line(tmp_path):
    result = run_civitas("check", DATABASE_URL="mysql://x/y", CIVITAS_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("civitas: configuration error: DATABASE_URL=")


def test_sqlite_default_uses_wal_immediate_transactions_and_a_busy_timeout(tmp_path):
    config = database_from_url("sqlite:///var/x.sqlite3", var_dir=tmp_path)
    assert config["NAME"] == "var/x.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5
    absolute = database_from_url("sqlite:////tmp/abs.sqlite3", var_dir=tmp_path)
    assert absolute["NAME"] == "/tmp/abs.sqlite3"


def test_postgres_url_switches_engine(tmp_path):
    config = database_from_url("postgres://civ:s%40cret@db.internal:5433/civitas", var_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "civ",
        "s@cret",
        "db.internal",
        "5433",
        "civitas",
    )


def test_email_url_forms():
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_from_url("smtp+tls://user:pw@mail.example:587")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == (
        "mail.example",
        587,
        True,
    )
    with pytest.raises(ConfigurationError, match="EMAIL_URL"):
        email_from_url("pigeon://loft")


def test_embedded_database_is_really_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only property")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    assert mode == "wal"


def test_env_example_documents_every_variable_the_settings_read():
    root = Path(__file__).resolve().parents[2]
    settings_text = (root / "civitas" / "config" / "settings.py").read_text()
    example = (root / ".env.example").read_text()
    import re

    read = set(re.findall(r'env_(?:str|bool|int|list|choice)\(\s*"([A-Z_]+)"', settings_text))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    assert read - documented == set(), f"undocumented: {sorted(read - documented)}"
