"""Every write of the back office, one module per concept: ``cases`` (intake, tasks,
information requests, decisions, four-eyes), ``enrolment``, ``redress`` (appeals, grievances),
``proactive`` (eligibility runs over the registry), ``scope`` and ``govstack`` (API clients)."""

from civitas.casework.services.cases import (
    assign_tasks,
    auto_assign,
    confirm_decision,
    days_allowed,
    decide,
    finish_task,
    four_eyes_reason,
    full_reason,
    information_received,
    open_case,
    open_task,
    record_document_read,
    request_information,
    take_in_new_applications,
)
from civitas.casework.services.enrolment import (
    bulk_enrol,
    change_enrolment,
    classify_account,
    enrol,
)
from civitas.casework.services.govstack import register_api_client
from civitas.casework.services.redress import (
    answer_grievance,
    decide_appeal,
    lodge_appeal,
    raise_grievance,
)
from civitas.casework.services.scope import set_scope, set_time_limit

__all__ = [
    "answer_grievance",
    "assign_tasks",
    "auto_assign",
    "bulk_enrol",
    "change_enrolment",
    "classify_account",
    "confirm_decision",
    "days_allowed",
    "decide",
    "decide_appeal",
    "enrol",
    "finish_task",
    "four_eyes_reason",
    "full_reason",
    "information_received",
    "lodge_appeal",
    "open_case",
    "open_task",
    "raise_grievance",
    "record_document_read",
    "register_api_client",
    "request_information",
    "set_scope",
    "set_time_limit",
    "take_in_new_applications",
]
