"""Every write to accounts goes through here, audited in the same transaction.

One module per concept: ``accounts`` (sign-up, addresses, passwords, signing in), ``mfa`` (the
second factor) and ``eid`` (national eID sign-in); all of it is importable from here.
"""

from civitas.accounts.services.accounts import (
    create_citizen,
    create_staff,
    record_sign_in,
    request_password_reset,
    resend_verification,
    reset_password,
    send_password_reset,
    set_language,
    sign_up,
    verify_email,
)
from civitas.accounts.services.eid import PersonMatch, sign_in_with_eid
from civitas.accounts.services.errors import AccountError, CodeRefused, EidRefused
from civitas.accounts.services.mfa import (
    disable_totp,
    enrol_totp,
    regenerate_recovery_codes,
    verify_second_factor,
)

__all__ = [
    "AccountError",
    "CodeRefused",
    "EidRefused",
    "PersonMatch",
    "create_citizen",
    "create_staff",
    "disable_totp",
    "enrol_totp",
    "record_sign_in",
    "regenerate_recovery_codes",
    "request_password_reset",
    "resend_verification",
    "reset_password",
    "send_password_reset",
    "set_language",
    "sign_in_with_eid",
    "sign_up",
    "verify_email",
    "verify_second_factor",
]
