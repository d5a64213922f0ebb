"""``civitas serve``: the web server and the background worker together, for one machine.

The worker (django-tasks' database queue) runs as a child process; stopping the server with
Ctrl+C stops both. At scale, run web pods and Celery workers separately instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Civitas on one machine: gunicorn (WSGI) plus the background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the worker.")

    def handle(self, *args, host: str, port: int, workers: int, no_worker: bool, **options):
        env = dict(os.environ)
        children: list[subprocess.Popen] = []
        if not no_worker:
            children.append(  # worker: fixed argv, no shell
                subprocess.Popen(
                    [sys.executable, "-m", "civitas.manage", "db_worker", "--no-reload"], env=env
                )
            )
        web = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "civitas.config.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )
        children.append(web)
        self.stdout.write(f"Civitas is serving on http://{host}:{port}/ (Ctrl+C stops it)")

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            code = web.wait()
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        raise SystemExit(code if code and code > 0 else 0)
