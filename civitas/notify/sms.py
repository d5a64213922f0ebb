"""Text messages behind a small interface: one HTTP gateway implementation and a local one.

``HttpSmsGateway`` speaks a plain JSON-over-HTTP contract that most SMS aggregators accept directly
or through a thin adapter::

    POST <SMS_GATEWAY_URL>
    Authorization: Bearer <SMS_GATEWAY_TOKEN>
    Content-Type: application/json

    {"to": "+2507001234567", "text": "...", "reference": "CIV-ABCD-EFGH", "sender": "Civitas"}

and expects a 2xx answer, optionally ``{"id": "<the gateway's message id>"}``. Anything else is a
failure whose reason is kept with the message. With no gateway configured, ``LogSmsGateway`` writes
each text to the server log, as the console email backend does for email.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_TEXT = 480  # three concatenated SMS segments


class SmsError(Exception):
    """The gateway refused or could not be reached; the message says why."""


def normalise_number(raw: str) -> str:
    """A mobile number as E.164 (``+`` and digits), or ValueError saying how to fix it."""
    number = re.sub(r"[\s().-]", "", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if not E164.match(number):
        raise ValueError("Enter a mobile number with the country code, like +250 700 123 456")
    return number


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str, reference: str = "") -> str:
        """Send one text; return the gateway's id for it. Raises SmsError."""
        ...


@dataclass
class HttpSmsGateway:
    url: str
    token: str = ""
    sender: str = "Civitas"
    timeout: float = 10.0

    def send(self, *, to: str, text: str, reference: str = "") -> str:
        payload = json.dumps(
            {"to": to, "text": text[:MAX_TEXT], "reference": reference, "sender": self.sender}
        ).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")  # noqa: S310 - the URL is the operator's configured gateway
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            raise SmsError(f"the SMS gateway answered {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"the SMS gateway could not be reached: {reason}") from None
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            return ""
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""


class LogSmsGateway:
    """No gateway configured: the text goes to the server log (development and demos)."""

    def send(self, *, to: str, text: str, reference: str = "") -> str:
        logger.info("SMS to %s (%s): %s", to, reference or "-", text)
        return ""


def gateway_from_settings() -> SmsGateway:
    url = getattr(settings, "SMS_GATEWAY_URL", "")
    if not url:
        return LogSmsGateway()
    return HttpSmsGateway(
        url=url,
        token=getattr(settings, "SMS_GATEWAY_TOKEN", ""),
        sender=getattr(settings, "SMS_SENDER", "") or settings.CIVITAS_SITE_NAME,
    )
