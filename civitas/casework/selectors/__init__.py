"""Reads of the back office that depend on who asks: scope, queues, cases, letters, dashboards."""

from civitas.casework.selectors.cases import (
    CaseView,
    case_for,
    case_history,
    case_view,
    colleagues_of,
)
from civitas.casework.selectors.queue import (
    QueueFilters,
    QueuePage,
    live_tasks,
    queue_page,
    task_in_reach,
)
from civitas.casework.selectors.scope import (
    CASE_ROLES,
    Reach,
    can_decide,
    can_see_cases,
    is_supervisor,
    reach_of,
)

__all__ = [
    "CASE_ROLES",
    "CaseView",
    "QueueFilters",
    "QueuePage",
    "Reach",
    "can_decide",
    "can_see_cases",
    "case_for",
    "case_history",
    "case_view",
    "colleagues_of",
    "is_supervisor",
    "live_tasks",
    "queue_page",
    "reach_of",
    "task_in_reach",
]
