"""Accounts: creating them, confirming addresses, passwords, signing in.

Emails are queued through ``civitas.notify`` inside the same transaction, so they are sent only if
the write commits, and are kept so the person can also read them in the portal.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civitas.accounts import tokens
from civitas.accounts.models import Role, User
from civitas.audit import services as audit
from civitas.notify import services as notify


@transaction.atomic
def create_citizen(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    actor=None,
    email_verified: bool = True,
    preferred_language: str = "en",
) -> User:
    """An account created by someone who vouches for the address (the demo loader, staff helping
    a person, an administrator). People who sign themselves up go through ``sign_up`` instead,
    which leaves the address unconfirmed until they follow the link we send."""
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        preferred_language=preferred_language,
        email_verified_at=timezone.now() if email_verified else None,
    )
    audit.record(
        actor=actor or user,
        action="accounts:user:created",
        subject=user,
        after={"email": user.email, "kind": "citizen", "email_verified": email_verified},
    )
    return user


@transaction.atomic
def create_staff(
    *, email: str, password: str, full_name: str, roles: list[str], actor=None
) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, email_verified_at=timezone.now()
    )
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    audit.record(
        actor=actor,
        action="accounts:user:created",
        subject=user,
        after={"email": user.email, "kind": "staff", "roles": sorted(roles)},
    )
    return user


def _send(user: User, *, template: str, subject: str, context: dict, actor=None) -> None:
    """Queue an email to ``user`` in their language (inside the caller's transaction)."""
    with translation.override(user.preferred_language or "en"):
        body = render_to_string(
            f"accounts/email/{template}.txt",
            {"user": user, "site_name": settings.CIVITAS_SITE_NAME, **context},
        )
        notify.queue_email(recipient=user, subject=str(_(subject)), body=body, actor=actor)


@transaction.atomic
def sign_up(
    *, email: str, password: str, full_name: str, language: str, base_url: str
) -> User | None:
    """Create an account with an unconfirmed address and send the link that confirms it.

    When the address already has an account, nothing is created; its owner gets an email saying
    so instead. The caller shows the same "check your email" page either way, so the form never
    tells anyone whether an address is registered. Returns the new account, or None.
    """
    email = User.objects.normalize_email(email).lower()
    hashed = make_password(password)  # hashed in both branches, so both take the same time
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        audit.record(actor=None, action="accounts:user:sign_up_repeated", subject=existing)
        _send(
            existing,
            template="already_registered",
            subject="You already have an account",
            context={
                "sign_in_url": base_url + reverse("accounts:login"),
                "reset_url": base_url + reverse("accounts:password_reset"),
            },
        )
        return None
    user = User.objects.create(
        email=email, password=hashed, full_name=full_name, preferred_language=language
    )
    audit.record(
        actor=user,
        action="accounts:user:created",
        subject=user,
        after={"email": email, "kind": "citizen", "email_verified": False},
    )
    _send_verification(user, base_url=base_url)
    return user


def _send_verification(user: User, *, base_url: str) -> None:
    link = base_url + reverse(
        "accounts:verify_email", args=[tokens.make_token(tokens.VERIFY_EMAIL, user)]
    )
    _send(
        user, template="verify_email", subject="Confirm your email address", context={"link": link}
    )


@transaction.atomic
def resend_verification(*, user: User, base_url: str) -> None:
    if user.email_verified_at is not None:
        return
    audit.record(actor=user, action="accounts:email:verification_sent", subject=user)
    _send_verification(user, base_url=base_url)


@transaction.atomic
def verify_email(*, token: str) -> User | None:
    """Confirm the address the token was sent to; None when the link is wrong, old or used."""
    user = tokens.read_token(tokens.VERIFY_EMAIL, token)
    if user is None:
        return None
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit.record(
        actor=user, action="accounts:email:verified", subject=user, after={"email": user.email}
    )
    return user


def request_password_reset(*, email: str, base_url: str) -> None:
    """Ask for a reset link. The lookup and the email happen in a background task, so the answer
    to the request takes the same time and looks the same whether or not the account exists."""
    from civitas.accounts.tasks import send_password_reset

    send_password_reset.enqueue(email=email, base_url=base_url)


@transaction.atomic
def send_password_reset(*, email: str, base_url: str) -> bool:
    """Email a reset link if an active account has this address (run by the task)."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return False
    link = base_url + reverse(
        "accounts:password_reset_confirm", args=[tokens.make_token(tokens.RESET_PASSWORD, user)]
    )
    audit.record(actor=None, action="accounts:password:reset_requested", subject=user)
    _send(user, template="reset_password", subject="Reset your password", context={"link": link})
    return True


@transaction.atomic
def reset_password(*, user: User, password: str) -> User:
    """Set a new password from a reset link. Following the link proved the address, so an
    unconfirmed address becomes confirmed. Every other session of the account ends, because
    Django ties sessions to the password hash."""
    user.set_password(password)
    fields = ["password"]
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
    user.save(update_fields=fields)
    audit.record(actor=user, action="accounts:password:reset", subject=user)
    return user


@transaction.atomic
def record_sign_in(*, user: User, method: str) -> None:
    audit.record(
        actor=user, action="accounts:session:signed_in", subject=user, context={"method": method}
    )


@transaction.atomic
def set_language(*, user: User, language: str) -> None:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
