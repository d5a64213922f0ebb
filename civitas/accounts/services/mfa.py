"""The second factor: authenticator apps (TOTP) and recovery codes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.accounts import totp
from civitas.accounts.models import RecoveryCode, TOTPDevice, User
from civitas.accounts.services.errors import AccountError, CodeRefused
from civitas.audit import services as audit

RECOVERY_CODE_COUNT = 10
MAX_FAILED_CODES = 5  # wrong codes in a row before the codes are refused for a while
LOCK_MINUTES = 15


def _digest(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    codes = [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    return codes


@transaction.atomic
def enrol_totp(*, user: User, secret: str, code: str) -> list[str]:
    """Turn on the authenticator app once the person typed a correct code from it.

    Returns the recovery codes, which are shown once and only their digests kept.
    """
    if TOTPDevice.objects.filter(user=user).exists():
        raise AccountError(_("An authenticator app is already set up for this account."))
    step = totp.matching_step(secret, code)
    if step is None:
        raise CodeRefused(_("The code is not right. Enter the 6-digit code your app shows now."))
    TOTPDevice.objects.create(
        user=user, secret=secret, confirmed_at=timezone.now(), last_used_step=step
    )
    codes = _new_recovery_codes(user)
    audit.record(
        actor=user,
        action="accounts:mfa:enrolled",
        subject=user,
        after={"method": "totp", "recovery_codes": len(codes)},
    )
    return codes


def _locked_message() -> str:
    return _("You have entered too many wrong codes. Wait %(minutes)s minutes and try again.") % {
        "minutes": LOCK_MINUTES
    }


def _refuse(device: TOTPDevice, *, user: User, method: str) -> None:
    device.failed_attempts += 1
    if device.failed_attempts >= MAX_FAILED_CODES:
        device.locked_until = timezone.now() + timedelta(minutes=LOCK_MINUTES)
        device.failed_attempts = 0
    device.save(update_fields=["failed_attempts", "locked_until"])
    audit.record(
        actor=user,
        action="accounts:mfa:failed",
        subject=user,
        context={"method": method, "locked": device.locked_until is not None},
    )


def verify_second_factor(*, user: User, code: str, recovery: bool = False) -> str:
    """Check a code from the authenticator app (or a recovery code). Returns the method used;
    raises ``CodeRefused`` with a message for the person otherwise. A wrong code is recorded even
    though the person sees an error, so the counter that slows down guessing cannot be rolled back.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise CodeRefused(_("Set up an authenticator app first."))
        if device.locked_until and device.locked_until > timezone.now():
            raise CodeRefused(_locked_message())
        if recovery:
            used = (
                RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at__isnull=True)
                .select_for_update()
                .first()
            )
            if used is not None:
                used.used_at = timezone.now()
                used.save(update_fields=["used_at"])
        else:
            step = totp.matching_step(device.secret, code, after=device.last_used_step)
            used = step
            if step is not None:
                device.last_used_step = step
        if used is None:
            _refuse(device, user=user, method="recovery" if recovery else "totp")
            failure = (
                _locked_message()
                if device.locked_until
                else _("The recovery code is not right, or it was used before.")
                if recovery
                else _("The code is not right. Enter the 6-digit code your app shows now.")
            )
        else:
            failure = ""
            device.failed_attempts = 0
            device.locked_until = None
            device.save(update_fields=["last_used_step", "failed_attempts", "locked_until"])
            method = "recovery_code" if recovery else "totp"
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record(
                actor=user,
                action="accounts:mfa:passed",
                subject=user,
                context={"method": method, "recovery_codes_left": left},
            )
    if failure:
        raise CodeRefused(failure)
    return method


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    if not TOTPDevice.objects.filter(user=user).exists():
        raise AccountError(_("Set up an authenticator app first."))
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="accounts:mfa:recovery_codes_replaced", subject=user)
    return codes


@transaction.atomic
def disable_totp(*, user: User, actor: User) -> None:
    """Turn the authenticator app off. Staff must keep one: the back office requires it."""
    if user.is_staff:
        raise AccountError(_("Staff accounts must keep an authenticator app."))
    deleted, _count = TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=actor, action="accounts:mfa:disabled", subject=user)
