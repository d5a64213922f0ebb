"""Application forms as data: the shape of ``ProgramVersion.form`` and what can be asked of it.

A form is a list of sections (a task list is shown when there is more than one), each a list of
pages, each page asking one thing (usually one question). Questions and pages may be shown only
when an earlier answer says so (``show_if``), and the form lists the documents to upload with their
accepted formats and size limit. Shorthands keep small forms small::

    {"questions": [...]}          every question on its own page; consecutive questions with the
                                  same "section" title form a section
    {"sections": [{"name": "home", "title": "Your home", "questions": [...]}]}

The full shape::

    {
      "sections": [
        {"name": "home", "title": "Your home",
         "pages": [{"name": "rent", "questions": [QUESTION, ...], "show_if": CONDITION}]}
      ],
      "documents": [
        {"name": "rental_contract", "label": "Your rental contract", "hint": "...",
         "required": true, "formats": ["pdf", "png", "jpeg"], "max_size_mb": 5,
         "show_if": CONDITION}
      ],
      "checker": {"questions": [QUESTION, ...]}    the eligibility checker's few questions
    }

Every text a person reads (``label``, ``hint``, ``title``, ``section``, a choice's ``label``) is a
string, or one string per language: ``{"en": "...", "fr": "...", "ar": "..."}``.

A QUESTION has ``name``, ``type`` (text, integer, decimal, date, yes_no, choice), ``label`` and
optionally ``hint``, ``required`` (default true), ``min``/``max`` (numbers), ``max_length`` (text),
``choices`` (``[{"value", "label"}]``), ``show_if``, ``prefill`` (a registry fact offered with the
person's consent, see ``REGISTRY_FACTS``) and ``fact`` (what the answer tells the rules engine, see
``FACTS``; defaults to the question's name when that is a fact).

A CONDITION tests an earlier answer — ``{"question": "baby_born", "equals": true}`` with one of
``equals``, ``not_equals``, ``in``, ``greater_than``, ``less_than``, ``at_least``, ``at_most`` — or
combines conditions: ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": CONDITION}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

QUESTION_TYPES = ("text", "integer", "decimal", "date", "yes_no", "choice")
DOCUMENT_FORMATS = ("pdf", "png", "jpeg")
DEFAULT_DOCUMENT_FORMATS = DOCUMENT_FORMATS
DEFAULT_MAX_SIZE_MB = 5
LARGEST_MAX_SIZE_MB = 20

# What the registry can offer instead of asking again (once-only), with the person's consent.
REGISTRY_FACTS = (
    "household_size",  # people in the person's household
    "children_count",  # children under 18 in it
    "household_income",  # monthly income of all members together
    "monthly_rent",  # the household's monthly rent
    "own_income",  # the person's own monthly income
)

# The facts the rules bridge understands (see civitas.programs.assessment).
FACTS = (
    *REGISTRY_FACTS,
    "birth_date",
    "sex",
    "region",
    "pregnant",
    "baby_birth_date",
    "due_date",
    "infants_count",
)

_COMPARISONS = ("equals", "not_equals", "in", "greater_than", "less_than", "at_least", "at_most")


class FormSpecError(ValueError):
    """A programme's form definition is malformed; the message names the part at fault."""


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    min: Any = None
    max: Any = None
    max_length: int = 500
    choices: tuple[tuple[str, str], ...] = ()
    show_if: Mapping[str, Any] | None = None
    prefill: str = ""
    fact: str = ""

    def choice_label(self, value: Any) -> str:
        return next((label for v, label in self.choices if v == value), str(value))


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    questions: tuple[Question, ...]
    show_if: Mapping[str, Any] | None = None
    section: str = ""

    def visible_questions(self, answers: Mapping[str, Any]) -> list[Question]:
        return [q for q in self.questions if condition_holds(q.show_if, answers)]


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class DocumentRequirement:
    name: str
    label: str
    hint: str = ""
    required: bool = True
    formats: tuple[str, ...] = DEFAULT_DOCUMENT_FORMATS
    max_size_mb: int = DEFAULT_MAX_SIZE_MB
    show_if: Mapping[str, Any] | None = None

    @property
    def max_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024

    @property
    def formats_text(self) -> str:
        """The accepted formats as a person reads them: "PDF, PNG or JPEG"."""
        from django.utils.translation import gettext as _

        names = [f.upper() for f in self.formats]
        if len(names) == 1:
            return names[0]
        return _("%(list)s or %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class FormSpec:
    sections: tuple[Section, ...]
    documents: tuple[DocumentRequirement, ...] = ()
    # the few questions of the eligibility checker (before sign-in), as a form of its own
    checker: FormSpec | None = None

    # --- the shape -----------------------------------------------------------------------------
    @property
    def has_task_list(self) -> bool:
        """Long forms (more than one section) start from a task list."""
        return len(self.sections) > 1

    @property
    def pages(self) -> list[Page]:
        return [page for section in self.sections for page in section.pages]

    @property
    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    def page(self, name: str) -> Page | None:
        return next((p for p in self.pages if p.name == name), None)

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)

    def document(self, name: str) -> DocumentRequirement | None:
        return next((d for d in self.documents if d.name == name), None)

    # --- what applies to these answers ---------------------------------------------------------
    def visible_pages(self, answers: Mapping[str, Any]) -> list[Page]:
        return [
            page
            for page in self.pages
            if condition_holds(page.show_if, answers) and page.visible_questions(answers)
        ]

    def visible_questions(self, answers: Mapping[str, Any]) -> list[Question]:
        return [q for page in self.visible_pages(answers) for q in page.visible_questions(answers)]

    def section_pages(self, section: Section, answers: Mapping[str, Any]) -> list[Page]:
        visible = {p.name for p in self.visible_pages(answers)}
        return [p for p in section.pages if p.name in visible]

    def next_page(self, after: str | None, answers: Mapping[str, Any]) -> Page | None:
        """The first visible page after ``after`` (from the start when None)."""
        pages = self.visible_pages(answers)
        if after is None:
            return pages[0] if pages else None
        order = [p.name for p in self.pages]
        position = order.index(after) if after in order else -1
        return next((p for p in pages if order.index(p.name) > position), None)

    def previous_page(self, before: str, answers: Mapping[str, Any]) -> Page | None:
        order = [p.name for p in self.pages]
        position = order.index(before) if before in order else len(order)
        earlier = [p for p in self.visible_pages(answers) if order.index(p.name) < position]
        return earlier[-1] if earlier else None

    def first_unanswered_page(self, answers: Mapping[str, Any]) -> Page | None:
        for page in self.visible_pages(answers):
            for question in page.visible_questions(answers):
                if question.required and is_blank(answers.get(question.name)):
                    return page
        return None

    def documents_needed(self, answers: Mapping[str, Any]) -> list[DocumentRequirement]:
        return [d for d in self.documents if condition_holds(d.show_if, answers)]

    def keep_visible(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers to questions still shown; answers to hidden questions are dropped."""
        names = {q.name for q in self.visible_questions(answers)}
        return {name: value for name, value in answers.items() if name in names}

    def prefillable(self) -> list[Question]:
        return [q for q in self.questions if q.prefill]


class LocalizedText(str):
    """A text kept as data, with the language it is written in (``lang``), so that a page in
    another language can mark it (WCAG 3.1.2, language of parts): ``{{ text|in_lang }}``."""

    lang: str

    def __new__(cls, value: str = "", lang: str = ""):
        made = super().__new__(cls, value)
        made.lang = lang
        return made


def data_language() -> str:
    """The language of texts stored as plain strings: the site's default language."""
    from django.conf import settings

    return settings.LANGUAGE_CODE


def text(value: Any) -> str:
    """A text of the form in the language of the request: a plain string (in the site's default
    language), or one per language (``{"en": "...", "fr": "...", "ar": "..."}``, falling back to
    English, then to any). The result knows its language (``LocalizedText.lang``)."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        from django.utils.translation import get_language

        language = get_language() or "en"
        for key in (language, language.split("-")[0], "en"):
            if value.get(key):
                return LocalizedText(str(value[key]), key)
        first = next(iter(value.items()), None)
        return LocalizedText(str(first[1]), str(first[0])) if first else ""
    if isinstance(value, LocalizedText):
        return value
    return LocalizedText(str(value), data_language())


def is_blank(value: Any) -> bool:
    return value is None or value == ""


# --- conditions ----------------------------------------------------------------------------------
def condition_holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    if not condition:
        return True
    if "all" in condition:
        return all(condition_holds(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(condition_holds(c, answers) for c in condition["any"])
    if "not" in condition:
        return not condition_holds(condition["not"], answers)
    value = answers.get(condition["question"])
    if is_blank(value):
        return False
    for op in _COMPARISONS:
        if op in condition:
            return _compare(op, value, condition[op])
    return False


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _compare(op: str, value: Any, expected: Any) -> bool:
    if op == "equals":
        return value == expected
    if op == "not_equals":
        return value != expected
    if op == "in":
        return value in expected
    left, right = _number(value), _number(expected)
    if left is None or right is None:
        return False
    return {
        "greater_than": left > right,
        "less_than": left < right,
        "at_least": left >= right,
        "at_most": left <= right,
    }[op]


def _condition_questions(condition: Mapping[str, Any] | None) -> Iterator[str]:
    if not condition:
        return
    for key in ("all", "any"):
        if key in condition:
            for part in condition[key]:
                yield from _condition_questions(part)
            return
    if "not" in condition:
        yield from _condition_questions(condition["not"])
        return
    yield condition["question"]


def _check_condition(condition: Any, where: str) -> None:
    if condition is None:
        return
    if not isinstance(condition, Mapping):
        raise FormSpecError(f"{where}: show_if must be an object")
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if not isinstance(parts, list) or not parts:
            raise FormSpecError(f"{where}: show_if.{key} must be a non-empty list")
        for part in parts:
            _check_condition(part, where)
        return
    if "not" in condition:
        _check_condition(condition["not"], where)
        return
    if not isinstance(condition.get("question"), str):
        raise FormSpecError(f"{where}: show_if needs 'question' naming an earlier question")
    ops = [op for op in _COMPARISONS if op in condition]
    if len(ops) != 1:
        raise FormSpecError(f"{where}: show_if needs exactly one of {', '.join(_COMPARISONS)}")
    if ops[0] == "in" and not isinstance(condition["in"], list):
        raise FormSpecError(f"{where}: show_if.in must be a list")


# --- parsing -------------------------------------------------------------------------------------
def parse_spec(spec: Mapping[str, Any] | None) -> FormSpec:
    """Check ``spec`` and return its normalised form; ``FormSpecError`` names what is wrong."""
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise FormSpecError("the form must be an object with 'questions' or 'sections'")
    if "sections" in spec and "questions" in spec:
        raise FormSpecError("give either 'questions' or 'sections', not both")
    unknown = set(spec) - {"questions", "sections", "documents", "checker"}
    if unknown:
        raise FormSpecError(f"unknown key(s) in the form: {', '.join(sorted(unknown))}")
    raw_sections = spec.get("sections")
    if raw_sections is None:
        raw_sections = _group_by_section(spec.get("questions", []))
    if not isinstance(raw_sections, list):
        raise FormSpecError("'sections' must be a list")
    seen_questions: set[str] = set()
    seen_pages: set[str] = set()
    sections = []
    for s_index, raw in enumerate(raw_sections, start=1):
        sections.append(_section(raw, s_index, seen_questions, seen_pages))
    if len(sections) > 1 and any(not s.title for s in sections):
        raise FormSpecError("every section needs a title when there are several (task list)")
    documents = _documents(spec.get("documents", []), seen_questions)
    checker = None
    if spec.get("checker") is not None:
        raw_checker = spec["checker"]
        if not isinstance(raw_checker, Mapping) or set(raw_checker) - {"questions"}:
            raise FormSpecError("'checker' must be an object with 'questions'")
        try:
            checker = parse_spec({"questions": raw_checker.get("questions", [])})
        except FormSpecError as exc:
            raise FormSpecError(f"checker: {exc}") from None
        if any(not q.fact for q in checker.questions if not _is_gate(q, checker)):
            raise FormSpecError("checker: every question needs a 'fact' (or is only a gate)")
    return FormSpec(tuple(sections), documents, checker)


def _is_gate(question: Question, spec: FormSpec) -> bool:
    """A checker question without a fact is allowed when a later question depends on it."""
    return any(
        question.name in _condition_questions(q.show_if)
        or question.name in _condition_questions(p.show_if)
        for p in spec.pages
        for q in p.questions
    )


def _group_by_section(questions: Any) -> list[dict[str, Any]]:
    """Flat questions, grouped into sections by their optional ``section`` title."""
    if not isinstance(questions, list):
        raise FormSpecError("'questions' must be a list")
    sections: list[dict[str, Any]] = []
    for question in questions:
        title = text(question.get("section")) if isinstance(question, Mapping) else ""
        if not sections or (title and sections[-1]["title"] != title):
            sections.append(
                {"name": f"section_{len(sections) + 1}", "title": title, "questions": []}
            )
        sections[-1]["questions"].append(question)
    return sections or [{"name": "section_1", "title": "", "questions": []}]


def validate_spec(spec: Mapping[str, Any]) -> None:
    parse_spec(spec)


def _section(raw: Any, index: int, seen_q: set[str], seen_p: set[str]) -> Section:
    if not isinstance(raw, Mapping):
        raise FormSpecError(f"section {index}: must be an object")
    name = str(raw.get("name") or f"section_{index}")
    title = text(raw.get("title"))
    if "pages" in raw:
        raw_pages = raw["pages"]
        if not isinstance(raw_pages, list):
            raise FormSpecError(f"section {name!r}: 'pages' must be a list")
    else:
        questions = raw.get("questions", [])
        if not isinstance(questions, list):
            raise FormSpecError(f"section {name!r}: 'questions' must be a list")
        raw_pages = [
            {"name": q.get("name") if isinstance(q, Mapping) else None, "questions": [q]}
            for q in questions
        ]
    pages = []
    for p_index, raw_page in enumerate(raw_pages, start=1):
        if not isinstance(raw_page, Mapping):
            raise FormSpecError(f"section {name!r}, page {p_index}: must be an object")
        page_name = str(raw_page.get("name") or f"{name}_{p_index}")
        if not page_name.isidentifier():
            raise FormSpecError(f"page {page_name!r}: the name must be an identifier")
        if page_name in seen_p:
            raise FormSpecError(f"page {page_name!r}: the name is used twice")
        _check_condition(raw_page.get("show_if"), f"page {page_name!r}")
        for ref in _condition_questions(raw_page.get("show_if")):
            if ref not in seen_q:
                raise FormSpecError(
                    f"page {page_name!r}: show_if refers to {ref!r}, which is not an earlier question"
                )
        raw_questions = raw_page.get("questions") or []
        if not isinstance(raw_questions, list) or not raw_questions:
            raise FormSpecError(f"page {page_name!r}: a page asks at least one question")
        questions = []
        on_page: set[str] = set()
        for q_index, raw_q in enumerate(raw_questions, start=1):
            question = _question(raw_q, q_index, seen_q)
            for ref in _condition_questions(question.show_if):
                if ref not in seen_q or ref in on_page:
                    raise FormSpecError(
                        f"question {question.name!r}: show_if refers to {ref!r}, which is not a "
                        "question on an earlier page"
                    )
            seen_q.add(question.name)
            on_page.add(question.name)
            questions.append(question)
        seen_p.add(page_name)
        pages.append(
            Page(
                name=page_name,
                title=text(raw_page.get("title")),
                questions=tuple(questions),
                show_if=raw_page.get("show_if"),
                section=name,
            )
        )
    return Section(name=name, title=title, pages=tuple(pages))


def _question(raw: Any, index: int, seen: set[str]) -> Question:
    if not isinstance(raw, Mapping):
        raise FormSpecError(f"question {index}: must be an object")
    name = raw.get("name")
    if not name or not str(name).isidentifier():
        raise FormSpecError(f"question {index}: 'name' must be an identifier")
    if name in seen:
        raise FormSpecError(f"question {index}: name {name!r} is used twice")
    kind = raw.get("type")
    if kind not in QUESTION_TYPES:
        raise FormSpecError(f"question {name!r}: type must be one of {', '.join(QUESTION_TYPES)}")
    if not raw.get("label"):
        raise FormSpecError(f"question {name!r}: a label is required")
    choices: tuple[tuple[str, str], ...] = ()
    if kind == "choice":
        raw_choices = raw.get("choices")
        if not raw_choices or not isinstance(raw_choices, list):
            raise FormSpecError(f"question {name!r}: a choice question needs choices")
        try:
            choices = tuple((str(c["value"]), text(c["label"])) for c in raw_choices)
        except (KeyError, TypeError):
            raise FormSpecError(
                f"question {name!r}: each choice needs a 'value' and a 'label'"
            ) from None
    _check_condition(raw.get("show_if"), f"question {name!r}")
    prefill = str(raw.get("prefill") or "")
    if prefill and prefill not in REGISTRY_FACTS:
        raise FormSpecError(
            f"question {name!r}: prefill must be one of {', '.join(REGISTRY_FACTS)}"
        )
    fact = str(raw.get("fact") or (name if name in FACTS else ""))
    if fact and fact not in FACTS:
        raise FormSpecError(f"question {name!r}: fact must be one of {', '.join(FACTS)}")
    for bound in ("min", "max"):
        if raw.get(bound) is not None and _number(raw[bound]) is None:
            raise FormSpecError(f"question {name!r}: {bound} must be a number")
    max_length = raw.get("max_length", 500)
    if not isinstance(max_length, int) or not 1 <= max_length <= 5000:
        raise FormSpecError(f"question {name!r}: max_length must be a whole number 1 to 5000")
    return Question(
        name=str(name),
        type=kind,
        label=text(raw["label"]),
        hint=text(raw.get("hint")),
        required=bool(raw.get("required", True)),
        min=raw.get("min"),
        max=raw.get("max"),
        max_length=max_length,
        choices=choices,
        show_if=raw.get("show_if"),
        prefill=prefill,
        fact=fact,
    )


def _documents(raw: Any, questions: set[str]) -> tuple[DocumentRequirement, ...]:
    if not isinstance(raw, list):
        raise FormSpecError("'documents' must be a list")
    documents = []
    names: set[str] = set()
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise FormSpecError(f"document {index}: must be an object")
        name = item.get("name")
        if not name or not str(name).isidentifier():
            raise FormSpecError(f"document {index}: 'name' must be an identifier")
        if name in names:
            raise FormSpecError(f"document {name!r}: the name is used twice")
        names.add(name)
        if not item.get("label"):
            raise FormSpecError(f"document {name!r}: a label is required")
        formats = tuple(item.get("formats") or DEFAULT_DOCUMENT_FORMATS)
        unknown = set(formats) - set(DOCUMENT_FORMATS)
        if unknown:
            raise FormSpecError(
                f"document {name!r}: formats must be among {', '.join(DOCUMENT_FORMATS)}"
            )
        size = item.get("max_size_mb", DEFAULT_MAX_SIZE_MB)
        if not isinstance(size, int) or not 1 <= size <= LARGEST_MAX_SIZE_MB:
            raise FormSpecError(
                f"document {name!r}: max_size_mb must be a whole number from 1 to "
                f"{LARGEST_MAX_SIZE_MB}"
            )
        _check_condition(item.get("show_if"), f"document {name!r}")
        for ref in _condition_questions(item.get("show_if")):
            if ref not in questions:
                raise FormSpecError(f"document {name!r}: show_if refers to unknown {ref!r}")
        documents.append(
            DocumentRequirement(
                name=str(name),
                label=text(item["label"]),
                hint=text(item.get("hint")),
                required=bool(item.get("required", True)),
                formats=formats,
                max_size_mb=size,
                show_if=item.get("show_if"),
            )
        )
    return tuple(documents)
