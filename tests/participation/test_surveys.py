"""Surveys: single and multiple choice, scale and free text; one response per person, changeable
until the survey closes; results aggregated as charts with tables."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civitas.participation.lifecycles import TransitionNotAllowed
from civitas.participation.models import Answer, Survey, SurveyResponse
from civitas.participation.services import surveys as services
from tests.participation.helpers import assert_csp_friendly, main_of

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "single", "text": "Which day suits you?", "choices": ["Monday", "Saturday"]},
    {"kind": "multiple", "text": "What do you use?", "choices": ["Bus", "Bike", "Car"]},
    {
        "kind": "scale",
        "text": "How safe do you feel?",
        "scale_min": 1,
        "scale_max": 5,
        "scale_min_label": "Not at all",
        "scale_max_label": "Very",
    },
    {"kind": "text", "text": "Anything else?", "required": False},
]


@pytest.fixture
def survey(policy):
    made = services.create_survey(
        actor=policy, slug="transport", title="Transport survey", questions=QUESTIONS
    )
    return services.change_status(actor=policy, survey=made, target="open")


def _choice(survey, position: int, label: str) -> str:
    question = survey.questions.get(position=position)
    return str(question.choices.get(label=label).pk)


def _form(survey, single: str, multiple: list[str], scale: str, text: str = "") -> dict:
    q = {x.position: x.pk for x in survey.questions.all()}
    return {
        f"q{q[1]}": _choice(survey, 1, single),
        f"q{q[2]}": [_choice(survey, 2, m) for m in multiple],
        f"q{q[3]}": scale,
        f"q{q[4]}": text,
    }


def test_answering_on_the_web_and_changing_the_answers(client, survey, citizen, sign_in):
    sign_in(client, citizen)
    page = client.get(reverse("participation:survey", args=["transport"]))
    html = main_of(page)
    assert 'type="checkbox"' in html and 'type="radio"' in html and "<textarea" in html
    assert "1 – Not at all" in html
    assert_csp_friendly(page)

    sent = client.post(
        reverse("participation:survey", args=["transport"]),
        _form(survey, "Monday", ["Bus", "Bike"], "2", "More lights on the paths."),
    )
    assert sent.status_code == 302
    again = client.post(
        reverse("participation:survey", args=["transport"]),
        _form(survey, "Saturday", ["Car"], "4"),
    )
    assert again.status_code == 302
    assert SurveyResponse.objects.count() == 1, "one response per person"
    answers = Answer.objects.filter(response__respondent=citizen)
    assert sorted(a.choice.label for a in answers if a.choice) == ["Car", "Saturday"]
    shown = main_of(client.get(reverse("participation:survey", args=["transport"])))
    assert "Update my answers" in shown


def test_missing_or_out_of_range_answers_are_explained(client, survey, citizen, sign_in):
    sign_in(client, citizen)
    q = {x.position: x.pk for x in survey.questions.all()}
    response = client.post(reverse("participation:survey", args=["transport"]), {f"q{q[3]}": "9"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Select an answer" in html and "Select at least one answer" in html
    assert not SurveyResponse.objects.exists()
    with pytest.raises(services.SurveyError, match="from 1 to 5"):
        services.submit_response(
            respondent=citizen,
            survey=survey,
            answers={
                q[1]: _choice(survey, 1, "Monday"),
                q[2]: [_choice(survey, 2, "Bus")],
                q[3]: 9,
            },
        )


def test_results_are_aggregated_and_published_when_the_survey_closes(
    client, survey, policy, make_resident, sign_in
):
    for single, multiple, scale in [
        ("Monday", ["Bus"], "1"),
        ("Monday", ["Bus", "Car"], "5"),
        ("Saturday", ["Bike"], "3"),
    ]:
        resident = make_resident()
        sign_in(client, resident)
        client.post(
            reverse("participation:survey", args=["transport"]),
            _form(survey, single, multiple, scale, "private words"),
        )
    client.logout()
    hidden = main_of(client.get(reverse("participation:survey-results", args=["transport"])))
    assert "published when the survey closes" in hidden

    services.change_status(actor=policy, survey=survey, target="closed")
    with pytest.raises(TransitionNotAllowed):
        services.change_status(actor=policy, survey=survey, target="open")
    page = client.get(reverse("participation:survey-results", args=["transport"]))
    assert_csp_friendly(page)
    html = main_of(page)
    assert "3 people answered." in html
    assert html.count("<svg") == 3 and "Average 3, median 3.0." in html
    assert "private words" not in html, "free text is not published"
    assert "67%" in html  # Monday: 2 of 3
    sign_in(client, policy)
    staff_view = main_of(client.get(reverse("participation:survey-results", args=["transport"])))
    assert "private words" in staff_view and "staff only" in staff_view


def test_a_bad_survey_definition_is_refused(policy):
    with pytest.raises(services.SurveyError, match="at least two choices"):
        services.create_survey(
            actor=policy,
            slug="bad",
            title="Bad",
            questions=[{"kind": "single", "text": "Yes?", "choices": ["Yes"]}],
        )
    with pytest.raises(services.SurveyError, match="kind must be"):
        services.create_survey(
            actor=policy, slug="bad", title="Bad", questions=[{"kind": "rank", "text": "?"}]
        )


def test_a_closed_survey_takes_no_answers(survey, policy, citizen):
    services.change_status(actor=policy, survey=survey, target="closed")
    with pytest.raises(services.SurveyError, match="not open"):
        services.submit_response(respondent=citizen, survey=survey, answers={})


def test_staff_open_and_close_a_survey_from_the_back_office(client, policy, sign_in):
    services.create_survey(actor=policy, slug="later", title="Later", questions=QUESTIONS)
    sign_in(client, policy)
    url = reverse("participation:staff-survey-status", args=["later"])
    assert "Later" in main_of(client.get(reverse("participation:staff")))
    client.post(url, {"target": "open"})
    refused = client.post(url, {"target": "draft"})
    assert refused.status_code == 400 and "not allowed" in refused.content.decode()
    client.post(url, {"target": "closed"})
    assert Survey.objects.get(slug="later").status == "closed"
