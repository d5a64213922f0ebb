"""``civitas serve``: the web server, the background worker and the scheduler together, for one
machine.

The worker (django-tasks' database queue) and the scheduler of periodic jobs
(``civitas scheduler loop``, see civitas/ops/scheduler.py) run as child processes; stopping the
server with Ctrl+C stops them all. At scale, run web pods, Celery workers and the Helm chart's
CronJobs separately instead.
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
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not start the scheduler of periodic jobs (when cron or another host runs them).",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        no_worker: bool,
        no_scheduler: bool = False,
        **options,
    ):
        env = dict(os.environ)
        children: list[subprocess.Popen] = []
        manage = [sys.executable, "-m", "civitas.manage"]
        if not no_worker:
            worker = [*manage, "db_worker", "--no-reload"]
            children.append(subprocess.Popen(worker, env=env))  # noqa: S603 - fixed argv, no shell
        if not no_scheduler:  # periodic jobs; safe beside other schedulers (one run per slot)
            jobs = [*manage, "scheduler", "loop"]
            children.append(subprocess.Popen(jobs, env=env))  # noqa: S603 - fixed argv, no shell
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
                # threads keep connections alive and run while another request waits on the
                # database (deploy/gunicorn.conf.py has the same defaults)
                "--worker-class",
                "gthread",
                "--threads",
                os.environ.get("WEB_THREADS", "4"),
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
