"""Every participation object's named states and the only transitions allowed between them.

A status field is written only by the service's transition function, which calls ``check`` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


class TransitionNotAllowed(Exception):
    """The change is not allowed from the current state; the message says why, in plain words."""


@dataclass(frozen=True)
class Lifecycle:
    """A state machine: ``transitions[state]`` is the set of states reachable in one step."""

    noun: str
    states: type[models.TextChoices]
    transitions: dict[str, frozenset[str]]

    def allowed(self, current: str) -> frozenset[str]:
        return self.transitions.get(current, frozenset())

    def can(self, current: str, target: str) -> bool:
        return target in self.allowed(current)

    def check(self, current: str, target: str) -> None:
        if not self.can(current, target):
            raise TransitionNotAllowed(
                _("This %(noun)s is “%(current)s”, so it cannot become “%(target)s”.")
                % {
                    "noun": self.noun,
                    "current": self.states(current).label,
                    "target": self.states(target).label,
                }
            )


def _machine(noun, states, pairs: dict) -> Lifecycle:
    return Lifecycle(noun, states, {k: frozenset(v) for k, v in pairs.items()})


# --- consultations -------------------------------------------------------------------------------
class Phase(models.TextChoices):
    DRAFT = "draft", _lazy("Not yet published")  # staff are preparing it; the public cannot see it
    INFORMATION = "information", _lazy("Information")  # documents are out, questions not yet open
    CONSULTATION = "consultation", _lazy("Consultation")  # comments, surveys and proposals open
    DELIBERATION = "deliberation", _lazy("Deliberation")  # discussion of what was said
    DECISION = "decision", _lazy("Decision")  # the government says what it decided and why
    FOLLOW_UP = "follow_up", _lazy("Follow-up")  # what happened next; final


CONSULTATION = _machine(
    _lazy("consultation"),
    Phase,
    {
        Phase.DRAFT: {Phase.INFORMATION},
        Phase.INFORMATION: {Phase.CONSULTATION},
        Phase.CONSULTATION: {Phase.DELIBERATION},
        Phase.DELIBERATION: {Phase.DECISION},
        Phase.DECISION: {Phase.FOLLOW_UP},
        Phase.FOLLOW_UP: set(),
    },
)
PUBLIC_PHASES = [p for p in Phase.values if p != Phase.DRAFT]
COMMENTING_PHASES = {Phase.CONSULTATION, Phase.DELIBERATION}


# --- contributions: comments and opinion-map statements ------------------------------------------
class Contribution(models.TextChoices):
    HELD = "held", _lazy("Waiting for review")  # a first post, not yet public
    PUBLISHED = "published", _lazy("Published")
    HIDDEN = "hidden", _lazy("Hidden by a moderator")  # public reason shown in its place
    REJECTED = "rejected", _lazy("Not published")  # refused at review; final


CONTRIBUTION = _machine(
    _lazy("contribution"),
    Contribution,
    {
        Contribution.HELD: {Contribution.PUBLISHED, Contribution.REJECTED},
        Contribution.PUBLISHED: {Contribution.HIDDEN},
        Contribution.HIDDEN: {Contribution.PUBLISHED},
        Contribution.REJECTED: set(),
    },
)


# --- proposals -----------------------------------------------------------------------------------
class ProposalStatus(models.TextChoices):
    HELD = "held", _lazy("Waiting for review")  # a first post, not yet public
    OPEN = "open", _lazy("Collecting support")
    AWAITING_ANSWER = "awaiting_answer", _lazy("Waiting for an official answer")  # threshold met
    UNDER_STUDY = "under_study", _lazy("Being studied")  # answer: we are looking into it
    ACCEPTED = "accepted", _lazy("Accepted")  # answer: we will do it
    REJECTED = "rejected", _lazy("Not accepted")  # answer: we will not, with reasons; final
    IMPLEMENTED = "implemented", _lazy("Done")  # final
    HIDDEN = "hidden", _lazy("Hidden by a moderator")


PROPOSAL = _machine(
    _lazy("proposal"),
    ProposalStatus,
    {
        ProposalStatus.HELD: {ProposalStatus.OPEN, ProposalStatus.HIDDEN},
        ProposalStatus.OPEN: {
            ProposalStatus.AWAITING_ANSWER,
            ProposalStatus.UNDER_STUDY,
            ProposalStatus.ACCEPTED,
            ProposalStatus.REJECTED,
            ProposalStatus.HIDDEN,
        },
        ProposalStatus.AWAITING_ANSWER: {
            ProposalStatus.UNDER_STUDY,
            ProposalStatus.ACCEPTED,
            ProposalStatus.REJECTED,
            ProposalStatus.HIDDEN,
        },
        ProposalStatus.UNDER_STUDY: {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED},
        ProposalStatus.ACCEPTED: {ProposalStatus.IMPLEMENTED},
        ProposalStatus.REJECTED: set(),
        ProposalStatus.IMPLEMENTED: set(),
        ProposalStatus.HIDDEN: {ProposalStatus.OPEN},
    },
)
# the official answer a moderator or policy author gives, and the status it leads to
ANSWER_STATUSES = {
    "under_study": ProposalStatus.UNDER_STUDY,
    "accepted": ProposalStatus.ACCEPTED,
    "rejected": ProposalStatus.REJECTED,
    "implemented": ProposalStatus.IMPLEMENTED,
}
SUPPORTABLE = {ProposalStatus.OPEN, ProposalStatus.AWAITING_ANSWER}
PUBLIC_PROPOSAL_STATES = set(ProposalStatus.values) - {ProposalStatus.HELD}


# --- surveys and opinion-map conversations -------------------------------------------------------
class OpenClosed(models.TextChoices):
    DRAFT = "draft", _lazy("Not yet published")
    OPEN = "open", _lazy("Open")
    CLOSED = "closed", _lazy("Closed")  # final: results are public


SURVEY = _machine(
    _lazy("survey"),
    OpenClosed,
    {OpenClosed.DRAFT: {OpenClosed.OPEN}, OpenClosed.OPEN: {OpenClosed.CLOSED}},
)
CONVERSATION = _machine(
    _lazy("conversation"),
    OpenClosed,
    {OpenClosed.DRAFT: {OpenClosed.OPEN}, OpenClosed.OPEN: {OpenClosed.CLOSED}},
)


# --- participatory budgets -----------------------------------------------------------------------
class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _lazy("Not yet published")  # projects being prepared
    OPEN = "open", _lazy("Voting open")  # eligible residents vote; re-voting replaces
    CLOSED = "closed", _lazy("Voting closed")  # ballots sealed: unlinkable even to the server
    TALLIED = "tallied", _lazy("Results published")  # final: results and verification report


BUDGET = _machine(
    _lazy("budget"),
    BudgetStatus,
    {
        BudgetStatus.DRAFT: {BudgetStatus.OPEN},
        BudgetStatus.OPEN: {BudgetStatus.CLOSED},
        BudgetStatus.CLOSED: {BudgetStatus.TALLIED},
        BudgetStatus.TALLIED: set(),
    },
)
