"""The catalogue, each programme's start page, and the eligibility checker (no sign-in needed).

The checker asks the few questions the programme's form declares for it, one per page, keeps the
answers in the session only, and answers in plain language from the rules engine's explanation.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from civitas.programs import selectors
from civitas.programs.assessment import check_eligibility, facts_from_answers
from civitas.programs.forms import answers_for_storage, build_page_form, display_answer
from civitas.programs.formspec import FormSpec, parse_spec


def catalogue(request):
    return render(request, "programs/catalogue.html", {"programs": selectors.published_programs()})


def start(request, slug: str):
    program = selectors.published_program(slug)
    version = program.version_in_force()
    spec = parse_spec(version.form) if version else None
    return render(
        request,
        "programs/start.html",
        {
            "program": program,
            "version": version,
            "documents": spec.documents if spec else (),
            "has_checker": bool(spec and spec.checker),
        },
    )


def _checker(slug: str):
    program = selectors.published_program(slug)
    version = selectors.version_in_force(program)
    spec = parse_spec(version.form)
    if spec.checker is None:
        raise Http404("This programme has no eligibility checker")
    return program, version, spec.checker


def _session_key(slug: str) -> str:
    return f"civitas.checker.{slug}"


def _answers(request, slug: str) -> dict:
    stored = request.session.get(_session_key(slug), {})
    return stored if isinstance(stored, dict) else {}


@never_cache
def check_start(request, slug: str):
    _program, _version, checker = _checker(slug)
    request.session[_session_key(slug)] = {}
    first = checker.next_page(None, {})
    return redirect("programs:check_question", slug=slug, page=first.name)


def _next(slug: str, checker: FormSpec, after: str, answers: dict) -> str:
    following = checker.next_page(after, answers)
    if following is None:
        return reverse("programs:check_result", args=[slug])
    return reverse("programs:check_question", args=[slug, following.name])


@never_cache
def check_question(request, slug: str, page: str):
    program, _version, checker = _checker(slug)
    answers = _answers(request, slug)
    current = checker.page(page)
    if current is None or current not in checker.visible_pages(answers):
        return redirect("programs:check_start", slug=slug)
    if request.method == "POST":
        form = build_page_form(current, answers=answers, data=request.POST)
        if form.is_valid():
            answers = {**answers, **answers_for_storage(form.cleaned_data)}
            request.session[_session_key(slug)] = answers
            return redirect(_next(slug, checker, current.name, answers))
    else:
        form = build_page_form(current, answers=answers)
    previous = checker.previous_page(current.name, answers)
    back = (
        reverse("programs:check_question", args=[slug, previous.name])
        if previous
        else reverse("programs:start", args=[slug])
    )
    fields = list(form)
    return render(
        request,
        "programs/check_question.html",
        {
            "program": program,
            "form": form,
            "single": fields[0] if len(fields) == 1 else None,
            "page": current,
            "back": back,
        },
    )


@never_cache
def check_result(request, slug: str):
    program, version, checker = _checker(slug)
    answers = _answers(request, slug)
    missing = checker.first_unanswered_page(answers)
    if missing is not None:
        return redirect("programs:check_question", slug=slug, page=missing.name)
    result = check_eligibility(version=version, facts=facts_from_answers(checker, answers))
    summary = [
        {
            "label": q.label,
            "value": display_answer(q, answers.get(q.name)),
            "change": reverse("programs:check_question", args=[slug, page.name]),
        }
        for page in checker.visible_pages(answers)
        for q in page.visible_questions(answers)
    ]
    return render(
        request,
        "programs/check_result.html",
        {"program": program, "result": result, "summary": summary},
    )
