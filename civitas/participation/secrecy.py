"""Ballot slots: how a re-vote replaces the previous ballot without the ballot naming its voter.

``slot = HMAC-SHA256(ballot key, "budget:<id>/person:<id>")``. The slot is stored on the ballot
only while voting is open and erased when it closes. Without the key the slot is a random-looking
string; with the key and the database, during voting, a ballot can be linked to its voter — the
limit documented in docs/decisions/0021-ballot-secrecy.md.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    configured = getattr(settings, "PARTICIPATION_BALLOT_KEY", "")
    if configured:
        return configured.encode()
    # a key of its own, derived from SECRET_KEY, so no other signature can ever equal a slot
    return hmac.new(
        settings.SECRET_KEY.encode(), b"civitas.participation.ballot-slot", hashlib.sha256
    ).digest()


def ballot_slot(*, budget_id: int, person_id: int) -> str:
    message = f"budget:{budget_id}/person:{person_id}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
