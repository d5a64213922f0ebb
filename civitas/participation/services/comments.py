"""Comments: posting (rate-limited, first posts held for review), endorsing, reporting."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation.antispam import check_rate, needs_review
from civitas.participation.lifecycles import (
    COMMENTING_PHASES,
    PUBLIC_PROPOSAL_STATES,
    Contribution,
    ProposalStatus,
)
from civitas.participation.models import Comment, Consultation, Endorsement, Proposal, Report
from civitas.participation.models.comments import MAX_DEPTH, ContentKind, ReportReason

BODY_MIN, BODY_MAX = 2, 2000


class CommentRefused(ValueError):
    """The comment cannot be posted; the message says why and what to do."""


@dataclass(frozen=True)
class PostOutcome:
    comment: Comment
    created: bool  # False when the same idempotency key was replayed


def _thread_open(consultation: Consultation | None, proposal: Proposal | None) -> None:
    if consultation is not None and consultation.phase not in COMMENTING_PHASES:
        raise CommentRefused(_("Comments are closed: this consultation is not taking comments."))
    if proposal is not None and (
        proposal.status not in PUBLIC_PROPOSAL_STATES or proposal.status == ProposalStatus.HIDDEN
    ):
        raise CommentRefused(_("Comments are closed on this proposal."))


def post_comment(
    *,
    author,
    body: str,
    idempotency_key: str,
    consultation: Consultation | None = None,
    proposal: Proposal | None = None,
    parent: Comment | None = None,
) -> PostOutcome:
    """Post a comment or a reply. A first post is held for a moderator; later ones go live."""
    existing = Comment.objects.filter(author=author, idempotency_key=idempotency_key).first()
    if existing is not None:
        return PostOutcome(existing, created=False)
    if (consultation is None) == (proposal is None):
        raise CommentRefused(_("Say what the comment is about."))
    body = body.strip()
    if len(body) < BODY_MIN:
        raise CommentRefused(_("Enter your comment."))
    if len(body) > BODY_MAX:
        raise CommentRefused(
            _("Your comment must be %(max)s characters or fewer.") % {"max": BODY_MAX}
        )
    _thread_open(consultation, proposal)
    depth = 0
    if parent is not None:
        same_thread = parent.consultation_id == getattr(
            consultation, "pk", None
        ) and parent.proposal_id == getattr(proposal, "pk", None)
        if not same_thread or parent.status != Contribution.PUBLISHED:
            raise CommentRefused(_("You can only reply to a published comment in this thread."))
        if parent.depth >= MAX_DEPTH - 1 and parent.parent_id is not None:
            parent = parent.parent  # keep threads readable: no deeper than MAX_DEPTH levels
        depth = parent.depth + 1
    check_rate(author)
    status = Contribution.HELD if needs_review(author) else Contribution.PUBLISHED
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                consultation=consultation,
                proposal=proposal,
                parent=parent,
                depth=depth,
                author=author,
                body=body,
                status=status,
                created_at=timezone.now(),
                idempotency_key=idempotency_key,
            )
            audit.record(
                actor=author,
                action="participation:comment:posted",
                subject=comment,
                after={
                    "consultation": getattr(consultation, "slug", None),
                    "proposal": getattr(proposal, "pk", None),
                    "parent": getattr(parent, "pk", None),
                    "status": status,
                    "body": body,
                },
            )
    except IntegrityError:
        existing = Comment.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return PostOutcome(existing, created=False)
    return PostOutcome(comment, created=True)


@transaction.atomic
def endorse(*, user, comment: Comment) -> Comment:
    """Endorse a published comment (once; endorsing again changes nothing)."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status != Contribution.PUBLISHED:
        raise CommentRefused(_("Only a published comment can be endorsed."))
    if locked.author_id == user.pk:
        raise CommentRefused(_("You cannot endorse your own comment."))
    _endorsement, created = Endorsement.objects.get_or_create(comment=locked, user=user)
    if created:
        Comment.objects.filter(pk=locked.pk).update(endorsement_count=F("endorsement_count") + 1)
        audit.record(actor=user, action="participation:comment:endorsed", subject=locked)
    locked.refresh_from_db(fields=["endorsement_count"])
    return locked


@transaction.atomic
def withdraw_endorsement(*, user, comment: Comment) -> Comment:
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    deleted, _counts = Endorsement.objects.filter(comment=locked, user=user).delete()
    if deleted:
        Comment.objects.filter(pk=locked.pk).update(endorsement_count=F("endorsement_count") - 1)
        audit.record(
            actor=user, action="participation:comment:endorsement_withdrawn", subject=locked
        )
    locked.refresh_from_db(fields=["endorsement_count"])
    return locked


def report(*, reporter, kind: str, object_id: int, reason: str, details: str = "") -> Report:
    """Ask a moderator to look at a comment, proposal or statement (once per person)."""
    if kind not in ContentKind.values:
        raise CommentRefused(_("Say what you are reporting."))
    if reason not in ReportReason.values:
        raise CommentRefused(_("Select why you are reporting it."))
    existing = Report.objects.filter(kind=kind, object_id=object_id, reporter=reporter).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = Report.objects.create(
                kind=kind,
                object_id=object_id,
                reporter=reporter,
                reason=reason,
                details=details.strip()[:500],
                created_at=timezone.now(),
            )
            audit.record(
                actor=reporter,
                action="participation:report:made",
                subject=made,
                after={"kind": kind, "object_id": object_id, "reason": reason},
            )
    except IntegrityError:
        return Report.objects.get(kind=kind, object_id=object_id, reporter=reporter)
    return made
