"""What the security app stores: sign-in failure counters (keyed hashes, never raw identifiers)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("Account")  # failures for one sign-in name, whoever tries it
    ADDRESS = "address", _("Address")  # failures from one network address, whatever the name


class SignInThrottle(models.Model):
    """Failed sign-ins for one account name or one address, and the lock they earned.

    ``key`` is a keyed hash of the normalised name or address, so the table never holds the email
    addresses people mistyped (or that attackers tried).
    """

    scope = models.CharField(max_length=10, choices=ThrottleScope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    lockouts = models.PositiveIntegerField(default=0)  # consecutive locks: each one lasts longer
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="security_throttle_scope_key")
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key[:8]}…"
