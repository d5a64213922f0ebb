"""gunicorn settings for the container image (read-only root filesystem, Prometheus across workers)."""

import os
import shutil

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Threads, not only processes: a thread waiting on the database (or SQLite's single write lock)
# lets another request of the same process run, and gthread keeps client connections alive.
# About one process per core (each runs Python on one core at a time) plus one for the waits.
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 20000  # recycle workers now and then (no slow leak lives for ever), not every few seconds under load
max_requests_jitter = 200
worker_tmp_dir = "/tmp"  # noqa: S108 - a tmpfs in the container (the root filesystem is read-only)
accesslog = None  # civitas.access writes one JSON line per request, with its request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    metrics = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics:  # samples of an earlier run would be added to this one's
        shutil.rmtree(metrics, ignore_errors=True)
        os.makedirs(metrics, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
