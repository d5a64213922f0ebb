"""Surveys: defining questions, opening and closing, and recording one response per person."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation.lifecycles import SURVEY, OpenClosed
from civitas.participation.models import (
    Answer,
    Choice,
    Consultation,
    Question,
    Survey,
    SurveyResponse,
)
from civitas.participation.models.surveys import QuestionKind
from civitas.participation.permissions import is_citizen

TEXT_MAX = 2000


class SurveyError(ValueError):
    """A survey definition or a response is not acceptable; the message says what to fix."""


def _check_question(index: int, spec: dict[str, Any]) -> None:
    kind = spec.get("kind")
    if kind not in QuestionKind.values:
        raise SurveyError(
            _("Question %(n)s: the kind must be one of %(kinds)s.")
            % {"n": index, "kinds": ", ".join(QuestionKind.values)}
        )
    if not str(spec.get("text", "")).strip():
        raise SurveyError(_("Question %(n)s: write the question.") % {"n": index})
    if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE} and len(spec.get("choices", [])) < 2:
        raise SurveyError(_("Question %(n)s: give at least two choices.") % {"n": index})
    if kind == QuestionKind.SCALE:
        low, high = spec.get("scale_min", 1), spec.get("scale_max", 5)
        if not (isinstance(low, int) and isinstance(high, int) and low < high <= low + 20):
            raise SurveyError(
                _(
                    "Question %(n)s: the scale needs whole numbers, lowest below highest, at most "
                    "20 steps."
                )
                % {"n": index}
            )


@transaction.atomic
def create_survey(
    *,
    actor,
    slug: str,
    title: str,
    questions: list[dict[str, Any]],
    introduction: str = "",
    consultation: Consultation | None = None,
) -> Survey:
    """Create a draft survey with its questions; the slug makes the call idempotent.

    Each question: ``kind`` (single, multiple, scale, text), ``text``, optional ``hint``,
    ``required`` (default true), ``choices`` (list of labels), ``scale_min``/``scale_max`` and
    ``scale_min_label``/``scale_max_label``.
    """
    slug = slugify(slug)[:80]
    existing = Survey.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    if not title.strip():
        raise SurveyError(_("Enter the survey's title."))
    if not questions:
        raise SurveyError(_("Add at least one question."))
    for index, spec in enumerate(questions, start=1):
        _check_question(index, spec)
    survey = Survey.objects.create(
        slug=slug, title=title.strip(), introduction=introduction.strip(), consultation=consultation
    )
    for position, spec in enumerate(questions, start=1):
        scale = spec["kind"] == QuestionKind.SCALE
        question = Question.objects.create(
            survey=survey,
            position=position,
            kind=spec["kind"],
            text=spec["text"].strip(),
            hint=spec.get("hint", ""),
            required=spec.get("required", True),
            scale_min=spec.get("scale_min", 1) if scale else None,
            scale_max=spec.get("scale_max", 5) if scale else None,
            scale_min_label=spec.get("scale_min_label", "") if scale else "",
            scale_max_label=spec.get("scale_max_label", "") if scale else "",
        )
        Choice.objects.bulk_create(
            [
                Choice(question=question, position=i, label=label)
                for i, label in enumerate(spec.get("choices", []), start=1)
            ]
        )
    audit.record(
        actor=actor,
        action="participation:survey:created",
        subject=survey,
        after={"slug": slug, "title": survey.title, "questions": len(questions)},
    )
    return survey


@transaction.atomic
def start_survey(
    *,
    actor,
    slug: str,
    title: str,
    introduction: str = "",
    consultation: Consultation | None = None,
) -> Survey:
    """A draft survey without questions yet (staff add them one by one before opening it).

    Refused if the address is taken: staff choose another title."""
    slug = slugify(slug)[:80]
    if not slug or not title.strip():
        raise SurveyError(_("Enter the survey's title."))
    if Survey.objects.filter(slug=slug).exists():
        raise SurveyError(_("There is already a survey with this title: choose another title."))
    survey = Survey.objects.create(
        slug=slug, title=title.strip(), introduction=introduction.strip(), consultation=consultation
    )
    audit.record(
        actor=actor,
        action="participation:survey:created",
        subject=survey,
        after={"slug": slug, "title": survey.title, "questions": 0},
    )
    return survey


def _draft_survey(survey: Survey) -> Survey:
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.status != OpenClosed.DRAFT:
        raise SurveyError(
            _("The survey is “%(status)s”: its questions can no longer change.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def update_survey(
    *,
    actor,
    survey: Survey,
    title: str,
    introduction: str = "",
    consultation: Consultation | None = None,
) -> Survey:
    """Change a draft survey's title, introduction or consultation."""
    locked = _draft_survey(survey)
    if not title.strip():
        raise SurveyError(_("Enter the survey's title."))
    before = {
        "title": locked.title,
        "introduction": locked.introduction,
        "consultation": locked.consultation_id,
    }
    locked.title, locked.introduction = title.strip(), introduction.strip()
    locked.consultation = consultation
    locked.save(update_fields=["title", "introduction", "consultation"])
    audit.record(
        actor=actor,
        action="participation:survey:updated",
        subject=locked,
        before=before,
        after={
            "title": locked.title,
            "introduction": locked.introduction,
            "consultation": locked.consultation_id,
        },
    )
    return locked


@transaction.atomic
def add_question(*, actor, survey: Survey, spec: dict[str, Any]) -> Question:
    """Add a question at the end of a draft survey (``spec`` as in ``create_survey``)."""
    locked = _draft_survey(survey)
    position = (
        locked.questions.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    spec = {**spec, "choices": [c.strip() for c in spec.get("choices", []) if c.strip()]}
    if len(set(spec["choices"])) != len(spec["choices"]):
        raise SurveyError(_("Question %(n)s: each choice must be different.") % {"n": position})
    _check_question(position, spec)
    scale = spec["kind"] == QuestionKind.SCALE
    question = Question.objects.create(
        survey=locked,
        position=position,
        kind=spec["kind"],
        text=spec["text"].strip(),
        hint=spec.get("hint", "").strip(),
        required=spec.get("required", True),
        scale_min=spec.get("scale_min", 1) if scale else None,
        scale_max=spec.get("scale_max", 5) if scale else None,
        scale_min_label=spec.get("scale_min_label", "").strip() if scale else "",
        scale_max_label=spec.get("scale_max_label", "").strip() if scale else "",
    )
    if spec["kind"] in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        Choice.objects.bulk_create(
            [
                Choice(question=question, position=i, label=label)
                for i, label in enumerate(spec["choices"], start=1)
            ]
        )
    audit.record(
        actor=actor,
        action="participation:survey:question_added",
        subject=locked,
        after={
            "position": position,
            "kind": question.kind,
            "text": question.text,
            "choices": spec["choices"] if not scale else [],
        },
    )
    return question


@transaction.atomic
def remove_question(*, actor, survey: Survey, question_id: int) -> None:
    """Remove a question from a draft survey; the ones after it move up."""
    locked = _draft_survey(survey)
    question = locked.questions.filter(pk=question_id).first()
    if question is None:
        raise SurveyError(_("That question is not in this survey."))
    removed = {"position": question.position, "text": question.text}
    question.delete()
    for position, q in enumerate(locked.questions.order_by("position"), start=1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])
    audit.record(
        actor=actor,
        action="participation:survey:question_removed",
        subject=locked,
        before=removed,
    )


@transaction.atomic
def change_status(*, actor, survey: Survey, target: str) -> Survey:
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    SURVEY.check(locked.status, target)
    if target == OpenClosed.OPEN and not locked.questions.exists():
        raise SurveyError(_("Add at least one question before opening the survey."))
    before = {"status": locked.status}
    locked.status = target
    if target == OpenClosed.CLOSED:
        locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=actor,
        action=f"participation:survey:{target}",
        subject=locked,
        before=before,
        after={"status": target},
    )
    return locked


def _answers_for(question: Question, value: Any) -> list[Answer]:
    """Validated answer rows for one question; raises SurveyError naming the question."""
    empty = value in (None, "", [], ())
    if empty:
        if question.required:
            raise SurveyError(_("Answer the question “%(q)s”.") % {"q": question.text})
        return []
    if question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        values = value if isinstance(value, list | tuple) else [value]
        if question.kind == QuestionKind.SINGLE and len(values) != 1:
            raise SurveyError(_("Choose one answer to “%(q)s”.") % {"q": question.text})
        choices = {str(c.pk): c for c in question.choices.all()}
        picked = []
        for v in dict.fromkeys(str(v) for v in values):
            if v not in choices:
                raise SurveyError(
                    _("Choose from the answers listed for “%(q)s”.") % {"q": question.text}
                )
            picked.append(Answer(question=question, choice=choices[v]))
        return picked
    if question.kind == QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not question.scale_min <= number <= question.scale_max:
            raise SurveyError(
                _("For “%(q)s”, choose a number from %(low)s to %(high)s.")
                % {"q": question.text, "low": question.scale_min, "high": question.scale_max}
            )
        return [Answer(question=question, number=number)]
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        raise SurveyError(
            _("Your answer to “%(q)s” must be %(max)s characters or fewer.")
            % {"q": question.text, "max": TEXT_MAX}
        )
    return [Answer(question=question, text=text)] if text else []


@transaction.atomic
def submit_response(*, respondent, survey: Survey, answers: dict[int, Any]) -> SurveyResponse:
    """Record the respondent's answers, replacing their earlier ones while the survey is open.

    ``answers`` maps question id to a choice id (single), a list of choice ids (multiple), a
    number (scale) or text. Everything is checked before anything is stored.
    """
    if not is_citizen(respondent):
        raise SurveyError(_("Surveys are answered from a citizen account."))
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.status != OpenClosed.OPEN:
        raise SurveyError(_("This survey is not open."))
    rows: list[Answer] = []
    for question in locked.questions.prefetch_related("choices"):
        rows.extend(_answers_for(question, answers.get(question.pk)))
    response, created = SurveyResponse.objects.get_or_create(survey=locked, respondent=respondent)
    if not created:
        response.answers.all().delete()
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    audit.record(
        actor=respondent,
        action="participation:survey:answered",
        subject=locked,
        after={"replaced": not created, "answers": len(rows)},
    )
    return response
