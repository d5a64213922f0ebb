"""What this browser session has proved, kept in the session (not in the database).

After a password (or eID) sign-in, the session records which second factor was passed. The MFA gate
(``civitas.accounts.middleware``) lets a signed-in person further only when the record exists for
that same account: ``"totp"``/``"recovery_code"`` after a code, ``"eid"`` after a national eID
sign-in (citizens), or ``"none"`` for a citizen without a second factor — never for staff.

Two secrets pass through the session on their way to the person: the authenticator-app key being
set up (until a code from the app confirms it) and new recovery codes (until the page that shows
them once). Sessions are rows in the database, readable by whoever reads the table or a backup, so
both are sealed there with the field-encryption keys (``civitas.security.crypto``, AES-256-GCM,
keys outside the database), bound to the key name and the account: a value moved to another
session slot or another person's session does not open. A value that does not open (an old key
removed, a value from before this was sealed) counts as absent: set-up starts again with a new key.
The pending key is never a second factor: only a confirmed ``TOTPDevice`` is, so nothing here is
read by the gate, and the key goes with the session (sign-out, time-out, the sessions purge).
"""

from __future__ import annotations

import json
import time
from typing import Any

from civitas.security import crypto

MFA_KEY = "civitas.mfa"
PENDING_SECRET_KEY = "civitas.mfa.pending_secret"  # noqa: S105 - a session key name
NEW_CODES_KEY = "civitas.mfa.new_codes"


def mark_second_factor(request, method: str) -> None:
    """Record the factor passed; a new session key is issued when it raises the level."""
    if method != "none":
        request.session.cycle_key()
    request.session[MFA_KEY] = {"user": request.user.pk, "method": method, "at": int(time.time())}


def second_factor(request) -> str:
    """The factor this session passed for the signed-in account, or "" if none was recorded."""
    record = request.session.get(MFA_KEY) or {}
    if record.get("user") != request.user.pk:
        return ""
    method = record.get("method", "")
    if method == "none" and request.user.is_staff:
        return ""
    if method == "eid" and request.user.is_staff:
        return ""  # staff pass our own second factor even after an eID sign-in
    return method


# --- secrets on their way to the person: sealed in the session ------------------------------------


def _context(request, key: str) -> str:
    return f"accounts.session.{key}:{request.user.pk}"


def _seal(request, key: str, value: Any) -> None:
    request.session[key] = crypto.encrypt(json.dumps(value), context=_context(request, key))


def _open(request, key: str, *, take: bool) -> Any:
    token = request.session.pop(key, None) if take else request.session.get(key)
    if token is None:
        return None
    try:
        if not isinstance(token, str):
            raise crypto.DecryptionError(f"{key}: not a sealed value")
        return json.loads(crypto.decrypt(token, context=_context(request, key)))
    except (crypto.DecryptionError, ValueError):
        request.session.pop(key, None)  # never keep what cannot be used (or was kept in clear)
        return None


def keep_pending_secret(request, secret: str) -> None:
    """Keep the authenticator-app key being set up, sealed, until a code confirms it."""
    _seal(request, PENDING_SECRET_KEY, secret)


def pending_secret(request) -> str | None:
    """The key being set up in this session for the signed-in account, or None."""
    secret = _open(request, PENDING_SECRET_KEY, take=False)
    if secret is not None and not isinstance(secret, str):
        request.session.pop(PENDING_SECRET_KEY, None)
        return None
    return secret


def forget_pending_secret(request) -> None:
    request.session.pop(PENDING_SECRET_KEY, None)


def keep_new_codes(request, codes: list[str]) -> None:
    """Keep new recovery codes, sealed, for the one page that shows them."""
    _seal(request, NEW_CODES_KEY, codes)


def take_new_codes(request) -> list[str]:
    """The new recovery codes, removed from the session as they are read: shown once."""
    codes = _open(request, NEW_CODES_KEY, take=True)
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return []
    return codes
