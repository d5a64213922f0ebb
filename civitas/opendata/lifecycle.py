"""The dataset lifecycle: named states and the only transitions allowed between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared by its publisher, seen only by them
    ACTIVE = "active", _("Published")  # in the catalogue (to everyone, or to members if private)
    DELETED = "deleted", _("Deleted")  # withdrawn from every listing; kept for the record


TRANSITIONS: dict[str, set[str]] = {
    DatasetState.DRAFT: {DatasetState.ACTIVE, DatasetState.DELETED},
    DatasetState.ACTIVE: {DatasetState.DELETED},
    DatasetState.DELETED: {DatasetState.ACTIVE},
}


class ResourceState(models.TextChoices):
    ACTIVE = "active", _("Active")
    DELETED = "deleted", _("Deleted")


class TransitionNotAllowed(Exception):
    """The requested state change is not allowed from the current state."""


def check_transition(current: str, target: str) -> None:
    if current == target:
        return
    if target not in TRANSITIONS.get(current, set()):
        raise TransitionNotAllowed(f"a dataset that is {current} cannot become {target}")
