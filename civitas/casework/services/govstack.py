"""Registering systems that call the GovStack Registration API."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.casework.errors import ActionRefused
from civitas.casework.models import ApiClient


@transaction.atomic
def register_api_client(
    *, name: str, im_client: str, acts_as, actor, may_submit: bool = False
) -> tuple[ApiClient, str]:
    """A new client and its token (shown once; only its SHA-256 is kept)."""
    from civitas.casework.govstack.auth import token_digest

    parts = im_client.split("/")
    if len(parts) != 4 or not all(parts):
        raise ActionRefused("the identifier must be INSTANCE/CLASS/MEMBER/SUBSYSTEM")
    if not acts_as.is_staff:
        raise ActionRefused("an API client acts as a staff account")
    token = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        im_client=im_client,
        token_sha256=token_digest(token),
        acts_as=acts_as,
        may_submit=may_submit,
        active=True,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="casework:api_client:registered",
        subject=client,
        after={
            "name": name,
            "im_client": im_client,
            "acts_as": acts_as.email,
            "may_submit": may_submit,
        },
    )
    return client, token
