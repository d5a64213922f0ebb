"""Named states of payment cycles, payments and batches, and the allowed moves between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed, waiting for approval")  # entitlements held
    APPROVED = "approved", _("Approved")  # a finance officer released the payments
    CANCELLED = "cancelled", _("Cancelled")  # final: never approved


CYCLE_TRANSITIONS: dict[str, set[str]] = {
    CycleStatus.COMPUTED: {CycleStatus.APPROVED, CycleStatus.CANCELLED},
    CycleStatus.APPROVED: set(),
    CycleStatus.CANCELLED: set(),
}


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a batch")  # approved, not yet sent to a provider
    SENT = "sent", _("Sent")  # in a batch file given to the bank or mobile-money provider
    PAID = "paid", _("Paid")  # final: the provider confirmed it
    FAILED = "failed", _("Failed")  # the provider refused it; retried in the next batch


PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.PENDING: {PaymentStatus.SENT},
    PaymentStatus.SENT: {PaymentStatus.PAID, PaymentStatus.FAILED},
    PaymentStatus.FAILED: {PaymentStatus.SENT},
    PaymentStatus.PAID: set(),
}


class BatchStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")  # the file was written; results are awaited
    RECONCILED = "reconciled", _("Reconciled")  # final: every payment in it has a result


BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchStatus.ISSUED: {BatchStatus.RECONCILED},
    BatchStatus.RECONCILED: set(),
}
