"""Reads of payment cycles: finance officers, auditors and administrators, within the programmes
of their scope; anyone else gets the same 404 as for a missing cycle."""

from __future__ import annotations

from django.http import Http404

from civitas.accounts.models import Role
from civitas.casework.selectors.scope import has_any_role, reach_of
from civitas.payments.models import PaymentBatch, PaymentCycle

PAYMENT_ROLES = (Role.FINANCE_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR)


def can_see_payments(user) -> bool:
    return has_any_role(user, PAYMENT_ROLES)


def cycles_for(user):
    if not can_see_payments(user):
        return PaymentCycle.objects.none()
    cycles = PaymentCycle.objects.select_related("program", "approved_by")
    reach = reach_of(user)
    if reach.programs is not None:
        cycles = cycles.filter(program_id__in=reach.programs)
    return cycles.order_by("-period", "program__display_order")


def cycle_for(user, *, cycle_id: int) -> PaymentCycle:
    cycle = cycles_for(user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def batch_for(user, *, batch_id: int) -> PaymentBatch:
    batch = (
        PaymentBatch.objects.filter(pk=batch_id, cycle__in=cycles_for(user))
        .select_related("cycle__program")
        .first()
    )
    if batch is None:
        raise Http404("No such batch")
    return batch
