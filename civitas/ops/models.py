"""What operations keep in the database: the record of each periodic job run (see scheduler.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")  # claimed by one scheduler until ``lease_until``
    SUCCEEDED = "succeeded", _("Succeeded")  # final
    FAILED = "failed", _("Failed")  # final; the next slot runs the job again


class JobRun(models.Model):
    """One run of a periodic job for one slot (the scheduled moment it stands for).

    The unique (job, slot) pair is the lock: the scheduler that inserts the row runs the job, any
    other gets an integrity error and leaves it. A run still ``running`` after ``lease_until`` is
    taken to have died with its process and may be taken over once by another scheduler.
    Status changes only through ``civitas.ops.scheduler``.
    """

    job = models.CharField(max_length=60)
    slot = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    owner = models.CharField(max_length=120, help_text="host:pid of the scheduler running it")
    attempt = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    lease_until = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    output = models.TextField(blank=True, help_text="The command's last lines, or why it failed.")

    class Meta:
        ordering = ["-slot", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="ops_one_run_per_job_slot"),
        ]
        indexes = [models.Index(fields=["job", "-slot"], name="ops_jobrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M} ({self.status})"
