"""What moderators work on: posts waiting for review and reported posts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.http import Http404

from civitas.participation.lifecycles import Contribution, ProposalStatus
from civitas.participation.models import Comment, Proposal, Report, Statement
from civitas.participation.models.comments import ContentKind
from civitas.participation.permissions import can_moderate


@dataclass
class Item:
    kind: str
    object_id: int
    text: str
    status: str
    status_label: str
    where: str
    reports: int = 0
    reasons: str = ""


def _comment(c: Comment) -> Item:
    where = c.consultation.title if c.consultation_id else c.proposal.title
    return Item("comment", c.pk, c.body, c.status, c.get_status_display(), where)


def _proposal(p: Proposal) -> Item:
    return Item("proposal", p.pk, f"{p.title}\n\n{p.body}", p.status, p.get_status_display(), "")


def _statement(s: Statement) -> Item:
    return Item("statement", s.pk, s.text, s.status, s.get_status_display(), s.conversation.topic)


LOADERS = {
    ContentKind.COMMENT: (
        Comment.objects.select_related("consultation", "proposal"),
        _comment,
    ),
    ContentKind.PROPOSAL: (Proposal.objects.all(), _proposal),
    ContentKind.STATEMENT: (Statement.objects.select_related("conversation"), _statement),
}


def queue(user) -> dict[str, list[Item]]:
    """Held posts (oldest first) and reported posts (most reported first)."""
    if not can_moderate(user):
        raise Http404("Not found")
    held = [_comment(c) for c in LOADERS["comment"][0].filter(status=Contribution.HELD)]
    held += [_proposal(p) for p in Proposal.objects.filter(status=ProposalStatus.HELD)]
    held += [_statement(s) for s in LOADERS["statement"][0].filter(status=Contribution.HELD)]
    open_reports = list(Report.objects.filter(resolved_at__isnull=True))
    counts = Counter((r.kind, r.object_id) for r in open_reports)
    reasons: dict[tuple[str, int], list[str]] = {}
    for r in open_reports:
        reasons.setdefault((r.kind, r.object_id), []).append(r.get_reason_display())
    reported = []
    for kind, (queryset, build) in LOADERS.items():
        ids = [object_id for k, object_id in counts if k == kind]
        for obj in queryset.filter(pk__in=ids):
            item = build(obj)
            item.reports = counts[(kind, obj.pk)]
            item.reasons = ", ".join(sorted(set(reasons[(kind, obj.pk)])))
            reported.append(item)
    reported.sort(key=lambda i: -i.reports)
    return {"held": held, "reported": reported}


def item(user, *, kind: str, object_id: int) -> Item:
    if not can_moderate(user) or kind not in LOADERS:
        raise Http404("Not found")
    queryset, build = LOADERS[kind]
    obj = queryset.filter(pk=object_id).first()
    if obj is None:
        raise Http404("Not found")
    return build(obj)
