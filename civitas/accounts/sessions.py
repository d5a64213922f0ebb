"""What this browser session has proved, kept in the session (not in the database).

After a password (or eID) sign-in, the session records which second factor was passed. The MFA gate
(``civitas.accounts.middleware``) lets a signed-in person further only when the record exists for
that same account: ``"totp"``/``"recovery_code"`` after a code, ``"eid"`` after a national eID
sign-in (citizens), or ``"none"`` for a citizen without a second factor — never for staff.
"""

from __future__ import annotations

import time

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
