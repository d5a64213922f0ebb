"""Hashing of audit events: canonical JSON of the event's fields, chained to the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: str,
    before: Any,
    after: Any,
    context: Any,
) -> str:
    payload = canonical(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": occurred_at.isoformat(timespec="microseconds"),
            "actor": [actor_id, actor_label],
            "action": action,
            "subject": [subject_type, subject_id],
            "before": before,
            "after": after,
            "context": context,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
