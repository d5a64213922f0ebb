"""Who is on the other end: the client address, trusting only the proxies we were told about."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address.

    With ``CIVITAS_TRUSTED_PROXY_COUNT = n`` (the number of reverse proxies in front of the web
    server), the n-th address from the right of ``X-Forwarded-For`` is used; anything further left
    was written by the client and cannot be trusted. With 0 (the default) the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    hops = getattr(settings, "CIVITAS_TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
