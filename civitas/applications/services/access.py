"""Credentials for the public API: personal access tokens and OAuth 2 (authorization code with
PKCE) for third-party apps. Tokens, refresh tokens and codes are kept only as SHA-256 hashes.

OAuth follows RFC 6749 and RFC 7636 with the current best practice (RFC 9700): PKCE with S256 is
required of every client, redirect URIs match exactly, a code works once and for five minutes, and a
code used twice revokes what it gave; refresh tokens rotate on every use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.applications.models import (
    SCOPES,
    ApiToken,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    OAuthClient,
    OAuthGrant,
    TokenKind,
)
from civitas.audit import services as audit

PAT_PREFIX = "cvt_pat_"
ACCESS_PREFIX = "cvt_oat_"
REFRESH_PREFIX = "cvt_ort_"
CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=30)
TOUCH_EVERY = timedelta(hours=1)  # how often "last used" is written (and audited)


class OAuthError(Exception):
    """An OAuth request refused, with the RFC 6749 error code and a description."""

    def __init__(self, error: str, description: str = "", status: int = 400):
        self.error = error
        self.description = description
        self.status = status
        super().__init__(f"{error}: {description}")


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def _check_scopes(scopes: list[str]) -> list[str]:
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(_("Select what the token may do"))
    return sorted(set(scopes))


# --- personal access tokens ---------------------------------------------------------------------
@transaction.atomic
def create_personal_token(
    *, user, name: str, scopes: list[str], expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """A token a person makes for their own scripts or apps; the raw token is shown once."""
    if user.is_staff:
        raise ValueError(
            _("Staff accounts cannot make API tokens: the public API acts for citizens")
        )
    if not name.strip():
        raise ValueError(_("Enter a name for the token, so you can recognise it later"))
    scopes = _check_scopes(scopes)
    raw = _new_secret(PAT_PREFIX)
    token = ApiToken.objects.create(
        user=user,
        kind=TokenKind.PERSONAL,
        name=name.strip()[:100],
        token_hash=hash_secret(raw),
        prefix=raw[: len(PAT_PREFIX) + 4],
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit.record(
        actor=user,
        action="applications:token:created",
        subject=token,
        after={
            "kind": token.kind,
            "name": token.name,
            "scopes": scopes,
            "expires_at": token.expires_at,
        },
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="applications:token:revoked", subject=token)
    return token


def touch_token(token: ApiToken) -> None:
    """Remember when a token was last used (at most once an hour, so reads stay reads)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOUCH_EVERY:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        audit.record(actor=token.user, action="applications:token:used", subject=token)


# --- OAuth 2 -----------------------------------------------------------------------------------
@transaction.atomic
def create_oauth_client(
    *, actor, name: str, redirect_uris: list[str], scopes: list[str], confidential: bool
) -> tuple[OAuthClient, str]:
    """Register a third-party app; returns it and its secret ("" for a public client)."""
    if not redirect_uris:
        raise ValueError("an OAuth client needs at least one redirect URI")
    scopes = _check_scopes(scopes)
    secret = secrets.token_urlsafe(32) if confidential else ""
    client = OAuthClient.objects.create(
        client_id=secrets.token_urlsafe(16),
        name=name,
        secret_hash=hash_secret(secret) if secret else "",
        redirect_uris="\n".join(redirect_uris),
        scopes=scopes,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="applications:oauth_client:created",
        subject=client,
        after={
            "name": name,
            "redirect_uris": redirect_uris,
            "scopes": scopes,
            "confidential": confidential,
        },
    )
    return client, secret


def check_authorization_request(
    *,
    client: OAuthClient | None,
    redirect_uri: str,
    scopes: list[str],
    code_challenge: str,
    method: str,
) -> None:
    """Raise OAuthError when the request cannot be granted (the caller decides where to show it:
    an unknown client or redirect URI is never redirected to)."""
    if client is None or not client.active:
        raise OAuthError("invalid_client", "unknown client")
    if redirect_uri not in client.redirect_uri_list:
        raise OAuthError("invalid_request", "redirect_uri is not registered for this client")
    if not scopes or set(scopes) - set(client.scopes):
        raise OAuthError("invalid_scope", "the client may not ask for these scopes")
    if method != "S256":
        raise OAuthError("invalid_request", "PKCE with code_challenge_method=S256 is required")
    if not 43 <= len(code_challenge) <= 128:
        raise OAuthError("invalid_request", "code_challenge must be 43 to 128 characters")


@transaction.atomic
def authorize_client(
    *,
    user,
    client: OAuthClient,
    redirect_uri: str,
    scopes: list[str],
    code_challenge: str,
    code_challenge_method: str = "S256",
) -> str:
    """The person said yes: record their consent and return a one-time authorization code."""
    check_authorization_request(
        client=client,
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=code_challenge,
        method=code_challenge_method,
    )
    consent = Consent.objects.create(
        purpose=ConsentPurpose.THIRD_PARTY_APP,
        user=user,
        recorded_by=user,
        method=ConsentMethod.ONLINE,
        detail=f"{client.name}: {', '.join(sorted(scopes))}"[:300],
    )
    audit.record(
        actor=user,
        action="applications:consent:given",
        subject=consent,
        after={"purpose": consent.purpose, "client": client.client_id, "scopes": sorted(scopes)},
    )
    code = secrets.token_urlsafe(32)
    grant = OAuthGrant.objects.create(
        client=client,
        user=user,
        code_hash=hash_secret(code),
        redirect_uri=redirect_uri,
        scopes=sorted(set(scopes)),
        code_challenge=code_challenge,
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    audit.record(
        actor=user,
        action="applications:oauth:authorized",
        subject=grant,
        after={"client": client.client_id, "scopes": grant.scopes},
    )
    return code


def authenticate_client(client_id: str, client_secret: str) -> OAuthClient:
    """The active client these credentials prove, or OAuthError(invalid_client)."""
    client = OAuthClient.objects.filter(client_id=client_id, active=True).first()
    if client is None:
        raise OAuthError("invalid_client", "unknown client", status=401)
    if client.is_confidential and not hmac.compare_digest(
        client.secret_hash, hash_secret(client_secret or "")
    ):
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    return client


def _issue(*, user, client: OAuthClient, scopes: list[str], grant: OAuthGrant | None) -> dict:
    access, refresh = _new_secret(ACCESS_PREFIX), _new_secret(REFRESH_PREFIX)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        kind=TokenKind.OAUTH,
        name=client.name,
        client=client,
        grant=grant,
        token_hash=hash_secret(access),
        refresh_hash=hash_secret(refresh),
        prefix=access[: len(ACCESS_PREFIX) + 4],
        scopes=scopes,
        expires_at=now + ACCESS_LIFETIME,
        refresh_expires_at=now + REFRESH_LIFETIME,
    )
    audit.record(
        actor=user,
        action="applications:token:created",
        subject=token,
        after={"kind": token.kind, "client": client.client_id, "scopes": scopes},
    )
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_LIFETIME.total_seconds()),
        "refresh_token": refresh,
        "scope": " ".join(scopes),
    }


def _pkce_matches(verifier: str, challenge: str) -> bool:
    if not 43 <= len(verifier) <= 128:
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return hmac.compare_digest(computed.decode(), challenge)


def exchange_code(
    *, client_id: str, client_secret: str, code: str, redirect_uri: str, code_verifier: str
) -> dict:
    """The token endpoint's authorization_code grant."""
    client = authenticate_client(client_id, client_secret)
    with transaction.atomic():
        grant = (
            OAuthGrant.objects.select_for_update()
            .filter(code_hash=hash_secret(code or ""), client=client)
            .first()
        )
        if grant is None:
            raise OAuthError("invalid_grant", "the code is not valid")
        if grant.used_at is not None:
            # a code used twice: someone else may hold it, so what it gave is taken back
            now = timezone.now()
            for token in ApiToken.objects.filter(grant=grant, revoked_at__isnull=True):
                token.revoked_at = now
                token.save(update_fields=["revoked_at"])
                audit.record(
                    actor=None,
                    action="applications:token:revoked",
                    subject=token,
                    context={"reason": "authorization code replayed"},
                )
            replayed = True  # committed first: the revocation stands although this is refused
        else:
            replayed = False
            if grant.expires_at <= timezone.now():
                raise OAuthError("invalid_grant", "the code has expired")
            if grant.redirect_uri != redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri does not match the authorization")
            if not _pkce_matches(code_verifier or "", grant.code_challenge):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
            grant.used_at = timezone.now()
            grant.save(update_fields=["used_at"])
            audit.record(actor=grant.user, action="applications:oauth:code_used", subject=grant)
            issued = _issue(user=grant.user, client=client, scopes=grant.scopes, grant=grant)
    if replayed:
        raise OAuthError("invalid_grant", "the code has already been used")
    return issued


def refresh_access_token(*, client_id: str, client_secret: str, refresh_token: str) -> dict:
    """The token endpoint's refresh_token grant: the old pair stops working, a new pair is given."""
    client = authenticate_client(client_id, client_secret)
    with transaction.atomic():
        old = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(refresh_hash=hash_secret(refresh_token or ""), client=client)
            .first()
        )
        now = timezone.now()
        if (
            old is None
            or old.revoked_at is not None
            or (old.refresh_expires_at and old.refresh_expires_at <= now)
            or not old.user.is_active
        ):
            raise OAuthError("invalid_grant", "the refresh token is not valid")
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        audit.record(actor=old.user, action="applications:token:rotated", subject=old)
        return _issue(user=old.user, client=client, scopes=old.scopes, grant=old.grant)
