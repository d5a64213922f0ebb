"""Systems that call the GovStack Registration building-block API."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiClient(models.Model):
    """A calling system, known by its Information-Mediator-Client identifier and a token.

    The identifier is ``INSTANCE/CLASS/MEMBER/SUBSYSTEM`` (X-Road style). The token is stored as a
    SHA-256 hash. Operator calls act as ``acts_as`` and see only what that staff member's scope
    allows; applicant calls (``may_submit``) may submit applications for registered persons.
    """

    name = models.CharField(max_length=120)
    im_client = models.CharField(max_length=255, unique=True)
    token_sha256 = models.CharField(max_length=64)
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    may_submit = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.im_client
