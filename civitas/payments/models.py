"""Payment cycles: entitlements computed by the rules, payments made exactly once, batch files."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civitas.casework.models import Enrolment, PaymentChannel
from civitas.casework.models.enrolment import AccountField
from civitas.payments.lifecycles import BatchStatus, CycleStatus, PaymentStatus
from civitas.programs.models import Program, ProgramVersion
from civitas.registry.models import Household, Person


class PaymentCycle(models.Model):
    """One programme, one month: every live enrolment's entitlement, held until approved."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="payment_cycles")
    period = models.CharField(max_length=7)  # YYYY-MM
    # the rules every entitlement (and so every payment) of the cycle was computed with
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="+")
    # changes only through civitas.payments.services (see lifecycles.CYCLE_TRANSITIONS)
    status = models.CharField(max_length=20, choices=CycleStatus.choices)
    currency = models.CharField(max_length=3)
    computed_at = models.DateTimeField()
    computed_by = models.CharField(max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["-period", "program"]
        constraints = [
            models.UniqueConstraint(fields=["program", "period"], name="payments_one_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.program.slug} {self.period}"


class Entitlement(models.Model):
    """What the rules say one enrolment is owed for the cycle's period."""

    # Few indexes on purpose: a cycle writes a million of these rows at once; the unique
    # constraint below serves every lookup by cycle.
    cycle = models.ForeignKey(
        PaymentCycle, on_delete=models.CASCADE, related_name="entitlements", db_index=False
    )
    # No database foreign keys to the big tables either: every row is written from a join on
    # them, and a foreign-key check per row would cost more than the insert itself.
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    eligible = models.BooleanField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "enrolment"], name="payments_entitled_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.amount}"


class PaymentBatch(models.Model):
    """One file given to a bank (ISO 20022 pain.001) or a mobile-money provider (CSV)."""

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="batches")
    channel = models.CharField(max_length=20, choices=PaymentChannel.choices)
    number = models.PositiveIntegerField()  # 1, 2, ... within the cycle and channel
    message_id = models.CharField(max_length=35, unique=True)
    # changes only through civitas.payments.services (see lifecycles.BATCH_TRANSITIONS)
    status = models.CharField(max_length=20, choices=BatchStatus.choices)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=200)
    payments = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=16, decimal_places=2)
    file_name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["cycle", "channel", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "channel", "number"], name="payments_batch_number"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class Payment(models.Model):
    """Money owed to one beneficiary for one programme and period: never more than one row.

    The end-to-end identifier in batch files is derived from the primary key (``CIV`` + id), so
    the provider's results find their payment by primary key.
    """

    # indexes kept to those the cycle, export and reconciliation read by (see Meta)
    cycle = models.ForeignKey(
        PaymentCycle, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", db_index=False)
    period = models.CharField(max_length=7)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    channel = models.CharField(max_length=20, choices=PaymentChannel.choices)
    # encrypted at rest, under the enrolment's associated data so approval can copy it as is
    account = AccountField(max_length=40)
    creditor_name = models.CharField(max_length=140)
    # changes only through civitas.payments.services (see lifecycles.PAYMENT_TRANSITIONS)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    batch = models.ForeignKey(
        PaymentBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_code = models.CharField(max_length=10, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # exactly once: a second payment for the same person, programme and month is impossible
            models.UniqueConstraint(
                fields=["person", "program", "period"], name="payments_exactly_once"
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"], name="payments_cycle_status"),
            # partial indexes: approving a million payments adds no entry to either
            models.Index(
                fields=["batch"], condition=models.Q(batch__isnull=False), name="payments_batch"
            ),
            models.Index(
                fields=["program"],
                condition=models.Q(status="failed"),
                name="payments_failed_by_program",
            ),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id

    @property
    def end_to_end_id(self) -> str:
        return end_to_end_id(self.pk)


E2E_PREFIX = "CIV"


def end_to_end_id(pk: int) -> str:
    return f"{E2E_PREFIX}{pk:012d}"


def payment_pk(end_to_end: str) -> int | None:
    """The payment a provider's end-to-end identifier names, or None if it is not one of ours."""
    text = (end_to_end or "").strip()
    if not text.startswith(E2E_PREFIX) or not text[len(E2E_PREFIX) :].isdigit():
        return None
    return int(text[len(E2E_PREFIX) :])


class ResultImport(models.Model):
    """A provider's results file, applied all or nothing; its hash makes a re-import a no-op."""

    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255)
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=200)
    paid = models.PositiveIntegerField()
    failed = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.file_name
