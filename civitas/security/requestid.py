"""Request ids: every request gets one, every log line carries it, every response returns it.

An id sent by a trusted proxy in ``X-Request-ID`` is kept when it looks like an id (letters, digits,
``.``, ``_`` and ``-``, at most 64 characters) so one request can be followed from the load
balancer to the database; otherwise a fresh one is made.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("civitas_request_id", default="")

access_log = logging.getLogger("civitas.access")


def current_request_id() -> str:
    """The id of the request (or task) being handled, or "" outside one."""
    return _current.get()


def bind_request_id(value: str | None) -> contextvars.Token:
    """Use ``value`` (or a new id) for the log lines that follow; returns a token to reset."""
    return _current.set(value if value and _VALID.match(value) else uuid.uuid4().hex)


def reset_request_id(token: contextvars.Token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """Outermost middleware: binds the id, writes one access-log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = bind_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.id = current_request_id()
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.id
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    # the path only: query strings may carry personal data
                    "path": request.path,
                    "route": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            reset_request_id(token)
