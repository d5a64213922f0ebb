"""Anti-spam: a posting rate limit per account, and first posts held for a moderator."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.participation.lifecycles import Contribution, ProposalStatus
from civitas.participation.models import Comment, Proposal, Statement
from civitas.participation.permissions import can_manage


class RateLimited(Exception):
    """Too many posts in the last hour; the message says when to try again."""


def check_rate(user) -> None:
    """Refuse a new comment, proposal or statement beyond the hourly limit (staff excepted)."""
    if can_manage(user):
        return
    limit = settings.PARTICIPATION_POSTS_PER_HOUR
    since = timezone.now() - timedelta(hours=1)
    posted = (
        Comment.objects.filter(author=user, created_at__gte=since).count()
        + Proposal.objects.filter(author=user, created_at__gte=since).count()
        + Statement.objects.filter(author=user, created_at__gte=since).count()
    )
    if posted >= limit:
        raise RateLimited(
            _(
                "You have posted %(limit)s times in the last hour, which is the most we allow. "
                "Please wait before posting again: nothing you wrote has been lost."
            )
            % {"limit": limit}
        )


def needs_review(user) -> bool:
    """A first post waits for a moderator; once one post passed review, later posts go live."""
    if can_manage(user):
        return False
    return not (
        Comment.objects.filter(
            author=user, status__in=[Contribution.PUBLISHED, Contribution.HIDDEN]
        ).exists()
        or Statement.objects.filter(
            author=user, status__in=[Contribution.PUBLISHED, Contribution.HIDDEN]
        ).exists()
        or Proposal.objects.filter(author=user)
        .exclude(status__in=[ProposalStatus.HELD, ProposalStatus.HIDDEN])
        .exists()
    )
