"""``civitas serve``: the web server, the background worker and the scheduler together, for one
machine; with ``--no-worker --no-scheduler``, the web server alone (the container image's command).

The web server is granian, a WSGI server whose HTTP side is written in Rust: on the 2-core
reference machine it answered 1.5 times the submissions per second gunicorn's threaded workers
did with the same application (bench/load.py --server; ADR 0090). Each worker process runs the
Django application on ``--threads`` threads.

The worker (django-tasks' database queue) and the scheduler of periodic jobs
(``civitas scheduler loop``, see civitas/ops/scheduler.py) run as child processes; stopping the
server with Ctrl+C stops them all. At scale, run web pods, Celery workers and the Helm chart's
CronJobs separately instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

STOP_SECONDS = 15  # what every process gets, together, to finish before it is killed


def web_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "civitas.config.wsgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backlog",
        "2048",
        "--respawn-failed-workers",  # a worker that dies is replaced
        "--workers-kill-timeout",
        "10",  # seconds a stopping worker has to finish its requests
        "--no-ws",
    ]


def reset_metrics_folder() -> None:
    """Samples of an earlier run would be added to this one's (Prometheus across workers)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


class Command(BaseCommand):
    help = "Serve Civitas on one machine: the WSGI server (granian) plus the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "2")),
            help="Threads per worker process (2: SQLite has one writer, more only wait for it).",
        )
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
        threads: int = 2,
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
        reset_metrics_folder()
        web = subprocess.Popen(web_command(host, port, workers, threads), env=env)  # noqa: S603
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
            # one deadline for all: a stop (Ctrl+C, a container's SIGTERM) ends within ~15 s
            deadline = time.monotonic() + STOP_SECONDS
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        raise SystemExit(code if code and code > 0 else 0)
