"""Application forms as data: a programme version's ``form`` JSON becomes a Django form.

Supported question types: ``text``, ``integer``, ``decimal``, ``date``, ``yes_no`` and ``choice``.
Every error message says how to fix the answer, in the GOV.UK style ("Enter …", "Select …").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

QUESTION_TYPES = ("text", "integer", "decimal", "date", "yes_no", "choice")


class FormSpecError(ValueError):
    """A programme's form definition is malformed; the message names the question."""


def validate_spec(spec: dict[str, Any]) -> None:
    names = set()
    for index, question in enumerate(spec.get("questions", []), start=1):
        name = question.get("name")
        if not name or not str(name).isidentifier():
            raise FormSpecError(f"question {index}: 'name' must be an identifier")
        if name in names:
            raise FormSpecError(f"question {index}: name {name!r} is used twice")
        names.add(name)
        if question.get("type") not in QUESTION_TYPES:
            raise FormSpecError(
                f"question {name!r}: type must be one of {', '.join(QUESTION_TYPES)}"
            )
        if not question.get("label"):
            raise FormSpecError(f"question {name!r}: a label is required")
        if question["type"] == "choice" and not question.get("choices"):
            raise FormSpecError(f"question {name!r}: a choice question needs choices")


def _field(question: dict[str, Any]) -> forms.Field:
    label = question["label"]
    required = question.get("required", True)
    hint = question.get("hint", "")
    kind = question["type"]
    lowered = label[:1].lower() + label[1:]
    common = {"label": label, "required": required, "help_text": hint}
    if kind == "text":
        return forms.CharField(
            max_length=question.get("max_length", 500),
            error_messages={"required": _("Enter %(what)s") % {"what": lowered.rstrip("?")}},
            **common,
        )
    if kind in {"integer", "decimal"}:
        cls = forms.IntegerField if kind == "integer" else forms.DecimalField
        extra = {"decimal_places": 2, "max_digits": 12} if kind == "decimal" else {}
        minimum, maximum = question.get("min"), question.get("max")
        return cls(
            min_value=minimum,
            max_value=maximum,
            error_messages={
                "required": _("Enter a number for: %(what)s") % {"what": label},
                "invalid": _("Enter a number, like 2 or 1250"),
                "min_value": _("Enter a number that is %(limit_value)s or more"),
                "max_value": _("Enter a number that is %(limit_value)s or less"),
            },
            **extra,
            **common,
        )
    if kind == "date":
        return forms.DateField(
            input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"],
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
            error_messages={"required": _("Select yes or no")},
            **common,
        )
    return forms.ChoiceField(
        choices=[(c["value"], c["label"]) for c in question["choices"]],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select an option for: %(what)s") % {"what": label}},
        **common,
    )


def build_form_class(spec: dict[str, Any]) -> type[forms.Form]:
    validate_spec(spec)
    fields = {q["name"]: _field(q) for q in spec.get("questions", [])}
    return type("ApplicationForm", (forms.Form,), fields)


def answers_for_storage(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals as strings so answers survive JSON exactly."""
    stored: dict[str, Any] = {}
    for name, value in cleaned.items():
        if isinstance(value, (bool, int, str)) or value is None:
            stored[name] = value
        elif hasattr(value, "isoformat"):
            stored[name] = value.isoformat()
        else:
            stored[name] = str(value)
    return stored
