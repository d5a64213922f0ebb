"""The application lifecycle: named states and the only transitions allowed between them."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = (
        "draft",
        _("Not sent yet"),
    )  # being filled in; saved page by page, seen only by its author
    SUBMITTED = "submitted", _("Received")  # sent by the citizen, waiting for a caseworker
    UNDER_REVIEW = "under_review", _("Being reviewed")  # a caseworker is working on it
    INFORMATION_REQUESTED = "information_requested", _("We need more information")
    APPROVED = "approved", _("Approved")  # final: benefit granted
    REJECTED = "rejected", _("Not approved")  # final: benefit refused, with reasons
    WITHDRAWN = "withdrawn", _("Withdrawn")  # final: the citizen withdrew it


TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
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
FINAL_STATES = {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}

# What each state means to the applicant, in plain language (shown on "Your applications").
EXPLANATIONS: dict[str, str] = {
    Status.DRAFT: _("You have not sent this application yet. Your answers are saved."),
    Status.SUBMITTED: _(
        "We have your application. A caseworker will start looking at it soon. You do not need to "
        "do anything."
    ),
    Status.UNDER_REVIEW: _(
        "A caseworker is checking your application. They will contact you if they need anything."
    ),
    Status.INFORMATION_REQUESTED: _(
        "We need more information from you before we can decide. Read the request and reply."
    ),
    Status.APPROVED: _("Your application has been approved. The reason is below."),
    Status.REJECTED: _("Your application has not been approved. The reason is below."),
    Status.WITHDRAWN: _("This application was withdrawn. Nothing more will happen with it."),
}


class TransitionNotAllowed(Exception):
    """The requested change is not allowed from the current state; the message says why."""


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise TransitionNotAllowed(
            _("This application is %(current)s, so it cannot be %(target)s.")
            % {"current": Status(current).label.lower(), "target": Status(target).label.lower()}
        )


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``; public holidays are the
    country's to add when it sets its service standards."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
