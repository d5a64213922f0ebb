"""The catalogue, the start pages, and the eligibility checker anyone can use before signing in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civitas.applications.models import Application


@pytest.mark.django_db
def test_a_start_page_says_who_can_apply_what_is_needed_how_long_and_what_next(
    client, demo_country
):
    assert "Maternity care" in client.get(reverse("programs:catalogue")).content.decode()
    html = client.get(reverse("programs:start", args=["maternity-care"])).content.decode()
    for expected in (
        "Who can apply",
        "What you will need",
        "Pregnancy certificate or birth certificate — PDF, PNG or JPEG, up to 5 MB",
        "How long it takes",
        "Most applications are decided within 10 working days.",
        "What happens next",
        "Check if you can get it",
        "Legal basis: Social Protection Act 2024",
        "Someone can apply for you",
    ):
        assert expected in html, expected


@pytest.mark.django_db
def test_the_checker_answers_in_plain_language_before_sign_in(client, demo_country):
    start = client.get(reverse("programs:check_start", args=["child-benefit"]))
    first = start.url
    assert first == reverse("programs:check_question", args=["child-benefit", "children_count"])
    page = client.get(first).content.decode()
    assert "How many children under 18 live with you?" in page
    wrong = client.post(first, {"children_count": "two"})
    assert "Enter a number, like 2 or 1250" in wrong.content.decode()
    assert 'value="two"' in wrong.content.decode()
    second = client.post(first, {"children_count": "2"}).url
    result_url = client.post(second, {"household_income": "950"}).url
    assert result_url == reverse("programs:check_result", args=["child-benefit"])
    html = client.get(result_url).content.decode()
    assert "You may get 110 CVT a month." in html
    assert "Monthly amount paid for each eligible child: 55 CVT" in html
    assert "Social Protection (Rates) Regulations 2025, reg. 3(a)" in html
    assert ">Change<" in html and "Apply now" in html
    assert not Application.objects.exists(), "checking stores nothing"


@pytest.mark.django_db
def test_the_checker_follows_conditions_and_says_why_not(client, demo_country):
    first = client.get(reverse("programs:check_start", args=["maternity-care"])).url
    had_baby = client.post(first, {"pregnant": "no"}).url
    assert had_baby.endswith("/had_baby/")
    result = client.post(had_baby, {"had_baby": "no"}).url
    html = client.get(result).content.decode()
    assert "You are unlikely to get this benefit." in html


@pytest.mark.django_db
def test_the_result_without_answers_goes_back_to_the_questions(client, demo_country):
    response = client.get(reverse("programs:check_result", args=["food-allowance"]))
    assert response.url == reverse(
        "programs:check_question", args=["food-allowance", "household_size"]
    )
