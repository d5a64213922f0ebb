"""Prometheus metrics: request counts and latencies per route, plus a few numbers read at scrape.

With several server workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder (the container
image and Helm chart do; ``civitas serve`` empties it at start): every worker writes its samples
there and ``/metrics`` adds them up. The "requests in progress" gauge of a worker that died is
dropped by the next worker to start, so a replaced worker's last value does not stay counted.
"""

from __future__ import annotations

import glob
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily


def _forget_dead_workers(folder: str) -> None:
    """Drop the live gauges of processes that no longer exist (the server has no exit hook)."""
    for path in glob.glob(os.path.join(folder, "gauge_live*_*.db")):
        pid = path.rsplit("_", 1)[-1].removesuffix(".db")
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            multiprocess.mark_process_dead(int(pid), folder)


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # each process writes its samples here
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    _forget_dead_workers(os.environ["PROMETHEUS_MULTIPROC_DIR"])

REQUESTS = Counter(
    "civitas_http_requests_total",
    "HTTP requests answered, by method, route and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "civitas_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_PROGRESS = Gauge(
    "civitas_http_requests_in_progress",
    "HTTP requests being answered now.",
    multiprocess_mode="livesum",
)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        IN_PROGRESS.inc()
        try:
            response = self.get_response(request)
        finally:
            IN_PROGRESS.dec()
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or match.route) if match else "unmatched"
        if route == "unmatched" and request.path.startswith("/static/"):
            route = "static"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


class DatabaseCollector:
    """Numbers read from the database at scrape time: cheap counts on indexed columns."""

    def collect(self):
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        from civitas.applications.models import Application
        from civitas.audit.models import ChainHead

        applications = GaugeMetricFamily(
            "civitas_applications", "Applications by status.", labels=["status"]
        )
        for row in Application.objects.values("status").annotate(n=Count("id")).order_by():
            applications.add_metric([row["status"]], row["n"])
        yield applications
        queue = GaugeMetricFamily(
            "civitas_task_queue",
            "Background tasks in the database queue, by status.",
            labels=["status"],
        )
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by():
            queue.add_metric([row["status"]], row["n"])
        yield queue
        head = ChainHead.objects.filter(id=1).first()
        yield GaugeMetricFamily(
            "civitas_audit_events", "Events in the audit chain.", value=head.seq if head else 0
        )


_database_registry = CollectorRegistry()
_database_registry.register(DatabaseCollector())


def render() -> tuple[bytes, str]:
    """The exposition text: this process's (or every worker's) samples, then the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_database_registry), CONTENT_TYPE_LATEST
