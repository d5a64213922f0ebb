"""The application lifecycle: named states and the only transitions allowed between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Received")  # sent by the citizen, waiting for a caseworker
    UNDER_REVIEW = "under_review", _("Being reviewed")  # a caseworker is working on it
    INFORMATION_REQUESTED = "information_requested", _("We need more information")
    APPROVED = "approved", _("Approved")  # final: benefit granted
    REJECTED = "rejected", _("Not approved")  # final: benefit refused, with reasons
    WITHDRAWN = "withdrawn", _("Withdrawn")  # final: the citizen withdrew it


TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.UNDER_REVIEW, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
    Status.UNDER_REVIEW: {
        Status.INFORMATION_REQUESTED,
        Status.APPROVED,
        Status.REJECTED,
        Status.WITHDRAWN,
    },
    Status.INFORMATION_REQUESTED: {Status.UNDER_REVIEW, Status.WITHDRAWN},
    Status.APPROVED: set(),
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}

OPEN_STATES = {Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED}


class TransitionNotAllowed(Exception):
    """The requested change is not allowed from the current state; the message says why."""


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise TransitionNotAllowed(
            _("This application is %(current)s, so it cannot be %(target)s.")
            % {"current": Status(current).label.lower(), "target": Status(target).label.lower()}
        )
