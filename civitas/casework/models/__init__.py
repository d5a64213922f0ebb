"""Casework data: who may work on what, cases and their tasks, decisions, appeals, grievances,
enrolments, proactive runs and GovStack API clients. One module per concept."""

from civitas.casework.models.cases import Case, OfficeRotation, Task, TimeLimit
from civitas.casework.models.decisions import Decision
from civitas.casework.models.enrolment import (
    EnrolledChild,
    Enrolment,
    EnrolmentSource,
    Invitation,
    PaymentChannel,
    ProactiveRun,
)
from civitas.casework.models.govstack import ApiClient
from civitas.casework.models.redress import Appeal, Grievance, GrievanceCategory
from civitas.casework.models.scope import StaffScope

__all__ = [
    "ApiClient",
    "Appeal",
    "Case",
    "Decision",
    "EnrolledChild",
    "Enrolment",
    "EnrolmentSource",
    "Grievance",
    "GrievanceCategory",
    "Invitation",
    "OfficeRotation",
    "PaymentChannel",
    "ProactiveRun",
    "StaffScope",
    "Task",
    "TimeLimit",
]
