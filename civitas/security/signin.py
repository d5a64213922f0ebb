"""Sign-in throttling and lockout.

Two counters per failed sign-in, both stored as keyed hashes in ``SignInThrottle``:

- per **account name**: ``max_failures`` failures within ``window`` seconds lock that name for
  ``lockout`` seconds, doubling with each consecutive lock up to ``max_lockout``. The lock applies
  whether or not the account exists, so it reveals nothing about which accounts exist;
- per **address**: ``address_max_failures`` failures (across any names) lock that address, which
  slows credential stuffing from one place.

While locked, even the right password is refused. A success clears the account counter.

Wiring (settings): ``AUTHENTICATION_BACKENDS = ["civitas.security.signin.ThrottledModelBackend"]``
enforces all of this for every password sign-in. To tell the person *why* they cannot sign in, the
sign-in form adds one line::

    def get_invalid_login_error(self):
        return signin.lockout_error(self.request) or super().get_invalid_login_error()

The account owner is told about a lock by the handlers registered with
``register_lockout_handler`` (``civitas.ops`` registers the one that audits the lock and emails the
owner, as this layer cannot use the audit trail or notifications itself).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from civitas.security.clientip import client_ip
from civitas.security.models import SignInThrottle, ThrottleScope

logger = logging.getLogger("civitas.security")


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int = 5
    window: int = 15 * 60
    lockout: int = 15 * 60
    max_lockout: int = 24 * 60 * 60
    address_max_failures: int = 50
    address_lockout: int = 15 * 60


def policy() -> SignInPolicy:
    return SignInPolicy(**getattr(settings, "CIVITAS_SIGNIN", {}))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the longest lock ends


LockoutHandler = Callable[..., None]
_lockout_handlers: list[LockoutHandler] = []


def register_lockout_handler(handler: LockoutHandler) -> None:
    """Call ``handler(user=..., locked_until=...)`` inside the transaction that locks an account."""
    if handler not in _lockout_handlers:
        _lockout_handlers.append(handler)


def normalise(identifier: str) -> str:
    return unicodedata.normalize("NFKC", identifier or "").strip().casefold()


def _key(scope: str, value: str) -> str:
    return salted_hmac(f"civitas.security.signin.{scope}", value, algorithm="sha256").hexdigest()


def _keys(identifier: str, address: str) -> tuple[str, str]:
    return _key(ThrottleScope.ACCOUNT, normalise(identifier)), _key(ThrottleScope.ADDRESS, address)


def check(*, identifier: str, address: str, now: datetime | None = None) -> Verdict:
    """May this name sign in from this address now? Reads only."""
    now = now or timezone.now()
    account_key, address_key = _keys(identifier, address)
    locks = SignInThrottle.objects.filter(
        Q(scope=ThrottleScope.ACCOUNT, key=account_key)
        | Q(scope=ThrottleScope.ADDRESS, key=address_key),
        locked_until__gt=now,
    ).values_list("locked_until", flat=True)
    longest = max(locks, default=None)
    if longest is None:
        return Verdict(True)
    return Verdict(False, max(1, int((longest - now).total_seconds()) + 1))


def record_failure(
    *, identifier: str, address: str, user=None, now: datetime | None = None
) -> Verdict:
    """Count a failed sign-in; lock the name (and tell its owner) or the address when due."""
    now = now or timezone.now()
    rules = policy()
    account_key, address_key = _keys(identifier, address)
    with transaction.atomic():
        account_lock = _count(
            ThrottleScope.ACCOUNT,
            account_key,
            now=now,
            limit=rules.max_failures,
            window=rules.window,
            lockout=rules.lockout,
            max_lockout=rules.max_lockout,
        )
        address_lock = _count(
            ThrottleScope.ADDRESS,
            address_key,
            now=now,
            limit=rules.address_max_failures,
            window=rules.window,
            lockout=rules.address_lockout,
            max_lockout=rules.max_lockout,
        )
        if account_lock is not None and user is not None:
            for handler in _lockout_handlers:
                handler(user=user, locked_until=account_lock)
    extra = {"event": "security:signin:failed", "account_key": account_key[:12]}
    if user is not None:
        extra["user_id"] = user.pk
    logger.warning("sign-in failed", extra=extra)
    if account_lock is not None:
        logger.warning(
            "sign-in name locked",
            extra={**extra, "event": "security:signin:locked", "until": account_lock.isoformat()},
        )
    if address_lock is not None:
        logger.warning(
            "sign-in address locked",
            extra={"event": "security:signin:address-locked", "until": address_lock.isoformat()},
        )
    return check(identifier=identifier, address=address, now=now)


def record_success(*, identifier: str) -> None:
    """A correct password clears the failures counted against the name."""
    account_key = _key(ThrottleScope.ACCOUNT, normalise(identifier))
    SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=account_key).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
    ).delete()


def _count(
    scope: str,
    key: str,
    *,
    now: datetime,
    limit: int,
    window: int,
    lockout: int,
    max_lockout: int,
) -> datetime | None:
    """One more failure on the row ``(scope, key)``; returns the lock's end if this one locks it."""
    row = SignInThrottle.objects.select_for_update().filter(scope=scope, key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                row = SignInThrottle.objects.create(scope=scope, key=key, window_started_at=now)
        except IntegrityError:  # a parallel failure created it first
            row = SignInThrottle.objects.select_for_update().get(scope=scope, key=key)
    if row.locked_until is not None and row.locked_until > now:
        return None  # already locked: attempts during a lock are refused, not counted
    if row.locked_until is not None and now - row.locked_until > timedelta(seconds=max_lockout):
        row.lockouts = 0  # a long quiet spell forgives earlier locks
    if (now - row.window_started_at).total_seconds() > window:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    locked_until = None
    if row.failures >= limit:
        seconds = min(lockout * (2**row.lockouts), max_lockout)
        locked_until = now + timedelta(seconds=seconds)
        row.locked_until, row.lockouts = locked_until, row.lockouts + 1
        row.failures, row.window_started_at = 0, now
    row.save()
    return locked_until


class ThrottledModelBackend(ModelBackend):
    """Django's password backend, behind the throttle: locked names and addresses are refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_ip(request) if request is not None else "local"
        verdict = check(identifier=username, address=address)
        if not verdict.allowed:
            _remember(request, verdict)
            logger.info("sign-in refused while locked", extra={"event": "security:signin:refused"})
            raise PermissionDenied  # stops Django trying any other backend
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            owner = user_model._default_manager.filter(
                **{f"{user_model.USERNAME_FIELD}__iexact": normalise(username)}
            ).first()
            _remember(request, record_failure(identifier=username, address=address, user=owner))
        else:
            record_success(identifier=username)
            logger.info(
                "sign-in succeeded",
                extra={"event": "security:signin:succeeded", "user_id": user.pk},
            )
        return user


def _remember(request, verdict: Verdict) -> None:
    if request is not None and not verdict.allowed:
        request.civitas_signin_retry_after = verdict.retry_after


def lockout_error(request) -> ValidationError | None:
    """The form error to show when the last sign-in attempt met a lock, else None."""
    seconds = getattr(request, "civitas_signin_retry_after", 0)
    if not seconds:
        return None
    minutes = max(1, (seconds + 59) // 60)
    return ValidationError(
        ngettext(
            "Too many failed attempts to sign in. Wait %(minutes)s minute and try again.",
            "Too many failed attempts to sign in. Wait %(minutes)s minutes and try again.",
            minutes,
        )
        % {"minutes": minutes},
        code="locked",
    )
