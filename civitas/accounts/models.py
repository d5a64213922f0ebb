"""People who sign in: citizens, intermediaries and staff."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civitas.security.fields import EncryptedCharField


class Role(models.TextChoices):
    """Staff roles. A citizen has none; staff may hold several (stored as Django groups)."""

    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")
    POLICY_AUTHOR = "policy_author", _("Policy author")
    APPROVER = "approver", _("Policy approver")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(max_length=8, default="en")
    is_staff = models.BooleanField(
        default=False, help_text="Staff work in the back office; citizens never do."
    )
    is_active = models.BooleanField(default=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.email

    def has_role(self, role: str) -> bool:
        if not self.is_active or not self.is_staff:
            return False
        return self.is_superuser or self.groups.filter(name=role).exists()

    @property
    def roles(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True)) if self.is_staff else []


class TOTPDevice(models.Model):
    """An authenticator app a person set up: the shared secret and the last code used.

    A device exists only once the person proved the app works by typing a correct code; until then
    the secret lives in their session, encrypted (``civitas.accounts.sessions``), and is never a
    second factor. ``last_used_step`` refuses a code seen before (replay), and
    ``failed_attempts``/``locked_until`` slow down guessing.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedCharField(max_length=64)  # a stolen database alone cannot mint codes
    confirmed_at = models.DateTimeField()
    last_used_step = models.BigIntegerField(default=-1)
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"authenticator app of {self.user}"


class RecoveryCode(models.Model):
    """A one-use code for when the authenticator app is lost; only its SHA-256 digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "digest"])]

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class ExternalIdentity(models.Model):
    """An account at an identity provider (national eID) linked to a Civitas account.

    People are recognised by the provider's subject identifier, which is only unique per
    provider, so the pair (issuer, subject) is the key. Email addresses are never used to match.
    """

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="accounts_one_account_per_external_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject} -> {self.user}"
