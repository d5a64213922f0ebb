"""Surveys: answering (changing one's answers until it closes) and the aggregated results."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civitas.participation import charts
from civitas.participation.forms import answers_from, survey_form_class
from civitas.participation.lifecycles import OpenClosed
from civitas.participation.models.surveys import QuestionKind
from civitas.participation.permissions import can_manage, is_citizen
from civitas.participation.selectors import surveys as selectors
from civitas.participation.services import surveys as services
from civitas.participation.views.common import require_sign_in


def survey(request, slug: str):
    found = selectors.survey_for(request.user, slug=slug)
    questions = selectors.questions_of(found)
    form_class = survey_form_class(questions)
    if request.method == "POST":
        redirect_login = require_sign_in(request)
        if redirect_login:
            return redirect_login
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.submit_response(
                    respondent=request.user, survey=found, answers=answers_from(form, questions)
                )
            except services.SurveyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your answers are recorded. You can change them until the "
                        "survey closes."
                    ),
                )
                return redirect("participation:survey", slug=found.slug)
    else:
        mine = selectors.my_answers(found, request.user)
        initial = {f"q{qid}": value for qid, value in (mine or {}).items()}
        form = form_class(initial=initial)
    return render(
        request,
        "participation/survey.html",
        {
            "survey": found,
            "form": form,
            "open": found.status == OpenClosed.OPEN,
            "can_answer": is_citizen(request.user),
            "answered": selectors.my_answers(found, request.user) is not None,
            "results_visible": selectors.results_visible(request.user, found),
        },
        status=400 if request.method == "POST" else 200,
    )


def survey_results(request, slug: str):
    found = selectors.survey_for(request.user, slug=slug)
    if not selectors.results_visible(request.user, found):
        return render(
            request, "participation/survey_results.html", {"survey": found, "hidden": True}
        )
    respondents, rows = selectors.results(found)
    items = []
    for i, result in enumerate(rows, start=1):
        chart = None
        if result.question.kind == QuestionKind.SCALE:
            chart = charts.column_chart(
                f"q{i}",
                title=result.question.text,
                description=_("How many respondents chose each number on the scale."),
                labels=[label for label, _n, _p in result.rows],
                values=[n for _label, n, _p in result.rows],
            )
        elif result.rows:
            chart = charts.bar_chart(
                f"q{i}",
                title=result.question.text,
                description=_("How many respondents chose each answer."),
                labels=[label for label, _n, _p in result.rows],
                series=[charts.Series(_("Respondents"), [n for _label, n, _p in result.rows])],
            )
        texts = None
        if result.question.kind == QuestionKind.TEXT and can_manage(request.user):
            texts = selectors.free_text_answers(request.user, found, result.question)
        items.append({"result": result, "chart": chart, "texts": texts})
    return render(
        request,
        "participation/survey_results.html",
        {"survey": found, "respondents": respondents, "items": items, "hidden": False},
    )
