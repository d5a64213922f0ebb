"""Payment cycles: compute entitlements with the rules engine, hold them, approve them.

A cycle is one programme and one month. Computing reads the enrolled households from the registry
as Polars frames, runs the vectorised engine, and writes one entitlement per live enrolment in one
transaction. Approval turns every positive entitlement into a payment with one INSERT ... SELECT;
the unique constraint on (person, programme, period) makes a second payment impossible, and an
approved cycle is never approved again, so re-running is harmless. An approval that would pay
someone twice is refused whole, with who and why, rather than skipping them silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.accounts.models import Role
from civitas.audit import services as audit
from civitas.casework.eligibility import evaluate_frames, parse_period
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import EnrolmentStatus, check
from civitas.payments.lifecycles import CYCLE_TRANSITIONS, CycleStatus, PaymentStatus
from civitas.payments.models import Entitlement, Payment, PaymentCycle
from civitas.registry.bulk import analyze, insert_frame, read_frame, roomy_joins
from civitas.registry.frames import population_frames

Progress = Callable[[str, int, int], None]


@dataclass
class CycleOutcome:
    cycle: PaymentCycle
    created: bool
    added: int  # entitlements written by this run (0 when re-run)
    timings: dict[str, float] = field(default_factory=dict)


def _enrolled_sql(program) -> tuple[str, list]:
    return (
        "SELECT household_id FROM casework_enrolment WHERE program_id = %s AND status = %s",
        [program.pk, EnrolmentStatus.ACTIVE.value],
    )


def compute_cycle(*, program, period: str, actor, progress: Progress | None = None) -> CycleOutcome:
    """Compute (or complete) the cycle of ``program`` for ``period`` and hold it for approval.

    Re-running an approved cycle changes nothing; re-running a computed one adds entitlements only
    for enrolments that had none (people enrolled since).
    """
    period = parse_period(period)
    note = progress or (lambda phase, done, total: None)
    timings: dict[str, float] = {}
    existing = PaymentCycle.objects.filter(program=program, period=period).first()
    if existing is not None and existing.status != CycleStatus.COMPUTED:
        return CycleOutcome(existing, created=False, added=0)
    # completing a cycle keeps the rules it was computed with, even if a newer version came in
    version = existing.version if existing is not None else program.version_in_force()
    if version is None:
        raise ActionRefused(_("%(program)s has no rules in force.") % {"program": program.name})

    started = time.perf_counter()
    note("reading the registry", 0, 0)
    persons, households = population_frames(households_in=_enrolled_sql(program))
    enrolments = read_frame(
        "SELECT id, person_id, household_id FROM casework_enrolment "
        "WHERE program_id = %s AND status = %s",
        [program.pk, EnrolmentStatus.ACTIVE.value],
        {"enrolment_id": pl.Int64, "person_id": pl.Int64, "household_id": pl.Int64},
    )
    timings["read"] = time.perf_counter() - started

    started = time.perf_counter()
    note("computing entitlements", 0, households.height)
    results = evaluate_frames(
        version,
        period=period,
        persons=persons,
        households=households,
        progress=lambda done, total: note("computing entitlements", done, total),
    )
    del persons, households
    rows = (
        enrolments.join(results, on="household_id", how="left")
        .with_columns(
            pl.col("eligible").fill_null(False),
            pl.when(pl.col("eligible")).then(pl.col("amount")).otherwise(0.0).fill_null(0.0),
        )
        .sort("enrolment_id")
    )
    timings["compute"] = time.perf_counter() - started

    started = time.perf_counter()
    note("storing entitlements", 0, rows.height)
    with transaction.atomic():
        cycle, created = PaymentCycle.objects.select_for_update().get_or_create(
            program=program,
            period=period,
            defaults={
                "version": version,
                "status": CycleStatus.COMPUTED,
                "currency": _currency(version),
                "computed_at": timezone.now(),
                "computed_by": audit.actor_label(actor),
            },
        )
        if cycle.status != CycleStatus.COMPUTED:  # approved by someone else meanwhile
            return CycleOutcome(cycle, created=False, added=0)
        if not created:
            if cycle.version_id != version.pk:  # first computed meanwhile, with other rules
                return CycleOutcome(cycle, created=False, added=0)
            # one entitlement per person in a cycle: someone whose enrolment ended and restarted
            # since the first run is already entitled through the old one
            done = read_frame(
                "SELECT enrolment_id, person_id FROM payments_entitlement WHERE cycle_id = %s",
                [cycle.pk],
                {"enrolment_id": pl.Int64, "person_id": pl.Int64},
            )
            rows = rows.join(done.select("enrolment_id"), on="enrolment_id", how="anti").join(
                done.select("person_id"), on="person_id", how="anti"
            )
        table = rows.select(
            pl.lit(cycle.pk, dtype=pl.Int64).alias("cycle_id"),
            "enrolment_id",
            "person_id",
            "household_id",
            "eligible",
            pl.col("amount").round(2).alias("amount"),
        )
        added = insert_frame(Entitlement._meta.db_table, table)
        analyze(Entitlement._meta.db_table)
        eligible = int(table["eligible"].sum() or 0)
        total = Decimal(str(round(float(table["amount"].sum() or 0), 2)))
        cycle.beneficiaries += added
        cycle.eligible += eligible
        cycle.total_amount += total
        cycle.save(update_fields=["beneficiaries", "eligible", "total_amount"])
        audit.record(
            actor=actor,
            action="payments:cycle:computed",
            subject=cycle,
            after={
                "program": program.slug,
                "period": period,
                "version": version.number,
                "entitlements_added": added,
                "eligible_added": eligible,
                "amount_added": total,
                "total_amount": cycle.total_amount,
            },
        )
    timings["store"] = time.perf_counter() - started
    note("computed", rows.height, rows.height)
    return CycleOutcome(cycle, created=created, added=added, timings=timings)


def _currency(version) -> str:
    from civitas.casework.eligibility import programme_of

    currency = programme_of(version).settings.currency or settings.CIVITAS_CURRENCY
    return currency[:3].upper()


def may_approve(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.FINANCE_OFFICER)


@dataclass
class ApprovalOutcome:
    cycle: PaymentCycle
    payments: int  # payments created by this approval


@transaction.atomic
def approve_cycle(*, cycle: PaymentCycle, actor) -> ApprovalOutcome:
    """Release a computed cycle: one payment per positive entitlement, never two per person,
    programme and period. ``actor`` is a finance officer, or a label for the command line."""
    if not isinstance(actor, str) and not may_approve(actor):
        raise ActionRefused(_("Only a finance officer can approve a payment cycle."))
    locked = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    check(CYCLE_TRANSITIONS, CycleStatus, locked.status, CycleStatus.APPROVED)
    payments = Payment._meta.db_table
    sql = (  # table names from our models, values bound
        f"INSERT INTO {payments} (cycle_id, entitlement_id, person_id, program_id, period, "  # noqa: S608
        "amount, channel, account, creditor_name, status, attempts, failure_code, "
        "failure_reason) "
        "SELECT e.cycle_id, e.id, e.person_id, %s, %s, e.amount, n.payment_channel, n.account, "
        "SUBSTR(p.given_name || ' ' || p.family_name, 1, 140), %s, 0, '', '' "
        f"FROM {Entitlement._meta.db_table} e "
        "JOIN casework_enrolment n ON n.id = e.enrolment_id "
        "JOIN registry_person p ON p.id = e.person_id "
        "WHERE e.cycle_id = %s AND e.eligible = %s AND e.amount > 0"
    )
    # Exactly once: payments of a programme and month come only from its one cycle, approved
    # once (the lock and the transition above). No ON CONFLICT DO NOTHING: should anything else
    # ever have paid one of these people, the unique constraint refuses the whole insert and the
    # finance officer is told who, instead of a payment skipped without anyone noticing.
    roomy_joins()
    params = [locked.program_id, locked.period, PaymentStatus.PENDING, locked.pk, True]
    try:
        # in a savepoint, so the transaction can still say who after a refusal
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            created = cursor.rowcount
    except IntegrityError:
        raise ActionRefused(_paid_twice(locked)) from None
    analyze(Payment._meta.db_table)
    locked.status = CycleStatus.APPROVED
    locked.approved_by = None if isinstance(actor, str) else actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=actor,
        action="payments:cycle:approved",
        subject=locked,
        before={"status": CycleStatus.COMPUTED},
        after={
            "status": CycleStatus.APPROVED,
            "payments": created,
            "total_amount": locked.total_amount,
        },
    )
    return ApprovalOutcome(locked, payments=created)


def _paid_twice(cycle: PaymentCycle) -> str:
    """Why approving ``cycle`` would pay someone twice: who (registry person numbers) and how."""
    positive = Entitlement.objects.filter(cycle=cycle, eligible=True, amount__gt=0)
    twice = set(
        positive.values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("person_id", flat=True)[:1000]
    )
    paid = set(
        Payment.objects.filter(
            program_id=cycle.program_id,
            period=cycle.period,
            person_id__in=positive.values("person_id"),
        ).values_list("person_id", flat=True)[:1000]
    )
    people = sorted(twice | paid)
    shown = ", ".join(str(p) for p in people[:10]) + (", ..." if len(people) > 10 else "")
    return _(
        "Nothing was approved: %(count)s people would be paid twice for %(program)s %(period)s "
        "(%(how)s; registry persons %(people)s). The cycle is unchanged; have these people "
        "looked into before approving it."
    ) % {
        "count": len(people),
        "program": cycle.program.name,
        "period": cycle.period,
        "how": " / ".join(
            reason
            for reason, found in (
                (_("already paid"), paid),
                (_("entitled twice in this cycle"), twice),
            )
            if found
        ),
        "people": shown or "-",
    }


@transaction.atomic
def cancel_cycle(*, cycle: PaymentCycle, actor, reason: str) -> PaymentCycle:
    if not isinstance(actor, str) and not may_approve(actor):
        raise ActionRefused(_("Only a finance officer can cancel a payment cycle."))
    if not reason.strip():
        raise ActionRefused(_("Enter the reason for cancelling the cycle."))
    locked = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    check(CYCLE_TRANSITIONS, CycleStatus, locked.status, CycleStatus.CANCELLED)
    locked.status = CycleStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="payments:cycle:cancelled",
        subject=locked,
        before={"status": CycleStatus.COMPUTED},
        after={"status": CycleStatus.CANCELLED, "reason": reason},
    )
    return locked


def cycle_totals(cycle: PaymentCycle) -> dict:
    """Payments of a cycle by status: count and amount."""
    rows = (
        Payment.objects.filter(cycle=cycle)
        .values("status")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("status")
    )
    by_status = {row["status"]: row for row in rows}
    return {
        status: {
            "count": by_status.get(status, {}).get("n", 0),
            "amount": by_status.get(status, {}).get("amount") or Decimal("0"),
        }
        for status in PaymentStatus.values
    }
