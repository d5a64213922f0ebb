"""Signed, expiring, one-use tokens for links sent by email (confirm an address, reset a password).

A token carries the account id and a fingerprint of the account's state that the action changes
(the confirmed address; the password hash and last sign-in). It is signed with the secret key and
dated, so it cannot be forged, expires, and stops working once it has been used.
"""

from __future__ import annotations

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from civitas.accounts.models import User

VERIFY_EMAIL = "civitas.accounts.verify-email"
RESET_PASSWORD = "civitas.accounts.reset-password"  # noqa: S105 - a salt name, not a password

MAX_AGE = {VERIFY_EMAIL: 3 * 24 * 3600, RESET_PASSWORD: 3600}


def _fingerprint(purpose: str, user: User) -> str:
    if purpose == VERIFY_EMAIL:
        state = f"{user.email}|{user.email_verified_at}"
    else:
        login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        state = f"{user.password}|{login}|{user.email}"
    return salted_hmac(purpose, f"{user.pk}|{state}").hexdigest()[:32]


def make_token(purpose: str, user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(purpose, user)}, salt=purpose)


def read_token(purpose: str, token: str) -> User | None:
    """The account the token was made for, or None when it is forged, expired or already used."""
    try:
        data = signing.loads(token, salt=purpose, max_age=MAX_AGE[purpose])
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(
        str(data.get("f", "")), _fingerprint(purpose, user)
    ):
        return None
    return user
