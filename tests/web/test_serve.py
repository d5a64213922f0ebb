"""`civitas serve` runs the production WSGI server and the queue worker together, as `make demo`
does: a submitted task is picked up by the real worker process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import free_port


def _wait_for(url: str, timeout: float = 30.0) -> urllib.response.addinfourl:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2)
        except urllib.error.HTTPError as exc:
            return exc
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_serve_answers_pages_and_runs_queued_tasks(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("exercised on the embedded default (SQLite)")
    env = {
        **os.environ,
        "CIVITAS_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "s3cr3t-" * 10,
        "SECURE_SSL_REDIRECT": "false",
        "CIVITAS_VAR_DIR": str(tmp_path),
        "EMAIL_URL": f"file://{tmp_path}/mail",
    }
    env.pop("TASKS_BACKEND", None)
    manage = [sys.executable, "-m", "civitas.manage"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run(
        [*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True, timeout=120
    )
    # queue a real email through the database-backed queue before the worker starts
    queue = (
        "from django.db import transaction\n"
        "from civitas.accounts.services import create_citizen\n"
        "from civitas.notify.services import queue_email\n"
        "with transaction.atomic():\n"
        "    u = create_citizen(email='q@example.org', password='long-password-1')\n"
        "    queue_email(recipient=u, subject='Queued hello', body='from the worker')\n"
    )
    subprocess.run([*manage, "shell", "-c", queue], env=env, check=True, timeout=60)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        home = _wait_for(f"http://127.0.0.1:{port}/")
        assert home.status == 200
        assert b"govuk-template" in home.read()
        missing = _wait_for(f"http://127.0.0.1:{port}/benefits/nothing-here/")
        assert missing.status == 404
        assert b"Page not found" in missing.read()
        mail_dir = tmp_path / "mail"
        deadline = time.monotonic() + 30
        while not (mail_dir.exists() and any(mail_dir.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.3)
        sent = "".join(p.read_text() for p in mail_dir.iterdir())
        assert "Queued hello" in sent
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
