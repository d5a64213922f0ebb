"""Proposals: citizens submit and support; the support threshold opens an official answer task;
the official answer sets the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.notify import services as notify
from civitas.participation.antispam import check_rate, needs_review
from civitas.participation.lifecycles import (
    ANSWER_STATUSES,
    COMMENTING_PHASES,
    PROPOSAL,
    SUPPORTABLE,
    ProposalStatus,
)
from civitas.participation.models import AnswerTask, Consultation, Proposal, Support
from civitas.participation.permissions import can_manage, is_citizen
from civitas.registry.models import Region
from civitas.registry.selectors import person_for_account

TITLE_MAX, BODY_MAX = 150, 4000


class ProposalRefused(ValueError):
    """The proposal, support or answer cannot be recorded; the message says why."""


@dataclass(frozen=True)
class SubmitOutcome:
    proposal: Proposal
    created: bool


def submit_proposal(
    *,
    author,
    title: str,
    body: str,
    idempotency_key: str,
    consultation: Consultation | None = None,
    region: Region | None = None,
) -> SubmitOutcome:
    existing = Proposal.objects.filter(author=author, idempotency_key=idempotency_key).first()
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    if not is_citizen(author):
        raise ProposalRefused(_("Proposals are made by citizens, from a citizen account."))
    title, body = title.strip(), body.strip()
    if not title or len(title) > TITLE_MAX:
        raise ProposalRefused(
            _("Enter a title of %(max)s characters or fewer.") % {"max": TITLE_MAX}
        )
    if len(body) < 10 or len(body) > BODY_MAX:
        raise ProposalRefused(
            _("Describe your proposal in 10 to %(max)s characters.") % {"max": BODY_MAX}
        )
    if consultation is not None and consultation.phase not in COMMENTING_PHASES:
        raise ProposalRefused(_("This consultation is not taking proposals now."))
    check_rate(author)
    status = ProposalStatus.HELD if needs_review(author) else ProposalStatus.OPEN
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                consultation=consultation,
                region=region,
                title=title,
                body=body,
                author=author,
                status=status,
                support_threshold=settings.PARTICIPATION_SUPPORT_THRESHOLD,
                created_at=timezone.now(),
                idempotency_key=idempotency_key,
            )
            audit.record(
                actor=author,
                action="participation:proposal:submitted",
                subject=proposal,
                after={"title": title, "status": status, "threshold": proposal.support_threshold},
            )
    except IntegrityError:
        existing = Proposal.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    return SubmitOutcome(proposal, created=True)


def _transition(proposal: Proposal, target: str) -> str:
    PROPOSAL.check(proposal.status, target)
    before = proposal.status
    proposal.status = target
    return before


@transaction.atomic
def support(*, user, proposal: Proposal) -> Proposal:
    """Support a proposal once. Reaching the threshold opens the official answer task."""
    if not is_citizen(user):
        raise ProposalRefused(_("Proposals are supported by citizens, from a citizen account."))
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status not in SUPPORTABLE:
        raise ProposalRefused(_("This proposal is not collecting support."))
    person = person_for_account(user)
    already = Support.objects.filter(proposal=locked, user=user).exists() or (
        person is not None and Support.objects.filter(proposal=locked, person=person).exists()
    )
    if already:
        return locked  # one support per person; supporting again changes nothing
    Support.objects.create(proposal=locked, user=user, person=person)
    Proposal.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1)
    locked.refresh_from_db(fields=["support_count"])
    audit.record(
        actor=user,
        action="participation:proposal:supported",
        subject=locked,
        after={"support_count": locked.support_count},
    )
    if locked.status == ProposalStatus.OPEN and locked.support_count >= locked.support_threshold:
        _open_answer_task(locked)
    return locked


def _open_answer_task(proposal: Proposal) -> None:
    before = _transition(proposal, ProposalStatus.AWAITING_ANSWER)
    proposal.save(update_fields=["status"])
    now = timezone.now()
    task, _created = AnswerTask.objects.get_or_create(
        proposal=proposal,
        defaults={
            "opened_at": now,
            "due_on": timezone.localdate() + timedelta(days=settings.PARTICIPATION_ANSWER_DAYS),
        },
    )
    audit.record(
        actor=None,
        action="participation:proposal:awaiting_answer",
        subject=proposal,
        before={"status": before},
        after={"status": proposal.status, "answer_due_on": task.due_on},
    )
    notify.queue_email(
        recipient=proposal.author,
        subject=_("Your proposal reached %(count)s supports") % {"count": proposal.support_count},
        body=_(
            "Your proposal “%(title)s” has reached its support threshold. The government will "
            "give an official answer by %(due)s, and we will email you when it does."
        )
        % {"title": proposal.title, "due": task.due_on.isoformat()},
        reference=f"P-{proposal.pk}",
    )


@transaction.atomic
def withdraw_support(*, user, proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status not in SUPPORTABLE:
        raise ProposalRefused(_("This proposal is not collecting support."))
    deleted, _counts = Support.objects.filter(proposal=locked, user=user).delete()
    if deleted:
        Proposal.objects.filter(pk=locked.pk).update(support_count=F("support_count") - 1)
        locked.refresh_from_db(fields=["support_count"])
        audit.record(
            actor=user,
            action="participation:proposal:support_withdrawn",
            subject=locked,
            after={"support_count": locked.support_count},
        )
    return locked


@transaction.atomic
def answer(*, actor, proposal: Proposal, outcome: str, text: str) -> Proposal:
    """The official answer: its outcome sets the status; the author is told by email."""
    if not can_manage(actor):
        raise PermissionDenied("Only policy staff answer proposals")
    if outcome not in ANSWER_STATUSES:
        raise ProposalRefused(_("Select the outcome of the answer."))
    text = text.strip()
    if len(text) < 10:
        raise ProposalRefused(_("Write the answer: explain what will happen and why."))
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    before = _transition(locked, ANSWER_STATUSES[outcome])
    locked.answer = text
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answer", "answered_at"])
    AnswerTask.objects.filter(proposal=locked, completed_at__isnull=True).update(
        completed_at=locked.answered_at, completed_by=actor
    )
    audit.record(
        actor=actor,
        action="participation:proposal:answered",
        subject=locked,
        before={"status": before},
        after={"status": locked.status, "answer": text},
    )
    notify.queue_email(
        recipient=locked.author,
        subject=_("Official answer to your proposal"),
        body=_("Your proposal “%(title)s” is now: %(status)s.\n\nThe answer:\n%(answer)s")
        % {"title": locked.title, "status": locked.get_status_display(), "answer": text},
        reference=f"P-{locked.pk}",
        actor=actor,
    )
    return locked
