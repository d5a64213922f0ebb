"""Application forms as data: the shape, conditions, sections and documents, and the errors a
programme author gets for a malformed form."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civitas.programs.forms import validate_answers
from civitas.programs.formspec import FormSpecError, condition_holds, parse_spec

MATERNITY = {
    "questions": [
        {"name": "baby_born", "type": "yes_no", "label": "Has your baby been born?"},
        {
            "name": "baby_birth_date",
            "type": "date",
            "label": "What is your baby's date of birth?",
            "show_if": {"question": "baby_born", "equals": True},
        },
        {
            "name": "due_date",
            "type": "date",
            "label": "When is your baby due?",
            "show_if": {"question": "baby_born", "equals": False},
        },
        {"name": "bank_account", "type": "text", "label": "Account number", "max_length": 34},
    ],
    "documents": [{"name": "proof", "label": "Certificate", "formats": ["pdf"], "max_size_mb": 2}],
}


def test_flat_questions_are_one_page_each_and_one_section_has_no_task_list():
    spec = parse_spec(MATERNITY)
    assert [p.name for p in spec.pages] == [
        "baby_born",
        "baby_birth_date",
        "due_date",
        "bank_account",
    ]
    assert not spec.has_task_list
    assert spec.document("proof").max_bytes == 2 * 1024 * 1024
    assert spec.document("proof").formats_text == "PDF"


def test_questions_with_section_titles_make_a_task_list():
    spec = parse_spec(
        {
            "questions": [
                {"name": "rent", "type": "decimal", "label": "Rent", "section": "Your home"},
                {"name": "income", "type": "decimal", "label": "Income", "section": "Your income"},
                {"name": "other", "type": "decimal", "label": "Other", "section": "Your income"},
            ]
        }
    )
    assert spec.has_task_list
    assert [(s.title, [p.name for p in s.pages]) for s in spec.sections] == [
        ("Your home", ["rent"]),
        ("Your income", ["income", "other"]),
    ]


def test_conditions_choose_the_pages_and_hidden_answers_are_dropped():
    spec = parse_spec(MATERNITY)
    born = {"baby_born": True, "baby_birth_date": "2026-10-01", "due_date": "2027-01-01"}
    assert [p.name for p in spec.visible_pages(born)] == [
        "baby_born",
        "baby_birth_date",
        "bank_account",
    ]
    assert spec.next_page("baby_born", {"baby_born": False}).name == "due_date"
    assert spec.previous_page("bank_account", {"baby_born": False}).name == "due_date"
    assert "due_date" not in spec.keep_visible(born)
    assert spec.first_unanswered_page({}).name == "baby_born"


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"question": "n", "greater_than": 2}, {"n": 3}, True),
        ({"question": "n", "at_most": 2}, {"n": "2.00"}, True),
        ({"question": "n", "in": ["a", "b"]}, {"n": "c"}, False),
        (
            {"all": [{"question": "n", "at_least": 1}, {"question": "m", "equals": True}]},
            {"n": 1, "m": True},
            True,
        ),
        (
            {
                "any": [
                    {"question": "n", "less_than": 1},
                    {"not": {"question": "m", "equals": True}},
                ]
            },
            {"n": 1, "m": False},
            True,
        ),
        ({"question": "n", "equals": 1}, {}, False),  # an unanswered question never satisfies
    ],
)
def test_conditions(condition, answers, expected):
    assert condition_holds(condition, answers) is expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"questions": [{"name": "a b", "type": "text", "label": "A"}]}, "identifier"),
        ({"questions": [{"name": "a", "type": "colour", "label": "A"}]}, "type must be one of"),
        ({"questions": [{"name": "a", "type": "text"}]}, "a label is required"),
        ({"questions": [{"name": "a", "type": "choice", "label": "A"}]}, "needs choices"),
        (
            {
                "questions": [
                    {
                        "name": "a",
                        "type": "text",
                        "label": "A",
                        "show_if": {"question": "b", "equals": 1},
                    }
                ]
            },
            "not a question on an earlier page",
        ),
        (
            {"questions": [{"name": "a", "type": "text", "label": "A", "prefill": "salary"}]},
            "prefill must be",
        ),
        (
            {"questions": [], "documents": [{"name": "d", "label": "D", "formats": ["docx"]}]},
            "formats",
        ),
        (
            {"questions": [], "documents": [{"name": "d", "label": "D", "max_size_mb": 500}]},
            "max_size_mb",
        ),
        ({"questions": [], "colour": "red"}, "unknown key"),
        ({"questions": [], "sections": []}, "not both"),
    ],
)
def test_a_malformed_form_is_refused_with_the_part_at_fault(spec, message):
    with pytest.raises(FormSpecError, match=message):
        parse_spec(spec)


def test_the_demo_forms_are_valid_and_have_checkers():
    from civitas.demo.catalogue import PROGRAMMES

    for programme in PROGRAMMES:
        spec = parse_spec(
            {k: programme[k] for k in ("questions", "documents", "checker") if k in programme}
        )
        assert spec.checker is not None, programme["slug"]


def test_answers_from_the_api_are_checked_page_by_page_with_field_names():
    spec = parse_spec(MATERNITY)
    clean, errors = validate_answers(
        spec, {"baby_born": False, "due_date": "31/02/2027", "bank_account": "x" * 40, "colour": 1}
    )
    assert set(errors) == {"due_date", "bank_account", "colour"}
    assert errors["due_date"] == ["Enter a real date, for example 27/03/2026"]
    clean, errors = validate_answers(
        spec,
        {
            "baby_born": "yes",
            "baby_birth_date": "2026-10-01",
            "due_date": "nonsense",
            "bank_account": "CV1",
        },
    )
    assert errors == {}, "a hidden question is not checked"
    assert clean == {"baby_born": True, "baby_birth_date": "2026-10-01", "bank_account": "CV1"}
    _clean, errors = validate_answers(spec, {"baby_born": True}, partial=True)
    assert errors == {}, "a draft may be incomplete"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["questions", "sections", "documents", "checker"]), json_values, max_size=3
    )
)
def test_any_form_is_either_accepted_or_refused_with_a_form_error(spec):
    with contextlib.suppress(FormSpecError):
        parse_spec(spec)


def test_texts_can_be_given_in_each_language():
    from django.utils import translation

    spec = {
        "questions": [
            {
                "name": "rent",
                "type": "decimal",
                "label": {"en": "Monthly rent", "fr": "Loyer mensuel", "ar": "الإيجار الشهري"},
                "hint": {"en": "In CVT"},
            }
        ]
    }
    with translation.override("fr"):
        question = parse_spec(spec).question("rent")
        assert (question.label, question.hint) == ("Loyer mensuel", "In CVT")
    with translation.override("ar"):
        assert parse_spec(spec).question("rent").label == "الإيجار الشهري"
