"""The work queues: live tasks within the reader's scope, filtered, sorted and paged.

One indexed table (``Task``) with the programme, region and office copied onto each row, so the
first page of a million open cases reads a few dozen index entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from civitas.applications.lifecycle import OPEN_STATES
from civitas.casework.lifecycles import TaskState
from civitas.casework.models import Task
from civitas.casework.models.cases import QUEUE_CASES, QUEUE_REDRESS
from civitas.casework.selectors.scope import can_see_cases, reach_of

PAGE_SIZE = 50
COUNT_CAP = 1_000  # beyond it the page says "more than 1,000"
SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "due": ("due_at", "pk"),
}


@dataclass
class QueueFilters:
    queue: str = QUEUE_CASES  # or QUEUE_REDRESS: appeals and grievances
    program: int | None = None
    region: int | None = None
    office: int | None = None
    status: str | None = None  # the application's status
    waiting: bool | None = None  # True: waiting for the applicant; False: someone has to act
    assignee: str | None = None  # "me", "nobody", or a user id
    overdue: bool = False
    older_than_days: int | None = None
    kind: str | None = None
    sort: str = "oldest"
    page: int = 1


@dataclass
class QueuePage:
    tasks: list[Task] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    count: int = 0
    count_capped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def live_tasks(user, *, queue: str = QUEUE_CASES):
    """Every live task of ``queue`` within the user's scope (none for someone without a role)."""
    reach = reach_of(user)
    if not can_see_cases(user) or reach.is_empty:
        return Task.objects.none()
    tasks = Task.objects.filter(queue=queue).filter(reach.q())
    if queue == QUEUE_CASES:
        # a withdrawn application drops out at once, before the intake tidies its task away
        tasks = tasks.filter(application__status__in=OPEN_STATES)
    return tasks


def queue_page(user, filters: QueueFilters) -> QueuePage:
    queue = filters.queue if filters.queue in {QUEUE_CASES, QUEUE_REDRESS} else QUEUE_CASES
    tasks = live_tasks(user, queue=queue)
    if filters.program:
        tasks = tasks.filter(program_id=filters.program)
    if filters.region:
        tasks = tasks.filter(region_id=filters.region)
    if filters.office:
        tasks = tasks.filter(office_id=filters.office)
    if filters.status:
        tasks = tasks.filter(application__status=filters.status)
    if filters.kind:
        tasks = tasks.filter(kind=filters.kind)
    if filters.waiting is not None:
        tasks = tasks.filter(state=TaskState.WAITING if filters.waiting else TaskState.OPEN)
    if filters.assignee == "me":
        tasks = tasks.filter(assignee=user)
    elif filters.assignee == "nobody":
        tasks = tasks.filter(assignee__isnull=True)
    elif filters.assignee and filters.assignee.isdigit():
        tasks = tasks.filter(assignee_id=int(filters.assignee))
    now = timezone.now()
    if filters.overdue:
        tasks = tasks.filter(Q(state=TaskState.OPEN) & Q(due_at__lt=now))
    if filters.older_than_days:
        tasks = tasks.filter(created_at__lte=now - timedelta(days=filters.older_than_days))
    page = max(filters.page, 1)
    start = (page - 1) * PAGE_SIZE
    ordered = tasks.order_by(*SORTS.get(filters.sort, SORTS["oldest"]))
    related = ["application", "program", "region", "assignee"]
    if queue == QUEUE_REDRESS:
        related += ["appeal", "grievance"]
    rows = list(ordered.select_related(*related)[start : start + PAGE_SIZE + 1])
    count = tasks[: COUNT_CAP + 1].count()
    return QueuePage(
        tasks=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


def task_in_reach(user, *, public_id) -> Task | None:
    """One live task by its public id, if the user may see it."""
    return (
        Task.objects.filter(public_id=public_id)
        .filter(reach_of(user).q())
        .select_related("application", "case")
        .first()
        if can_see_cases(user)
        else None
    )
