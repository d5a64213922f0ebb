"""API tokens: created, revoked, used."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.opendata.errors import ValidationError
from civitas.opendata.models import (
    ApiToken,
)
from civitas.opendata.selectors import token_digest


@transaction.atomic
def create_token(
    *, actor, user, name: str, expires: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its digest is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, such as the program that uses it"]})
    raw = "civ_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=token_digest(raw),
        created=timezone.now(),
        expires=expires,
    )
    audit.record(
        actor=actor,
        action="opendata:token:created",
        subject=token,
        after={"user": user.pk, "name": token.name, "expires": expires},
    )
    return token, raw


@transaction.atomic
def revoke_token(*, actor, token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked is None:
        locked.revoked = timezone.now()
        locked.save(update_fields=["revoked"])
        audit.record(
            actor=actor,
            action="opendata:token:revoked",
            subject=locked,
            after={"user": locked.user_id, "name": locked.name},
        )
    return locked


def note_token_use(token: ApiToken) -> None:
    """Remember when a token was last used (at most once a minute). A usage timestamp, not a
    change to anything a person decided: it is not an audit event."""
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
