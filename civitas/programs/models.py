"""The programme catalogue and each programme's dated versions (rules, form, documents)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Program(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, help_text="One sentence for the catalogue.")
    who_can_apply = models.TextField()
    what_you_need = models.TextField()
    how_long = models.CharField(max_length=200)
    # the service standard behind "how long": working days from sending to a decision
    decision_days = models.PositiveSmallIntegerField(default=10)
    what_happens_next = models.TextField()
    is_published = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name

    def version_in_force(self) -> ProgramVersion | None:
        return self.versions.filter(status=VersionStatus.IN_FORCE).order_by("-number").first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_FORCE = "in_force", _("In force")
    RETIRED = "retired", _("Retired")


class ProgramVersion(models.Model):
    """A programme's rules and application form as they stand from ``effective_from``.

    ``rules`` holds the rules engine's programme folder as ``{relative path: YAML text}``, and ``form``
    the application form as data, so a new programme or version needs no deploy.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default="draft")
    effective_from = models.DateField()
    rules = models.JSONField(default=dict)
    form = models.JSONField(default=dict)
    legal_basis = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="programs_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.program.slug} v{self.number}"
