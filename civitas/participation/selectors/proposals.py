"""Reads of proposals and of the official answers owed on them."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from civitas.participation.lifecycles import ProposalStatus
from civitas.participation.models import AnswerTask, Proposal, Support
from civitas.participation.permissions import can_manage, can_moderate

LISTED = [s for s in ProposalStatus.values if s not in {ProposalStatus.HELD, ProposalStatus.HIDDEN}]


def public_proposals(*, status: str | None = None, consultation=None):
    proposals = Proposal.objects.filter(status__in=LISTED).select_related("region")
    if status in LISTED:
        proposals = proposals.filter(status=status)
    if consultation is not None:
        proposals = proposals.filter(consultation=consultation)
    return proposals.order_by("-support_count", "-created_at")


def proposal_for(user, *, pk: int) -> Proposal:
    """Held proposals are seen by their author and moderators; hidden ones show their reason."""
    visible = ~Q(status=ProposalStatus.HELD)
    if can_moderate(user):
        visible = Q()
    elif getattr(user, "is_authenticated", False):
        visible |= Q(author=user)
    proposal = (
        Proposal.objects.select_related("region", "consultation", "author")
        .filter(visible, pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal")
    return proposal


def has_supported(user, proposal: Proposal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Support.objects.filter(proposal=proposal, user=user).exists()


def proposals_of(user):
    return Proposal.objects.filter(author=user).order_by("-created_at")


def answer_tasks(user, *, open_only: bool = True):
    if not can_manage(user):
        raise Http404("Not found")
    tasks = AnswerTask.objects.select_related("proposal")
    if open_only:
        tasks = tasks.filter(completed_at__isnull=True)
    return tasks.order_by("due_on", "pk")
