"""The few HTTP calls an OpenID client makes, with the standard library.

Only ``https://`` is allowed, except ``http://`` to this machine (127.0.0.1, ::1, localhost) for
development and the tests. Every failure becomes ``OIDCError`` with a message for the logs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
TIMEOUT_SECONDS = 10
MAX_BYTES = 1_000_000


class OIDCError(Exception):
    """The identity provider could not be used, or what it sent is not acceptable."""


def check_url(url: str, *, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return url
    raise OIDCError(f"{what} must be an https:// address (http:// only on this machine): {url!r}")


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    def json(self) -> dict:
        try:
            data = json.loads(self.body)
        except ValueError:
            raise OIDCError(f"expected JSON, got {self.body[:80]!r}") from None
        if not isinstance(data, dict):
            raise OIDCError("expected a JSON object")
        return data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a provider endpoint that redirects is refused, not followed


_opener = urllib.request.build_opener(_NoRedirect)


def call(
    url: str, *, what: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> Reply:
    check_url(url, what=what)
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=data,
        headers={"Accept": "application/json", "User-Agent": "Civitas", **(headers or {})},
        method="POST" if data is not None else "GET",
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Reply(
                response.status,
                response.headers.get_content_type(),
                response.read(MAX_BYTES),
            )
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_BYTES) if exc.fp else b""
        return Reply(exc.code, exc.headers.get_content_type() if exc.headers else "", body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OIDCError(f"{what} at {url} cannot be reached: {reason}") from None
