"""What every back-office view needs: the staff check and the errors a person can read."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from civitas.applications.lifecycle import TransitionNotAllowed
from civitas.casework.errors import ActionRefused
from civitas.casework.selectors import can_see_cases
from civitas.registry.problems import FileRefused

# Errors a service raises with a message meant for the person: shown on the page, never a 500.
READABLE_ERRORS = (ActionRefused, TransitionNotAllowed, ValueError, FileRefused)


def require_case_staff(request) -> None:
    """Same 404 as a missing page for anyone who does not work on cases."""
    if not can_see_cases(request.user):
        raise Http404("Not found")


def readable(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return "You cannot do this on this case."
    return str(exc)
