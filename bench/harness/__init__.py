"""A Civitas instance for the reliability benchmarks: its own database (SQLite file, or a fresh
PostgreSQL database), migrated, with the demo programmes, citizens with API tokens, and the web
server (granian as ``civitas serve`` runs it, or gunicorn to compare) started and killed on demand. Used by bench/load.py, bench/crash_test.py and
bench/schemathesis_long.py."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("CIVITAS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-only-secret-" + "x" * 40

ANSWERS = {
    "children_count": 2,
    "household_income": "950.00",
    "bank_account": "CV12 3456 7890",
    "declaration": True,
}

MAKE_CITIZENS = """
import json, sys
from civitas.accounts import services as accounts
from civitas.applications import services as applications
from civitas.applications.models import SCOPES
out = []
for n in range({count}):
    user = accounts.create_citizen(email=f"bench{{n}}@example.org", password="bench-password-123")
    _token, raw = applications.create_personal_token(user=user, name="bench", scopes=list(SCOPES))
    out.append({{"user": user.pk, "token": raw}})
print("CITIZENS" + json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    engine: str  # "sqlite" or "postgresql"
    name: str = "bench"
    workers: int = 4
    extra_env: dict = field(default_factory=dict)
    server_kind: str = "granian"  # as civitas serve runs it; "gunicorn" to compare
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="civitas-bench-")))
    port: int = field(default_factory=free_port)
    server: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.workdir}/civitas.sqlite3"
        return urlparse(POSTGRES)._replace(path=f"/civitas_{self.name}").geturl()

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        env.update(
            CIVITAS_ENV="production",
            DEBUG="false",
            SECRET_KEY=SECRET,
            SECURE_SSL_REDIRECT="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CIVITAS_VAR_DIR=str(self.workdir / "var"),
            DATABASE_URL=self.database_url,
            EMAIL_URL=f"file://{self.workdir}/mail",
            LOG_LEVEL="WARNING",
            ACCESS_LOG_LEVEL="WARNING",
            RATE_LIMITS="api=1000000/60,api-write=1000000/60",
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            # production refuses to run without its own field keys; these are for benchmarks only
            FIELD_ENCRYPTION_KEYS="bench:" + "QmVuY2hPbmx5RmllbGRLZXkwMTIzNDU2Nzg5YWJjZGU",
            FIELD_HASH_KEYS="hbench:" + "SGFzaEJlbmNoT25seUtleTAxMjM0NTY3ODlhYmNkZWY",
        )
        env.update(self.extra_env)
        return env

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def civitas(self, *args: str, timeout: int = 900) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "civitas.manage", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"civitas {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def create(self, *, citizens: int) -> list[dict]:
        """A fresh database, migrated, with the demo programmes and ``citizens`` API users."""
        if self.engine == "postgresql":
            self.psql_admin(f'DROP DATABASE IF EXISTS "civitas_{self.name}" WITH (FORCE)')
            self.psql_admin(f'CREATE DATABASE "civitas_{self.name}"')
        self.civitas("migrate", "--no-input", "-v0")
        self.civitas("demo", "load")
        self.civitas("collectstatic", "--no-input", "-v0")
        out = self.civitas("shell", "--no-imports", "-c", MAKE_CITIZENS.format(count=citizens))
        line = next(line for line in out.splitlines() if line.startswith("CITIZENS"))
        return json.loads(line[len("CITIZENS") :])

    def psql_admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(sql)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.engine == "sqlite":
            import sqlite3

            conn = sqlite3.connect(f"{self.workdir}/civitas.sqlite3", timeout=30)
            try:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return conn.execute(sql, params).fetchall()

    # --- the server ------------------------------------------------------------------------------
    def _server_command(self) -> list[str]:
        threads = int(self.env.get("WEB_THREADS", "2"))
        if self.server_kind == "granian":  # what `civitas serve` runs in production
            from civitas.web.management.commands.serve import web_command

            return web_command("127.0.0.1", self.port, self.workers, threads)
        return [  # the comparison: gunicorn's threaded workers (pip install gunicorn)
            sys.executable,
            "-m",
            "gunicorn",
            "civitas.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--graceful-timeout",
            "5",
            "--timeout",
            "60",
            "--backlog",
            "2048",
        ]

    def start(self, *, wait: float = 60.0) -> None:
        self.server = subprocess.Popen(
            self._server_command(),
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "server.log", "ab"),  # noqa: SIM115 - lives with the server
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                status, _ = request("GET", self.base_url, "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start; see {self.workdir / 'server.log'}")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers) at once: no clean shutdown."""
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
            self.server = None

    def stop(self) -> None:
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.server = None

    def destroy(self) -> None:
        self.stop()
        if self.engine == "postgresql":
            self.psql_admin(f'DROP DATABASE IF EXISTS "civitas_{self.name}" WITH (FORCE)')
        shutil.rmtree(self.workdir, ignore_errors=True)


_connections: dict = {}


def request(
    method: str,
    base_url: str,
    path: str,
    body: dict | None = None,
    headers: dict | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    """One HTTP request on this thread's keep-alive connection (reopened after any error)."""
    import threading

    key = (threading.get_ident(), base_url)
    parsed = urlparse(base_url)
    conn = _connections.get(key)
    if conn is None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
        _connections[key] = conn
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        _connections.pop(key, None)
        raise


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]
