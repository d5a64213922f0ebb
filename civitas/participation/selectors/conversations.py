"""Reads of opinion-map conversations: the next statement to vote on, counts, and the map."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from civitas.participation.lifecycles import Contribution, OpenClosed
from civitas.participation.models import Conversation, Statement, StatementVote
from civitas.participation.permissions import can_manage


def public_conversations():
    return Conversation.objects.exclude(status=OpenClosed.DRAFT).order_by("-created_at")


def conversation_for(user, *, slug: str) -> Conversation:
    conversations = Conversation.objects.all() if can_manage(user) else public_conversations()
    conversation = conversations.filter(slug=slug).first()
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def slug_taken(slug: str) -> bool:
    return Conversation.objects.filter(slug=slug).exists()


def statements_for_staff(conversation: Conversation):
    """Every statement with its state, the organisers' first."""
    return conversation.statements.order_by("-is_seed", "created_at", "pk")


def published_statements(conversation: Conversation):
    return conversation.statements.filter(status=Contribution.PUBLISHED)


def statement_in(conversation: Conversation, *, pk: int) -> Statement:
    statement = published_statements(conversation).filter(pk=pk).first()
    if statement is None:
        raise Http404("No such statement")
    return statement


def next_statement(conversation: Conversation, user) -> Statement | None:
    """A statement this participant has not voted on yet: the least-voted first, so every
    statement gathers votes."""
    if not getattr(user, "is_authenticated", False):
        return published_statements(conversation).order_by("created_at", "pk").first()
    voted = StatementVote.objects.filter(
        participant=user, statement__conversation=conversation
    ).values("statement_id")
    return (
        published_statements(conversation)
        .exclude(pk__in=voted)
        .annotate(n=Count("votes"))
        .order_by("n", "created_at", "pk")
        .first()
    )


def progress(conversation: Conversation, user) -> tuple[int, int]:
    """(statements this participant voted on, published statements)."""
    total = published_statements(conversation).count()
    if not getattr(user, "is_authenticated", False):
        return 0, total
    done = StatementVote.objects.filter(
        participant=user,
        statement__conversation=conversation,
        statement__status=Contribution.PUBLISHED,
    ).count()
    return done, total


@dataclass
class StatementTally:
    statement: Statement
    agree: int
    disagree: int
    passed: int

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed


def tallies(conversation: Conversation) -> list[StatementTally]:
    rows = published_statements(conversation).annotate(
        agree=Count("votes", filter=Q(votes__value=1)),
        disagree=Count("votes", filter=Q(votes__value=-1)),
        passed=Count("votes", filter=Q(votes__value=0)),
    )
    return [StatementTally(s, s.agree, s.disagree, s.passed) for s in rows.order_by("pk")]


def participants(conversation: Conversation) -> int:
    return (
        StatementVote.objects.filter(statement__conversation=conversation)
        .values("participant_id")
        .distinct()
        .count()
    )


def vote_rows(conversation: Conversation) -> list[tuple[int, int, int]]:
    """(statement id, participant id, vote) for every vote on a published statement."""
    return list(
        StatementVote.objects.filter(
            statement__conversation=conversation, statement__status=Contribution.PUBLISHED
        ).values_list("statement_id", "participant_id", "value")
    )


def published_statement(*, pk: int) -> Statement:
    statement = (
        Statement.objects.select_related("conversation")
        .filter(pk=pk, status=Contribution.PUBLISHED)
        .exclude(conversation__status=OpenClosed.DRAFT)
        .first()
    )
    if statement is None:
        raise Http404("No such statement")
    return statement
