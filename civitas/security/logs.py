"""Structured logs: one JSON object per line, with the request id, for any log collector.

Use in ``LOGGING``::

    "formatters": {"json": {"()": "civitas.security.logs.JsonFormatter"}},
    "filters": {"request_id": {"()": "civitas.security.logs.RequestIdFilter"}},
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from civitas.security.requestid import current_request_id

# attributes every LogRecord has; anything else was passed with ``extra=`` and is logged as a field
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (empty outside a request) so text formats can show it too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra, "exception"}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if key == "request":  # Django passes the request object: keep its path only
                entry["path"] = getattr(value, "path", "")
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
