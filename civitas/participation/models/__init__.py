"""Participation data: consultations, comments, proposals, surveys, budgets, conversations."""

from civitas.participation.models.budgets import (
    Ballot,
    BallotFormat,
    Budget,
    District,
    Project,
    TallyResult,
    VoteMarker,
)
from civitas.participation.models.comments import Comment, Endorsement, ModerationEntry, Report
from civitas.participation.models.consultations import (
    Consultation,
    Document,
    ImpactRun,
    PhaseChange,
    Subject,
)
from civitas.participation.models.conversations import Conversation, Statement, StatementVote
from civitas.participation.models.proposals import AnswerTask, Proposal, Support
from civitas.participation.models.surveys import Answer, Choice, Question, Survey, SurveyResponse

__all__ = [
    "Answer",
    "AnswerTask",
    "Ballot",
    "BallotFormat",
    "Budget",
    "Choice",
    "Comment",
    "Consultation",
    "Conversation",
    "District",
    "Document",
    "Endorsement",
    "ImpactRun",
    "ModerationEntry",
    "PhaseChange",
    "Project",
    "Proposal",
    "Question",
    "Report",
    "Statement",
    "StatementVote",
    "Subject",
    "Support",
    "Survey",
    "SurveyResponse",
    "TallyResult",
    "VoteMarker",
]
