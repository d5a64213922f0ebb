"""Application forms as data, turned into Django forms one page at a time.

The spec (see ``formspec``) says what to ask; this module builds the fields, checks answers the
same way for the web pages and the API, and converts answers to and from what is stored. Every error
message says how to fix the answer, in the GOV.UK style ("Enter …", "Select …").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civitas.programs.formspec import (
    FormSpec,
    FormSpecError,
    Page,
    Question,
    condition_holds,
    is_blank,
    parse_spec,
    validate_spec,
)

__all__ = [
    "FormSpecError",
    "answers_for_storage",
    "build_form_class",
    "build_page_form",
    "display_answer",
    "validate_answers",
    "validate_spec",
]


def _lowered(label: str) -> str:
    return (label[:1].lower() + label[1:]).rstrip("?")


def _field(question: Question) -> forms.Field:
    label = question.label
    common = {"label": label, "required": question.required, "help_text": question.hint}
    kind = question.type
    if kind == "text":
        return forms.CharField(
            max_length=question.max_length,
            error_messages={
                "required": _("Enter %(what)s") % {"what": _lowered(label)},
                "max_length": _("Enter %(limit_value)d characters or fewer"),
            },
            **common,
        )
    if kind in {"integer", "decimal"}:
        cls = forms.IntegerField if kind == "integer" else forms.DecimalField
        extra = {"decimal_places": 2, "max_digits": 12} if kind == "decimal" else {}
        return cls(
            min_value=question.min,
            max_value=question.max,
            error_messages={
                "required": _("Enter a number for: %(what)s") % {"what": label},
                "invalid": _("Enter a number, like 2 or 1250"),
                "min_value": _("Enter a number that is %(limit_value)s or more"),
                "max_value": _("Enter a number that is %(limit_value)s or less"),
                "max_decimal_places": _("Enter an amount with no more than 2 decimal places"),
                "max_digits": _("Enter a smaller amount"),
                "max_whole_digits": _("Enter a smaller amount"),
            },
            **extra,
            **common,
        )
    if kind == "date":
        return forms.DateField(
            input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y"],
            error_messages={
                "required": _("Enter a date for: %(what)s") % {"what": label},
                "invalid": _("Enter a real date, for example 27/03/2026"),
            },
            **common,
        )
    if kind == "yes_no":
        return forms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Select yes or no"),
                "invalid_choice": _("Select yes or no"),
            },
            **common,
        )
    return forms.ChoiceField(
        choices=list(question.choices),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select an option for: %(what)s") % {"what": label},
            "invalid_choice": _("Select one of the options listed"),
        },
        **common,
    )


def _to_input(question: Question, value: Any) -> Any:
    """A stored (or JSON) answer as the text a person would have typed or ticked."""
    if value is None:
        return ""
    if question.type == "yes_no":
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if question.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def build_page_form(
    page: Page,
    *,
    answers: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
) -> forms.Form:
    """The form for one page: its questions that ``answers`` make visible, bound to ``data`` when
    the person sent it, otherwise showing what they answered before."""
    questions = page.visible_questions(answers)
    form_class = _page_form_class(questions)
    if data is not None:
        return form_class(data)
    initial = {q.name: _to_input(q, answers.get(q.name)) for q in questions}
    return form_class(initial=initial)


# Form classes made once per set of questions and language: making a class and its fields cost
# more than checking the answers with it (every API submission checks every page).
_FORM_CLASSES: OrderedDict[tuple, type[forms.Form]] = OrderedDict()
_FORM_CLASSES_LOCK = threading.Lock()
_FORM_CLASSES_SIZE = 512


def _page_form_class(questions: list[Question]) -> type[forms.Form]:
    # What ``_field`` reads of each question, and the language its messages are in.
    key = (
        get_language(),
        *(
            (q.name, q.type, q.label, q.hint, q.required, q.min, q.max, q.max_length, q.choices)
            for q in questions
        ),
    )
    with _FORM_CLASSES_LOCK:
        form_class = _FORM_CLASSES.get(key)
        if form_class is not None:
            _FORM_CLASSES.move_to_end(key)
            return form_class
    form_class = type("PageForm", (forms.Form,), {q.name: _field(q) for q in questions})
    with _FORM_CLASSES_LOCK:
        _FORM_CLASSES[key] = form_class
        while len(_FORM_CLASSES) > _FORM_CLASSES_SIZE:
            _FORM_CLASSES.popitem(last=False)
    return form_class


def build_form_class(spec: Mapping[str, Any]) -> type[forms.Form]:
    """Every question of a form on one Django form (for tools that check a whole form at once)."""
    parsed = parse_spec(spec)
    return type("ApplicationForm", (forms.Form,), {q.name: _field(q) for q in parsed.questions})


def answers_for_storage(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Dates and decimals as strings so answers survive JSON exactly."""
    stored: dict[str, Any] = {}
    for name, value in cleaned.items():
        if isinstance(value, (bool, int, str)) or value is None:
            stored[name] = value
        elif isinstance(value, Decimal):
            stored[name] = f"{value:.2f}"
        elif hasattr(value, "isoformat"):
            stored[name] = value.isoformat()
        else:
            stored[name] = str(value)
    return stored


def validate_answers(
    spec: FormSpec, answers: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check answers given as JSON values (the API) page by page, in order, so conditions see
    earlier answers. Returns (clean answers to store, errors by question name). With ``partial``,
    a missing answer is not an error (a draft may be incomplete)."""
    known = {q.name for q in spec.questions}
    errors: dict[str, list[str]] = {
        name: [_("There is no question called %(name)s") % {"name": name}]
        for name in answers
        if name not in known
    }
    clean: dict[str, Any] = {}
    for page in spec.pages:
        if not condition_holds(page.show_if, clean):
            continue
        questions = page.visible_questions(clean)
        if not questions:
            continue
        given = {q.name: answers.get(q.name) for q in questions}
        if partial and all(is_blank(v) for v in given.values()):
            continue
        data = {q.name: _to_input(q, given[q.name]) for q in questions}
        form = build_page_form(page, answers=clean, data=data)
        if form.is_valid():
            clean.update(answers_for_storage(form.cleaned_data))
        else:
            for name, messages in form.errors.items():
                if partial and is_blank(given.get(name)):
                    continue
                errors[name] = list(messages)
            for name, value in form.cleaned_data.items():
                clean[name] = answers_for_storage({name: value})[name]
    return (clean if partial else spec.keep_visible(clean)), errors


def display_answer(question: Question, value: Any) -> str:
    """An answer as a person reads it on "check your answers"."""
    if is_blank(value):
        return ""
    if question.type == "yes_no":
        return _("Yes") if value in (True, "yes") else _("No")
    if question.type == "choice":
        return question.choice_label(value)
    if question.type == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)
