"""Moderation of comments, proposals and statements: review, hide with a public reason, restore.

Every action closes the open reports on the item, writes a line in the public moderation log and
an audit event, in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation.lifecycles import (
    CONTRIBUTION,
    PROPOSAL,
    Contribution,
    ProposalStatus,
)
from civitas.participation.models import Comment, ModerationEntry, Proposal, Report, Statement
from civitas.participation.models.comments import ContentKind, ModerationAction
from civitas.participation.permissions import can_moderate

MODELS = {
    ContentKind.COMMENT: Comment,
    ContentKind.PROPOSAL: Proposal,
    ContentKind.STATEMENT: Statement,
}

# (kind, action) -> target state
TARGETS = {
    (ContentKind.COMMENT, ModerationAction.APPROVE): Contribution.PUBLISHED,
    (ContentKind.COMMENT, ModerationAction.REJECT): Contribution.REJECTED,
    (ContentKind.COMMENT, ModerationAction.HIDE): Contribution.HIDDEN,
    (ContentKind.COMMENT, ModerationAction.RESTORE): Contribution.PUBLISHED,
    (ContentKind.STATEMENT, ModerationAction.APPROVE): Contribution.PUBLISHED,
    (ContentKind.STATEMENT, ModerationAction.REJECT): Contribution.REJECTED,
    (ContentKind.STATEMENT, ModerationAction.HIDE): Contribution.HIDDEN,
    (ContentKind.STATEMENT, ModerationAction.RESTORE): Contribution.PUBLISHED,
    (ContentKind.PROPOSAL, ModerationAction.APPROVE): ProposalStatus.OPEN,
    (ContentKind.PROPOSAL, ModerationAction.REJECT): ProposalStatus.HIDDEN,
    (ContentKind.PROPOSAL, ModerationAction.HIDE): ProposalStatus.HIDDEN,
    (ContentKind.PROPOSAL, ModerationAction.RESTORE): ProposalStatus.OPEN,
}
NEEDS_REASON = {ModerationAction.REJECT, ModerationAction.HIDE}


class ModerationRefused(ValueError):
    """The moderation action cannot be taken; the message says why."""


@transaction.atomic
def moderate(
    *, actor, kind: str, object_id: int, action: str, public_reason: str = ""
) -> ModerationEntry:
    if not can_moderate(actor):
        raise PermissionDenied("Only moderators moderate")
    if kind not in MODELS or action not in ModerationAction.values:
        raise ModerationRefused(_("Unknown moderation action."))
    public_reason = public_reason.strip()[:300]
    if action in NEEDS_REASON and not public_reason:
        raise ModerationRefused(
            _("Give the public reason: it is shown in place of the hidden text.")
        )
    item = MODELS[kind].objects.select_for_update().filter(pk=object_id).first()
    if item is None:
        raise ModerationRefused(_("That item no longer exists."))
    before = {"status": item.status}
    if action != ModerationAction.DISMISS:
        target = TARGETS[(kind, action)]
        machine = PROPOSAL if kind == ContentKind.PROPOSAL else CONTRIBUTION
        machine.check(item.status, target)
        item.status = target
        item.public_reason = public_reason if action in NEEDS_REASON else ""
        item.save(update_fields=["status", "public_reason"])
    now = timezone.now()
    Report.objects.filter(kind=kind, object_id=object_id, resolved_at__isnull=True).update(
        resolved_at=now
    )
    entry = ModerationEntry.objects.create(
        kind=kind,
        object_id=object_id,
        action=action,
        public_reason=public_reason,
        moderator=actor,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action=f"participation:{kind}:{action}",
        subject=item,
        before=before,
        after={"status": item.status, "public_reason": public_reason},
    )
    return entry
