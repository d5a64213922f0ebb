"""A case follows one application through the back office; its tasks are the work queue."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from civitas.applications.models import Application
from civitas.casework.lifecycles import ACTIVE_TASK_STATES, REDRESS_TASKS, TaskKind, TaskState
from civitas.programs.models import Program
from civitas.registry.models import Household, Office, Person, Region


class Case(models.Model):
    """Back-office facts about an application: where it belongs (programme, region, office).

    Who entered the application's data is the application's own ``created_by``."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(db_index=True)  # when the application was submitted
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"case of {self.application_id}"


class Task(models.Model):
    """One step someone has to take: review, second approval, an appeal or a complaint.

    Programme, region, office and application are copied from the case so the queue is one
    indexed table. ``due_at`` moves forward by the time spent waiting for the applicant.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    # changes only through civitas.casework.services (see lifecycles.TASK_TRANSITIONS)
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    # the queue that lists the task while it is live ("cases" or "redress"), empty once finished;
    # set together with ``state`` so the queue reads one equality-indexed column
    queue = models.CharField(max_length=10, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        "casework.Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    grievance = models.ForeignKey(
        "casework.Grievance",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="casework_tasks",
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            # one live task of each kind per case: a double click cannot open two reviews
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(state__in=ACTIVE_TASK_STATES),
                name="casework_one_live_task_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["queue", "created_at"], name="casework_task_queue_age"),
            models.Index(fields=["queue", "due_at"], name="casework_task_queue_due"),
            models.Index(fields=["assignee", "queue", "created_at"], name="casework_task_mine"),
            models.Index(fields=["program", "queue", "created_at"], name="casework_task_prog"),
            models.Index(fields=["region", "queue", "created_at"], name="casework_task_region"),
            models.Index(fields=["office", "queue", "created_at"], name="casework_task_office"),
            # the few tasks waiting for an applicant, found without scanning the queue
            models.Index(
                fields=["kind"], condition=models.Q(state="waiting"), name="casework_task_waiting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

    @staticmethod
    def queue_for(kind: str) -> str:
        return QUEUE_REDRESS if kind in REDRESS_TASKS else QUEUE_CASES

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.state == TaskState.OPEN and self.due_at < timezone.now()


QUEUE_CASES = "cases"
QUEUE_REDRESS = "redress"


class TimeLimit(models.Model):
    """Days allowed for a kind of task, for one programme or (programme empty) for all."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind"],
                condition=models.Q(program__isnull=False),
                name="casework_time_limit_per_program",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(program__isnull=True),
                name="casework_time_limit_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days} days"


class OfficeRotation(models.Model):
    """Who in an office received the last automatically assigned task (round-robin)."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="+")
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"rotation of {self.office_id}"
