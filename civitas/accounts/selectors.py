"""Reads about accounts that depend on who asks."""

from __future__ import annotations

from dataclasses import dataclass

from civitas.accounts.models import ExternalIdentity, RecoveryCode, TOTPDevice, User


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user).exists()


def mfa_required(user: User) -> bool:
    """Staff always need a second factor; citizens once they have set one up."""
    return bool(user.is_staff) or has_authenticator(user)


@dataclass(frozen=True)
class Security:
    authenticator: bool
    recovery_codes_left: int
    identities: list[ExternalIdentity]


def security_of(user: User) -> Security:
    return Security(
        authenticator=has_authenticator(user),
        recovery_codes_left=RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
        identities=list(ExternalIdentity.objects.filter(user=user).order_by("created_at")),
    )
