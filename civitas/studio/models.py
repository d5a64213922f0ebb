"""What the studio keeps beside a programme version: who wrote it, its edit revision, start page
texts, test cases, reviews and simulation results. The version itself (rules, form, status) is
``programs.ProgramVersion``; its status changes only through ``programs.versioning``."""

from __future__ import annotations

from datetime import timedelta

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


class SimulationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for the worker
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")  # final: the report is kept
    FAILED = "failed", _("Failed")  # final: see the message


# the only moves a simulation makes (``services`` checks each one)
SIMULATION_TRANSITIONS: dict[str, set[str]] = {
    SimulationStatus.QUEUED: {SimulationStatus.RUNNING, SimulationStatus.FAILED},
    SimulationStatus.RUNNING: {SimulationStatus.DONE, SimulationStatus.FAILED},
    SimulationStatus.DONE: set(),
    SimulationStatus.FAILED: set(),
}
LIVE_SIMULATION = (SimulationStatus.QUEUED, SimulationStatus.RUNNING)
# A queued or running simulation the worker has said nothing about for this long is taken as lost
# (the worker stopped): the page says so, and pressing the button again starts a new one.
STALE_AFTER = timedelta(minutes=30)


class Simulation(models.Model):
    """A draft compared with a baseline over the registry population, kept for the review.

    Queued by ``services.start_simulation`` and run by the worker (``tasks.run_simulation``),
    which writes its progress here as it goes; at most one is queued or running per version."""

    version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="simulations"
    )
    revision = models.PositiveIntegerField()  # of the rules simulated (read when it starts)
    period = models.CharField(max_length=7)
    # changes only through services (see SIMULATION_TRANSITIONS)
    status = models.CharField(
        max_length=10, choices=SimulationStatus.choices, default=SimulationStatus.QUEUED
    )
    phase = models.CharField(max_length=80, blank=True)  # what the worker is doing, in words
    baseline = models.CharField(max_length=80, blank=True)  # "v3 (in force)" or "no programme"
    households = models.PositiveIntegerField(default=0)  # in the registry
    households_done = models.PositiveIntegerField(default=0)  # compared so far
    # reading the registry first: rows of work done and in all (registry.frames.population_frames)
    read_done = models.PositiveBigIntegerField(default=0)
    read_total = models.PositiveBigIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)  # when done
    seconds = models.FloatField(null=True, blank=True)  # registry read and engine, when done
    message = models.TextField(blank=True)  # why it failed, in words for the page
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(default=timezone.now)  # when it was asked for
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)  # last word from the worker

    class Meta:
        ordering = ["-run_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(status__in=["queued", "running"]),
                name="studio_one_live_simulation_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"simulation of {self.version} for {self.period} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_SIMULATION

    @property
    def is_stale(self) -> bool:
        return self.is_live and self.updated_at < timezone.now() - STALE_AFTER

    @property
    def is_done(self) -> bool:
        return self.status == SimulationStatus.DONE

    @property
    def reading(self) -> bool:
        """Still reading the registry: nothing compared yet, and the read not at its end."""
        return self.households_done == 0 and (
            self.read_total == 0 or self.read_done < self.read_total
        )

    @property
    def percent(self) -> int:
        """Of the registry read while reading it, then of the households compared."""
        if self.reading:
            return min(100, 100 * self.read_done // self.read_total) if self.read_total else 0
        if not self.households:
            return 0
        return min(100, 100 * self.households_done // self.households)
