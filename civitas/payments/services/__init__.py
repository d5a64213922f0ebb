"""Every write to payments: cycles (compute, approve, cancel), batches (issue, write, export) and
providers' results. Each runs in one transaction with its audit event."""

from civitas.payments.services.batches import (
    ExportOutcome,
    IssueOutcome,
    export_cycle,
    issue_batches,
    write_batch_file,
)
from civitas.payments.services.cycles import (
    ApprovalOutcome,
    CycleOutcome,
    approve_cycle,
    cancel_cycle,
    compute_cycle,
    cycle_totals,
    may_approve,
    parse_period,
)
from civitas.payments.services.results import ResultOutcome, import_results

__all__ = [
    "ApprovalOutcome",
    "CycleOutcome",
    "ExportOutcome",
    "IssueOutcome",
    "ResultOutcome",
    "approve_cycle",
    "cancel_cycle",
    "compute_cycle",
    "cycle_totals",
    "export_cycle",
    "import_results",
    "issue_batches",
    "may_approve",
    "parse_period",
    "write_batch_file",
]
