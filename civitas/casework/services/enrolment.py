"""Enrolling beneficiaries: one live enrolment per person and programme, a child counted once."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import ENROLMENT_TRANSITIONS, EnrolmentStatus, check
from civitas.casework.models import EnrolledChild, Enrolment, PaymentChannel
from civitas.casework.models.enrolment import LIVE_ENROLMENT
from civitas.registry.models import Household, MemberRole, Membership, Person

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


def classify_account(account: str) -> tuple[str, str]:
    """(channel, account as written in payment files): an IBAN-shaped number is a bank account,
    a phone number a mobile-money wallet, anything else a bank account number."""
    compact = re.sub(r"[\s\-.]", "", account or "").upper()
    if not compact:
        raise ActionRefused(_("There is no bank or mobile-money account to pay into."))
    if _PHONE.match(compact) and not _IBAN.match(compact):
        return PaymentChannel.MOBILE_MONEY, compact
    return PaymentChannel.BANK, compact[:34]


def is_child_programme(program) -> bool:
    return program.slug in settings.CIVITAS_CHILD_PROGRAMMES


def child_members(household: Household) -> list[Person]:
    return [
        m.person
        for m in Membership.objects.filter(household=household, role=MemberRole.CHILD)
        .select_related("person")
        .order_by("person__birth_date")
    ]


def enrol(
    *,
    person: Person,
    household: Household,
    program,
    source: str,
    account: str,
    actor,
    application=None,
    started_on: date | None = None,
) -> Enrolment:
    """Enrol ``person`` for ``household``; refused with a reason when they, or one of the
    household's children in a child programme, are already enrolled. Runs inside the caller's
    transaction (or its own)."""
    channel, account = classify_account(account)
    with transaction.atomic():
        live = Enrolment.objects.filter(person=person, program=program, status__in=LIVE_ENROLMENT)
        if live.exists():
            raise ActionRefused(
                _("%(name)s is already enrolled in %(program)s.")
                % {"name": person.full_name, "program": program.name}
            )
        children = child_members(household) if is_child_programme(program) else []
        taken = EnrolledChild.objects.filter(
            child__in=children, program=program, live=True
        ).select_related("child")
        for row in taken:
            raise ActionRefused(
                _("%(child)s is already counted in another enrolment in %(program)s.")
                % {"child": row.child.full_name, "program": program.name}
            )
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    person=person,
                    household=household,
                    program=program,
                    status=EnrolmentStatus.ACTIVE,
                    source=source,
                    application=application,
                    started_on=started_on or timezone.localdate(),
                    payment_channel=channel,
                    account=account,
                    created_at=timezone.now(),
                )
                EnrolledChild.objects.bulk_create(
                    [EnrolledChild(enrolment=enrolment, child=c, program=program) for c in children]
                )
        except IntegrityError:
            # a concurrent enrolment won the race; the partial unique indexes refused this one
            raise ActionRefused(
                _("%(name)s, or a child in the household, was enrolled at the same moment.")
                % {"name": person.full_name}
            ) from None
        audit.record(
            actor=actor,
            action="casework:enrolment:created",
            subject=enrolment,
            after={
                "person": person.national_id,
                "household": household.reference,
                "program": program.slug,
                "source": source,
                "channel": channel,
                "children": [c.national_id for c in children],
            },
        )
    return enrolment


@transaction.atomic
def change_enrolment(*, enrolment: Enrolment, target: str, actor, reason: str) -> Enrolment:
    """Suspend, resume or end an enrolment; ending frees the person and children to enrol again."""
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    check(ENROLMENT_TRANSITIONS, EnrolmentStatus, locked.status, target)
    before = {"status": locked.status}
    locked.status = target
    if target == EnrolmentStatus.ENDED:
        locked.ended_on = timezone.localdate()
        EnrolledChild.objects.filter(enrolment=locked).update(live=False)
    locked.save(update_fields=["status", "ended_on"])
    audit.record(
        actor=actor,
        action=f"casework:enrolment:{target}",
        subject=locked,
        before=before,
        after={"status": target, "reason": reason},
    )
    return locked


@transaction.atomic
def bulk_enrol(
    *, program, rows: list[tuple[int, int, str]], source: str, actor, started_on: date
) -> int:
    """Enrol many households at once: ``rows`` are (person id, household id, account).

    People or children already enrolled are skipped (the partial unique indexes decide), so running
    it twice enrols nobody twice. One audit event records the whole batch.
    """
    if not rows:
        return 0
    now = timezone.now()
    already = set(
        Enrolment.objects.filter(program=program, status__in=LIVE_ENROLMENT).values_list(
            "person_id", flat=True
        )
    )
    fresh = [(p, h, a) for p, h, a in rows if p not in already]
    enrolments = []
    for person_id, household_id, account in fresh:
        channel, number = classify_account(account)
        enrolments.append(
            Enrolment(
                person_id=person_id,
                household_id=household_id,
                program=program,
                status=EnrolmentStatus.ACTIVE,
                source=source,
                started_on=started_on,
                payment_channel=channel,
                account=number,
                created_at=now,
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    if is_child_programme(program) and enrolments:
        by_household = dict(
            Enrolment.objects.filter(
                program=program,
                status=EnrolmentStatus.ACTIVE,
                household_id__in=[h for _, h, _ in fresh],
                created_at=now,
            ).values_list("household_id", "pk")
        )
        taken = set(
            EnrolledChild.objects.filter(program=program, live=True).values_list(
                "child_id", flat=True
            )
        )
        children = [
            EnrolledChild(enrolment_id=by_household[h], child_id=c, program=program)
            for h, c in Membership.objects.filter(
                household_id__in=list(by_household), role=MemberRole.CHILD
            ).values_list("household_id", "person_id")
            if c not in taken
        ]
        EnrolledChild.objects.bulk_create(children, batch_size=2000)
    audit.record(
        actor=actor,
        action="casework:enrolment:bulk_created",
        subject=("programs.program", str(program.pk)),
        after={"program": program.slug, "source": source, "enrolled": len(enrolments)},
    )
    return len(enrolments)
