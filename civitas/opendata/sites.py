"""The catalogue's own address, for absolute URLs in the API and the DCAT feeds."""

from __future__ import annotations

from django.conf import settings


def site_url(request=None) -> str:
    """OPENDATA_SITE_URL when set (publication jobs have no request), else the request's host."""
    configured = getattr(settings, "OPENDATA_SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://localhost"
