"""Reads of comment threads as each viewer may see them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from civitas.participation.lifecycles import PUBLIC_PHASES, PUBLIC_PROPOSAL_STATES, Contribution
from civitas.participation.models import Comment, Endorsement, ModerationEntry
from civitas.participation.permissions import can_moderate


@dataclass
class Node:
    comment: Comment
    show_body: bool  # False: a moderator hid it or refused it; show the public reason instead
    endorsed: bool = False
    replies: list[Node] = field(default_factory=list)

    @property
    def is_official(self) -> bool:
        return self.comment.author.is_staff


def thread(*, viewer, consultation=None, proposal=None) -> list[Node]:
    """Top-level comments with their replies, oldest first.

    Everyone sees published comments and, in place of hidden ones, the public reason. A comment
    waiting for review is visible only to its author and to moderators.
    """
    moderator = can_moderate(viewer)
    signed_in = getattr(viewer, "is_authenticated", False)
    comments = Comment.objects.select_related("author").filter(
        consultation=consultation, proposal=proposal
    )
    visible = Q(status__in=[Contribution.PUBLISHED, Contribution.HIDDEN])
    if moderator:
        visible |= Q(status=Contribution.HELD)
    elif signed_in:
        visible |= Q(author=viewer, status__in=[Contribution.HELD, Contribution.REJECTED])
    comments = list(comments.filter(visible).order_by("created_at", "pk"))
    endorsed = set()
    if signed_in:
        endorsed = set(
            Endorsement.objects.filter(
                user=viewer, comment_id__in=[c.pk for c in comments]
            ).values_list("comment_id", flat=True)
        )
    nodes = {
        c.pk: Node(
            c,
            show_body=c.status in {Contribution.PUBLISHED, Contribution.HELD}
            or (moderator and c.status == Contribution.HIDDEN),
            endorsed=c.pk in endorsed,
        )
        for c in comments
    }
    roots: list[Node] = []
    for c in comments:
        parent = nodes.get(c.parent_id) if c.parent_id else None
        if c.parent_id and parent is None:
            continue  # its parent is not visible to this viewer
        (parent.replies if parent else roots).append(nodes[c.pk])
    return roots


def comment_in_thread(*, pk: int, consultation=None, proposal=None) -> Comment | None:
    return (
        Comment.objects.filter(pk=pk, consultation=consultation, proposal=proposal)
        .select_related("author")
        .first()
    )


def moderation_log(limit: int = 200):
    return ModerationEntry.objects.order_by("-created_at", "-pk")[:limit]


def published_comment(viewer, *, pk: int) -> Comment:
    """A published comment in a thread the viewer can see (for replies, endorsements, reports)."""
    comment = (
        Comment.objects.select_related("consultation", "proposal", "author")
        .filter(pk=pk, status=Contribution.PUBLISHED)
        .first()
    )
    if comment is None:
        raise Http404("No such comment")
    if comment.consultation_id and comment.consultation.phase not in PUBLIC_PHASES:
        raise Http404("No such comment")
    if comment.proposal_id and comment.proposal.status not in PUBLIC_PROPOSAL_STATES:
        raise Http404("No such comment")
    return comment
