"""Credentials for the public API: personal access tokens and OAuth 2 for third-party apps.

Every token acts for exactly one person and only within its scopes. Tokens and codes are stored as
SHA-256 hashes: they are long random strings, so a fast hash is enough, and a copy of the database
gives nobody a usable token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What a token may do. Every scope acts only for the person the token belongs to.
SCOPES = {
    "applications:read": _("See your applications, their status and messages"),
    "applications:write": _("Start, fill in, send and withdraw applications for you"),
    "documents:write": _("Upload documents to your applications"),
}


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal access token")
    OAUTH = "oauth", _("App authorised with OAuth")


class OAuthClient(models.Model):
    """A third-party app registered to ask people for access (registered by an administrator)."""

    client_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    # empty for public clients (mobile and browser apps), which must use PKCE
    secret_hash = models.CharField(max_length=64, blank=True)
    redirect_uris = models.TextField(help_text="One exact redirect URI per line.")
    scopes = models.JSONField(default=list, help_text="The scopes this app may ask for.")
    homepage = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "OAuth client"

    def __str__(self) -> str:
        return self.name

    @property
    def redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]

    @property
    def is_confidential(self) -> bool:
        return bool(self.secret_hash)


class OAuthGrant(models.Model):
    """An authorization code: single use, short-lived, bound to the redirect URI and PKCE."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=500)
    scopes = models.JSONField(default=list)
    code_challenge = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"grant for {self.client} ({self.created_at:%Y-%m-%d %H:%M})"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    name = models.CharField(max_length=100)
    client = models.ForeignKey(
        OAuthClient, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens"
    )
    grant = models.ForeignKey(
        OAuthGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    refresh_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    prefix = models.CharField(max_length=16)  # the first characters, to recognise a token
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
