"""Public API: the programme catalogue, each programme's form as data, and the eligibility check
(no token needed)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import ValidationError

from civitas.programs import selectors
from civitas.programs.assessment import check_eligibility, facts_from_answers
from civitas.programs.forms import validate_answers
from civitas.programs.formspec import FormSpec, Question, parse_spec

router = Router(tags=["Programmes"])

Scalar = str | int | float | bool | None


class ProgrammeOut(Schema):
    slug: str
    name: str
    summary: str
    who_can_apply: str
    what_you_need: str
    how_long: str
    decision_working_days: int
    what_happens_next: str
    version: int | None
    legal_basis: str
    has_eligibility_check: bool


class ChoiceOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    name: str
    type: str
    label: str
    hint: str
    required: bool
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices: list[ChoiceOut] = []
    show_if: dict[str, Any] | None = None
    prefill: str = ""


class PageOut(Schema):
    name: str
    title: str
    section: str
    show_if: dict[str, Any] | None = None
    questions: list[QuestionOut]


class DocumentOut(Schema):
    name: str
    label: str
    hint: str
    required: bool
    formats: list[str]
    max_size_mb: int
    show_if: dict[str, Any] | None = None


class FormOut(Schema):
    pages: list[PageOut]
    documents: list[DocumentOut]
    eligibility_questions: list[QuestionOut]


class ProgrammeDetailOut(ProgrammeOut):
    form: FormOut


class EligibilityIn(Schema):
    answers: dict[str, Scalar]


class ReasonOut(Schema):
    text: str
    reference: str
    level: int


class EligibilityOut(Schema):
    eligible: bool
    amount: float
    currency: str
    period: str
    headline: str
    why: list[ReasonOut]
    how_much: list[ReasonOut]
    references: list[str]


def _programme(program, version, spec: FormSpec | None) -> dict:
    return {
        "slug": program.slug,
        "name": program.name,
        "summary": program.summary,
        "who_can_apply": program.who_can_apply,
        "what_you_need": program.what_you_need,
        "how_long": program.how_long,
        "decision_working_days": program.decision_days,
        "what_happens_next": program.what_happens_next,
        "version": version.number if version else None,
        "legal_basis": version.legal_basis if version else "",
        "has_eligibility_check": bool(spec and spec.checker),
    }


def _question(q: Question) -> dict:
    return {
        "name": q.name,
        "type": q.type,
        "label": q.label,
        "hint": q.hint,
        "required": q.required,
        "min": q.min,
        "max": q.max,
        "max_length": q.max_length if q.type == "text" else None,
        "choices": [{"value": v, "label": label} for v, label in q.choices],
        "show_if": q.show_if,
        "prefill": q.prefill,
    }


@router.get("", response=list[ProgrammeOut], summary="List the programmes people can apply for")
def list_programmes(request):
    out = []
    for program in selectors.published_programs():
        version = program.version_in_force()
        spec = parse_spec(version.form) if version else None
        out.append(_programme(program, version, spec))
    return out


@router.get(
    "/{slug}",
    response=ProgrammeDetailOut,
    summary="One programme, with its application form as data",
)
def get_programme(request, slug: str):
    program = selectors.published_program(slug)
    version = selectors.version_in_force(program)
    spec = parse_spec(version.form)
    return {
        **_programme(program, version, spec),
        "form": {
            "pages": [
                {
                    "name": page.name,
                    "title": page.title,
                    "section": next((s.title for s in spec.sections if page in s.pages), ""),
                    "show_if": page.show_if,
                    "questions": [_question(q) for q in page.questions],
                }
                for page in spec.pages
            ],
            "documents": [
                {
                    "name": d.name,
                    "label": d.label,
                    "hint": d.hint,
                    "required": d.required,
                    "formats": list(d.formats),
                    "max_size_mb": d.max_size_mb,
                    "show_if": d.show_if,
                }
                for d in spec.documents
            ],
            "eligibility_questions": [_question(q) for q in spec.checker.questions]
            if spec.checker
            else [],
        },
    }


@router.post(
    "/{slug}/eligibility",
    response={200: EligibilityOut, 503: dict},
    summary="Check eligibility from a few answers, explained in plain language",
    description=(
        "Answer the programme's `eligibility_questions` (see GET /programmes/{slug}). The answer "
        "comes from the rules engine, with the reasons and the legal reference for each. "
        "Nothing is stored."
    ),
)
def check(request, slug: str, payload: EligibilityIn):
    program = selectors.published_program(slug)
    version = selectors.version_in_force(program)
    spec = parse_spec(version.form)
    if spec.checker is None:
        raise ValidationError(
            [
                {
                    "loc": ["path", "slug"],
                    "msg": "This programme has no eligibility check",
                    "type": "value_error",
                }
            ]
        )
    clean, errors = validate_answers(spec.checker, payload.answers)
    if errors:
        raise ValidationError(
            [
                {"loc": ["body", "answers", name], "msg": message, "type": "value_error"}
                for name, messages in errors.items()
                for message in messages
            ]
        )
    result = check_eligibility(version=version, facts=facts_from_answers(spec.checker, clean))
    if result is None:
        return Status(503, {"detail": "The eligibility check is not available at the moment"})
    return result
