"""Figures for managers: volumes, backlog, time to decision, approval rate and payments, by
programme and region, within the reader's scope. Reads only; each figure comes as rows for its
data table and bars for its chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.accounts.models import Role
from civitas.applications.lifecycle import Status
from civitas.casework.models import Case, Task
from civitas.casework.models.cases import QUEUE_CASES
from civitas.casework.selectors.scope import has_any_role, reach_of
from civitas.payments.charts import Bar, bar_chart
from civitas.payments.lifecycles import PaymentStatus
from civitas.payments.models import Payment
from civitas.programs.models import Program
from civitas.registry.models import Region

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.FINANCE_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR)


def can_see_dashboard(user) -> bool:
    return has_any_role(user, DASHBOARD_ROLES)


@dataclass
class Figure:
    id: str
    title: str
    description: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)

    @property
    def chart(self):
        return bar_chart(
            self.bars, title=self.title, description=self.description, chart_id=self.id
        )


def _names(model) -> dict[int, str]:
    return dict(model.objects.values_list("pk", "name"))


def dashboard(user, *, months: int = 12) -> list[Figure]:
    reach = reach_of(user)
    since = timezone.now() - timedelta(days=31 * months)
    cases = Case.objects.filter(reach.q()).filter(opened_at__gte=since)
    programs, regions = _names(Program), _names(Region)
    figures: list[Figure] = []

    volume = Figure(
        "volumes",
        _("Applications received by month"),
        _("Applications sent in the last %(n)s months, all programmes in your scope.")
        % {"n": months},
        [_("Month"), _("Applications")],
    )
    for row in (
        cases.annotate(month=TruncMonth("opened_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    ):
        label = row["month"].strftime("%Y-%m")
        volume.rows.append([label, row["n"]])
        volume.bars.append(Bar(label, row["n"]))
    figures.append(volume)

    by_program = Figure(
        "by-programme",
        _("Applications by programme"),
        _("Applications received in the period, by programme."),
        [_("Programme"), _("Applications")],
    )
    for row in cases.values("program_id").annotate(n=Count("id")).order_by("-n"):
        name = programs.get(row["program_id"], "?")
        by_program.rows.append([name, row["n"]])
        by_program.bars.append(Bar(name, row["n"]))
    figures.append(by_program)

    backlog = Figure(
        "backlog",
        _("Backlog by region"),
        _("Open review and second-approval tasks today, and how many are overdue."),
        [_("Region"), _("Open tasks"), _("Overdue")],
    )
    now = timezone.now()
    for row in (
        Task.objects.filter(queue=QUEUE_CASES)
        .filter(reach.q())
        .values("region_id")
        .annotate(n=Count("id"), late=Count("id", filter=Q(state="open", due_at__lt=now)))
        .order_by("-n")
    ):
        name = regions.get(row["region_id"], _("Unknown region"))
        backlog.rows.append([name, row["n"], row["late"]])
        backlog.bars.append(Bar(name, row["n"], _("%(n)s overdue") % {"n": row["late"]}))
    figures.append(backlog)

    decided = cases.filter(application__decided_at__isnull=False)
    speed = Figure(
        "time-to-decision",
        _("Average days from application to decision"),
        _("Calendar days between sending and the decision, for applications decided."),
        [_("Programme"), _("Decided"), _("Average days")],
    )
    rate = Figure(
        "approval-rate",
        _("Approval rate by programme"),
        _("Share of decided applications that were approved."),
        [_("Programme"), _("Approved"), _("Not approved"), _("Approval rate")],
    )
    for row in (
        decided.values("program_id")
        .annotate(
            n=Count("id"),
            took=Avg(
                ExpressionWrapper(
                    F("application__decided_at") - F("application__submitted_at"),
                    output_field=DurationField(),
                )
            ),
            approved=Count("id", filter=Q(application__status=Status.APPROVED)),
            rejected=Count("id", filter=Q(application__status=Status.REJECTED)),
        )
        .order_by("program_id")
    ):
        name = programs.get(row["program_id"], "?")
        days = round(row["took"].total_seconds() / 86400, 1) if row["took"] else 0
        speed.rows.append([name, row["n"], days])
        speed.bars.append(Bar(name, days))
        total = row["approved"] + row["rejected"]
        share = round(100 * row["approved"] / total) if total else 0
        rate.rows.append([name, row["approved"], row["rejected"], f"{share}%"])
        rate.bars.append(Bar(name, share, f"{share}%"))
    figures.extend([speed, rate])

    payments = Figure(
        "payments",
        _("Payments made by programme"),
        _("Amounts confirmed paid by the providers, by programme, for the last 12 months."),
        [_("Programme"), _("Payments"), _("Amount paid"), _("Failed")],
    )
    paid = Payment.objects.filter(period__gte=since.strftime("%Y-%m"))
    if reach.programs is not None:
        paid = paid.filter(program_id__in=reach.programs)
    for row in (
        paid.values("program_id")
        .annotate(
            n=Count("id", filter=Q(status=PaymentStatus.PAID)),
            amount=Sum("amount", filter=Q(status=PaymentStatus.PAID)),
            failed=Count("id", filter=Q(status=PaymentStatus.FAILED)),
        )
        .order_by("program_id")
    ):
        name = programs.get(row["program_id"], "?")
        amount = row["amount"] or 0
        payments.rows.append([name, row["n"], amount, row["failed"]])
        payments.bars.append(Bar(name, amount))
    figures.append(payments)
    return figures
