"""Rate limits on public endpoints: fixed windows counted in the shared cache.

``CIVITAS_RATE_LIMITS`` is a list of rules, checked in order; the first rule whose path pattern and
method match a request applies::

    {"name": "api", "path": r"^/api/", "methods": None, "limit": 600, "window": 60, "key": "client"}

``key`` is ``"ip"`` (the client address) or ``"client"`` (the signed-in account, else the
address). Counts live in the ``default`` cache: per process with the local-memory cache of one
machine, shared by every web process with Redis (``CACHE_URL=redis://…``). A request over the limit
gets 429 with ``Retry-After``; the cache being unreachable never blocks a request (fail open, logged).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from civitas.security.clientip import client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str
    path: re.Pattern
    methods: frozenset[str] | None
    limit: int
    window: int
    key: str

    def matches(self, request) -> bool:
        return (self.methods is None or request.method in self.methods) and bool(
            self.path.search(request.path)
        )


def compile_rules(raw: list[dict]) -> list[Rule]:
    rules = []
    for entry in raw:
        methods = entry.get("methods")
        if entry.get("key", "client") not in {"ip", "client"}:
            raise ValueError(f"rate limit {entry['name']!r}: key must be 'ip' or 'client'")
        rules.append(
            Rule(
                name=entry["name"],
                path=re.compile(entry["path"]),
                methods=frozenset(m.upper() for m in methods) if methods else None,
                limit=int(entry["limit"]),
                window=int(entry["window"]),
                key=entry.get("key", "client"),
            )
        )
    return rules


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def hit(*, bucket: str, who: str, limit: int, window: int, now: float | None = None) -> Verdict:
    """Count one request of ``who`` in ``bucket``; over ``limit`` in the current window refuses."""
    now = time.time() if now is None else now
    slot = int(now // window)
    digest = hashlib.blake2b(who.encode(), digest_size=12).hexdigest()
    key = f"rl:{bucket}:{slot}:{digest}"
    cache = caches[getattr(settings, "CIVITAS_RATE_LIMIT_CACHE", "default")]
    try:
        count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
    except ValueError:  # the key expired between add and incr: this is the first hit again
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        return Verdict(False, max(1, math.ceil((slot + 1) * window - now)))
    return Verdict(True)


class RateLimitMiddleware:
    """Place after ``AuthenticationMiddleware`` so ``"client"`` rules can key on the account."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = compile_rules(getattr(settings, "CIVITAS_RATE_LIMITS", []))

    def __call__(self, request):
        for rule in self.rules:
            if rule.matches(request):
                verdict = self._check(rule, request)
                if not verdict.allowed:
                    return _too_many(request, verdict.retry_after)
                break
        return self.get_response(request)

    def _check(self, rule: Rule, request) -> Verdict:
        user = getattr(request, "user", None)
        if rule.key == "client" and user is not None and user.is_authenticated:
            who = f"user:{user.pk}"
        else:
            who = f"ip:{client_ip(request)}"
        try:
            return hit(bucket=rule.name, who=who, limit=rule.limit, window=rule.window)
        except Exception:  # the cache is down: serve the request rather than fail everyone
            logger.exception(
                "rate limit cache unavailable; request allowed", extra={"rule": rule.name}
            )
            return Verdict(True)


def _too_many(request, retry_after: int) -> HttpResponse:
    message = _("Too many requests. Wait %(seconds)s seconds and try again.") % {
        "seconds": retry_after
    }
    if request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response
