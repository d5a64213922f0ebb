"""Telling an account owner that their account was locked after failed sign-ins.

Registered with ``civitas.security.signin`` at start-up; runs inside the transaction that locks the
account, so the audit event and the stored email commit together with the lock.
"""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.notify import services as notify


def notify_owner_of_lockout(*, user, locked_until) -> None:
    audit.record(
        actor="security",
        action="security:signin:locked",
        subject=user,
        after={"locked_until": locked_until.isoformat()},
    )
    with translation.override(getattr(user, "preferred_language", None) or "en"):
        until = formats.date_format(locked_until, "DATETIME_FORMAT")
        notify.queue_email(
            recipient=user,
            subject=_("Your account has been locked for a while"),
            body=_(
                "Someone tried to sign in to your account several times with the wrong password, "
                "so we have stopped all sign-ins to it until %(until)s (UTC).\n\n"
                "If this was you, wait and try again, or reset your password.\n"
                "If it was not you, your password is still safe: nobody signed in. We recommend "
                "you choose a new, longer password that you do not use anywhere else."
            )
            % {"until": until},
            actor="security",
        )
