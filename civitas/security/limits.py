"""Hostile bodies get a 4xx before any view sees them: too large (413) or nested too deep (400).

- ``CIVITAS_MAX_BODY_BYTES`` (default 1 MiB) caps every body except multipart uploads, which have
  ``CIVITAS_MAX_UPLOAD_BYTES`` (default 25 MiB), and paths given more in ``CIVITAS_BODY_LIMITS``
  (``{path prefix: bytes}``). The declared ``Content-Length`` is checked before a byte is read.
  (Django reads no body at all when the length is missing.)
- JSON bodies may nest at most ``CIVITAS_MAX_JSON_DEPTH`` levels (default 32): the check counts
  brackets outside strings, so it costs one pass and never recurses.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

MIB = 1024 * 1024
# a string, or an unterminated one up to the end: matching always succeeds from an opening quote,
# so hostile input (thousands of unterminated quotes) is scanned once, never re-tried
_STRINGS = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.S)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """Deepest nesting of ``[`` and ``{`` in a JSON text, ignoring brackets inside strings."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse(request, status: int, message: str) -> HttpResponse:
    accept = request.META.get("HTTP_ACCEPT", "")
    if request.path.startswith("/api/") or "json" in request.content_type or "json" in accept:
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.max_body = getattr(settings, "CIVITAS_MAX_BODY_BYTES", MIB)
        self.max_upload = getattr(settings, "CIVITAS_MAX_UPLOAD_BYTES", 25 * MIB)
        self.max_depth = getattr(settings, "CIVITAS_MAX_JSON_DEPTH", 32)
        # larger limits for paths that need them (longest prefix first), e.g. bulk data APIs
        self.by_path = sorted(
            getattr(settings, "CIVITAS_BODY_LIMITS", {}).items(), key=lambda item: -len(item[0])
        )
        self.max_scanned = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or MIB

    def __call__(self, request):
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return _refuse(request, 400, _("The Content-Length header is not a number."))
        if length < 0:
            return _refuse(request, 400, _("The Content-Length header is not a number."))
        multipart = request.content_type == "multipart/form-data"
        limit = self.max_upload if multipart else self.max_body
        for prefix, bytes_allowed in self.by_path:
            if request.path.startswith(prefix):
                limit = max(limit, bytes_allowed)
                break
        if length > limit:
            return _refuse(
                request,
                413,
                _("The request is too large: the limit is %(limit)s bytes.") % {"limit": limit},
            )
        # bodies larger than Django reads into memory are left to the view that streams them
        if (
            0 < length <= self.max_scanned
            and _is_json(request.content_type)
            and json_depth(request.body) > self.max_depth
        ):
            return _refuse(
                request,
                400,
                _("The JSON body is nested too deeply: at most %(depth)s levels.")
                % {"depth": self.max_depth},
            )
        return self.get_response(request)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


__all__ = ["RequestLimitsMiddleware", "json_depth"]
