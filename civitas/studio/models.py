"""What the studio keeps beside a programme version: who wrote it, its edit revision, start page
texts, test cases, reviews and simulation results. The version itself (rules, form, status) is
``programs.ProgramVersion``; its status changes only through ``programs.versioning``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civitas.programs.models import ProgramVersion


class Workspace(models.Model):
    """The studio's record of one version: optimistic lock and texts.

    ``revision`` goes up by one on every save; a save that names an older revision is refused,
    so two authors editing the same draft never overwrite each other silently."""

    version = models.OneToOneField(ProgramVersion, on_delete=models.CASCADE, related_name="studio")
    revision = models.PositiveIntegerField(default=1)
    template = models.CharField(max_length=40, blank=True)
    # start page texts by language: {"en": {"name": ..., "summary": ..., ...}, "fr": {...}}
    texts = models.JSONField(default=dict)
    # empty for a programme imported from a folder on the command line
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"studio of {self.version}"


class Authorship(models.Model):
    """Everyone who wrote part of a version; none of them may approve it."""

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="authors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="studio_one_authorship"),
        ]

    def __str__(self) -> str:
        return f"{self.user} wrote {self.version}"


class TestCase(models.Model):
    """A situation and the values the rules must give for it, within ``tolerance``."""

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="cases")
    name = models.CharField(max_length=200)
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    situation = models.TextField(help_text="YAML: the test input (household and persons)")
    expected = models.TextField(help_text="YAML: variable: value")
    tolerance = models.FloatField(default=0.0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class Review(models.Model):
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.decision} {self.version}"


class Simulation(models.Model):
    """A draft compared with a baseline over the registry population, kept for the review."""

    version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="simulations"
    )
    revision = models.PositiveIntegerField()
    baseline = models.CharField(max_length=80)  # "v3 (in force)" or "no programme"
    period = models.CharField(max_length=7)
    households = models.PositiveIntegerField()
    report = models.JSONField()
    seconds = models.FloatField()
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-run_at"]

    def __str__(self) -> str:
        return f"simulation of {self.version} for {self.period}"
