"""Which programmes and places a staff member works on."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civitas.programs.models import Program
from civitas.registry.models import Office, Region


class StaffScope(models.Model):
    """A staff member's reach: programmes, and regions or offices. No scope means no cases.

    A case is within reach when its programme is covered (or ``all_programmes``) and its region or
    office is covered (or ``whole_country``). Outside the reach, a case answers 404 like a missing one.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_scope"
    )
    all_programmes = models.BooleanField(default=False)
    programs = models.ManyToManyField(Program, blank=True, related_name="+")
    whole_country = models.BooleanField(default=False)
    regions = models.ManyToManyField(Region, blank=True, related_name="+")
    offices = models.ManyToManyField(Office, blank=True, related_name="+")
    # where the person sits: automatic assignment shares an office's cases among its staff
    home_office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_scopes"
    )

    def __str__(self) -> str:
        return f"scope of {self.user}"
