"""Running ``civitas`` commands in a separate process against a database of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse

import pytest


def civitas(
    *args: str, env: dict, timeout: int = 180, check: bool = True, stdin: str | None = None
):
    result = subprocess.run(
        [sys.executable, "-m", "civitas.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"civitas {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def instance_env(tmp_path):
    """Environment for a separate Civitas instance: its own var dir and database (SQLite, or a
    fresh PostgreSQL database when the suite runs on PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        CIVITAS_ENV="development",
        DEBUG="false",
        CIVITAS_VAR_DIR=str(tmp_path / "var"),
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        EMAIL_URL="console://",
        LOG_LEVEL="WARNING",
    )
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    parsed = urlparse(url)
    name = f"civitas_ops_{uuid.uuid4().hex[:10]}"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = parsed._replace(path=f"/{name}").geturl()
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
