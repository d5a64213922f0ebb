"""Signing in with a national eID: finding or creating the account for an OpenID Connect subject."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.accounts.models import ExternalIdentity, User
from civitas.accounts.services.errors import EidRefused
from civitas.audit import services as audit


@dataclass(frozen=True)
class PersonMatch:
    """What a person matcher found for a national ID (see ``OIDC_PERSON_MATCHER``).

    ``account`` is the account already linked to that person, if any; ``link`` links an account
    to the person when there is none yet; ``label`` names the person in the audit trail.
    """

    label: str
    account: User | None
    link: Callable[[User], None]


def _eid_account(claims: dict, *, issuer: str, subject: str) -> User:
    """A new citizen account for someone known only by their eID. The email claim is kept as a
    contact address only if the provider verified it and no other account uses it; it is never
    used to find an account."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") is True
    if not (email and verified and not User.objects.filter(email=email).exists()):
        email = f"eid.{hashlib.sha256(f'{issuer} {subject}'.encode()).hexdigest()[:24]}@accounts.invalid"
        verified = False
    name = claims.get("name") or " ".join(
        str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)
    )
    user = User.objects.create_user(
        email=email,
        password=None,  # an unusable password: this account signs in with the eID
        full_name=str(name)[:200],
        email_verified_at=timezone.now() if verified else None,
    )
    audit.record(
        actor=user,
        action="accounts:user:created",
        subject=user,
        after={"kind": "citizen", "source": "eid", "issuer": issuer},
    )
    return user


@transaction.atomic
def sign_in_with_eid(
    *,
    issuer: str,
    subject: str,
    claims: dict,
    national_id: str = "",
    matcher: Callable[..., PersonMatch | None] | None = None,
    current_user: User | None = None,
) -> User:
    """The account for an eID sign-in: first by the provider's subject (issuer + sub), then by the
    national ID claim through the registry matcher, else a new account. When someone already signed
    in links their eID, ``current_user`` is that account. Never matches on the email address."""
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    match = matcher(national_id=national_id, claims=claims) if (matcher and national_id) else None
    if identity is not None:
        user = identity.user
        if current_user is not None and current_user.pk != user.pk:
            raise EidRefused(_("This eID is already linked to another account."))
    else:
        user = current_user or (match.account if match else None)
        if match and match.account and user and match.account.pk != user.pk:
            raise EidRefused(_("This eID belongs to a person linked to another account."))
        if user is None:
            user = _eid_account(claims, issuer=issuer, subject=subject)
        identity = ExternalIdentity.objects.create(issuer=issuer, subject=subject, user=user)
        audit.record(
            actor=user,
            action="accounts:eid:linked",
            subject=user,
            after={"issuer": issuer, "subject": subject, "person": match.label if match else ""},
        )
    if not user.is_active:
        raise EidRefused(_("This account is not active."))
    if match and match.account is None:
        match.link(user)
    identity.last_used_at = timezone.now()
    identity.save(update_fields=["last_used_at"])
    audit.record(
        actor=user,
        action="accounts:session:signed_in",
        subject=user,
        context={"method": "eid", "issuer": issuer},
    )
    return user
