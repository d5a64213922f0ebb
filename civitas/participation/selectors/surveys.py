"""Reads of surveys and their aggregated results (never one person's answers)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean, median

from django.http import Http404

from civitas.participation.lifecycles import OpenClosed
from civitas.participation.models import Answer, Question, Survey, SurveyResponse
from civitas.participation.models.surveys import QuestionKind
from civitas.participation.permissions import can_manage


def public_surveys():
    return Survey.objects.exclude(status=OpenClosed.DRAFT).order_by("-created_at")


def survey_for(user, *, slug: str) -> Survey:
    surveys = Survey.objects.all() if can_manage(user) else public_surveys()
    survey = surveys.filter(slug=slug).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("choices").order_by("position"))


def my_answers(survey: Survey, user) -> dict[int, object] | None:
    """The signed-in person's own answers, to show back to them when they change them."""
    if not getattr(user, "is_authenticated", False):
        return None
    response = SurveyResponse.objects.filter(survey=survey, respondent=user).first()
    if response is None:
        return None
    answers: dict[int, object] = {}
    for a in response.answers.select_related("question"):
        if a.question.kind == QuestionKind.MULTIPLE:
            answers.setdefault(a.question_id, []).append(str(a.choice_id))
        elif a.question.kind == QuestionKind.SINGLE:
            answers[a.question_id] = str(a.choice_id)
        elif a.question.kind == QuestionKind.SCALE:
            answers[a.question_id] = a.number
        else:
            answers[a.question_id] = a.text
    return answers


@dataclass
class QuestionResult:
    question: Question
    answered: int  # respondents who answered this question
    rows: list[tuple[str, int, float]] = field(default_factory=list)  # label, count, percent
    mean: float | None = None
    median: float | None = None


def results_visible(user, survey: Survey) -> bool:
    return survey.status == OpenClosed.CLOSED or can_manage(user)


def results(survey: Survey) -> tuple[int, list[QuestionResult]]:
    """(respondents, per-question aggregates). Free text is counted, never listed here."""
    respondents = SurveyResponse.objects.filter(survey=survey).count()
    out = []
    answers = Answer.objects.filter(response__survey=survey)
    for question in questions_of(survey):
        mine = answers.filter(question=question)
        answered = mine.values("response_id").distinct().count()
        result = QuestionResult(question, answered)
        if question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
            counts = Counter(mine.values_list("choice_id", flat=True))
            for choice in question.choices.all():
                n = counts.get(choice.pk, 0)
                result.rows.append((choice.label, n, 100 * n / answered if answered else 0.0))
        elif question.kind == QuestionKind.SCALE:
            numbers = list(mine.values_list("number", flat=True))
            counts = Counter(numbers)
            for value in range(question.scale_min, question.scale_max + 1):
                n = counts.get(value, 0)
                result.rows.append((str(value), n, 100 * n / answered if answered else 0.0))
            if numbers:
                result.mean = round(mean(numbers), 2)
                result.median = float(median(numbers))
        out.append(result)
    return respondents, out


def free_text_answers(user, survey: Survey, question: Question) -> list[str]:
    """Free-text answers, for staff analysing the consultation (not published)."""
    if not can_manage(user):
        raise Http404("Not found")
    return list(
        Answer.objects.filter(question=question, response__survey=survey)
        .exclude(text="")
        .values_list("text", flat=True)
    )
