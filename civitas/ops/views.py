"""Probes and metrics for the platform that runs Civitas (load balancer, Kubernetes, Prometheus)."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from civitas.ops import metrics, readiness

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers. Touches nothing else, so a slow database never gets a
    healthy pod restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: this process can serve (database reachable and migrated, cache, broker)."""
    report = readiness.check_all()
    return JsonResponse(
        {"status": "ready" if report.ok else "not ready", "checks": report.checks},
        status=200 if report.ok else 503,
    )


@never_cache
@require_safe
def metrics_view(request):
    """Prometheus text format. With ``METRICS_TOKEN`` set, only ``Authorization: Bearer <token>``
    gets it; in production without a token the endpoint does not exist."""
    token = getattr(settings, "CIVITAS_METRICS_TOKEN", "")
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Http404
    elif settings.CIVITAS_ENV == "production":
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
