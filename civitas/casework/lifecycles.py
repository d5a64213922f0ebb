"""Named states of casework objects and the only transitions allowed between them.

Each ``TextChoices`` has one comment per state; each ``*_TRANSITIONS`` table is the whole truth
about how that object moves. Services call ``check`` before they change a status, and nothing
else changes one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.casework.errors import ActionRefused


class TaskKind(models.TextChoices):
    REVIEW = "review", _("Review the application")  # first decision on an application
    SECOND_APPROVAL = "second_approval", _("Second approval")  # four-eyes check by a supervisor
    APPEAL = "appeal", _("Decide the appeal")  # a citizen contests a decision
    GRIEVANCE = "grievance", _("Answer the complaint")  # a citizen complains about the service


CASE_TASKS = (TaskKind.REVIEW, TaskKind.SECOND_APPROVAL)
REDRESS_TASKS = (TaskKind.APPEAL, TaskKind.GRIEVANCE)


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")  # someone has to act; the clock runs
    WAITING = "waiting", _("Waiting for the applicant")  # information requested; clock paused
    DONE = "done", _("Done")  # final: completed with an outcome
    CANCELLED = "cancelled", _("Cancelled")  # final: no longer needed (withdrawn application)


TASK_TRANSITIONS: dict[str, set[str]] = {
    TaskState.OPEN: {TaskState.WAITING, TaskState.DONE, TaskState.CANCELLED},
    TaskState.WAITING: {TaskState.OPEN, TaskState.CANCELLED},
    TaskState.DONE: set(),
    TaskState.CANCELLED: set(),
}
ACTIVE_TASK_STATES = (TaskState.OPEN, TaskState.WAITING)


class DecisionStatus(models.TextChoices):
    AWAITING_SECOND = "awaiting_second", _("Waiting for a second approval")  # four-eyes
    FINAL = "final", _("Final")  # recorded on the application and sent to the applicant
    RETURNED = "returned", _("Returned by the second approver")  # final: not confirmed


DECISION_TRANSITIONS: dict[str, set[str]] = {
    DecisionStatus.AWAITING_SECOND: {DecisionStatus.FINAL, DecisionStatus.RETURNED},
    DecisionStatus.FINAL: set(),
    DecisionStatus.RETURNED: set(),
}


class AppealStatus(models.TextChoices):
    LODGED = "lodged", _("Lodged")  # waiting for a decider other than the original one
    UPHELD = "upheld", _("Upheld")  # final: the original decision is changed
    DISMISSED = "dismissed", _("Dismissed")  # final: the original decision stands
    WITHDRAWN = "withdrawn", _("Withdrawn")  # final: the citizen withdrew it


APPEAL_TRANSITIONS: dict[str, set[str]] = {
    AppealStatus.LODGED: {AppealStatus.UPHELD, AppealStatus.DISMISSED, AppealStatus.WITHDRAWN},
    AppealStatus.UPHELD: set(),
    AppealStatus.DISMISSED: set(),
    AppealStatus.WITHDRAWN: set(),
}


class GrievanceStatus(models.TextChoices):
    OPEN = "open", _("Open")  # waiting for an answer
    RESOLVED = "resolved", _("Resolved")  # final: the complaint was justified and acted on
    NOT_UPHELD = "not_upheld", _("Not upheld")  # final: answered, no fault found


GRIEVANCE_TRANSITIONS: dict[str, set[str]] = {
    GrievanceStatus.OPEN: {GrievanceStatus.RESOLVED, GrievanceStatus.NOT_UPHELD},
    GrievanceStatus.RESOLVED: set(),
    GrievanceStatus.NOT_UPHELD: set(),
}


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # receives the benefit; included in payment cycles
    SUSPENDED = "suspended", _("Suspended")  # temporarily not paid
    ENDED = "ended", _("Ended")  # final


ENROLMENT_TRANSITIONS: dict[str, set[str]] = {
    EnrolmentStatus.ACTIVE: {EnrolmentStatus.SUSPENDED, EnrolmentStatus.ENDED},
    EnrolmentStatus.SUSPENDED: {EnrolmentStatus.ACTIVE, EnrolmentStatus.ENDED},
    EnrolmentStatus.ENDED: set(),
}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for the worker
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")  # final
    FAILED = "failed", _("Failed")  # final: see the message


RUN_TRANSITIONS: dict[str, set[str]] = {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.FAILED},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED},
    RunStatus.DONE: set(),
    RunStatus.FAILED: set(),
}


def check(table: dict[str, set[str]], choices: type[models.TextChoices], current, target) -> None:
    """Refuse, with a reason a person can read, a move the table does not allow."""
    if target not in table.get(current, set()):
        raise ActionRefused(
            _("This is %(current)s, so it cannot become %(target)s.")
            % {
                "current": str(choices(current).label).lower(),
                "target": str(choices(target).label).lower(),
            }
        )
