"""The bridge to the rules engine: rules loaded once per version, households built from the
registry and from answers, and the explanation turned into plain language with legal references."""

from __future__ import annotations

from datetime import date

import pytest

from civitas.programs import assessment
from civitas.programs.models import Program


def version(slug: str):
    return Program.objects.get(slug=slug).version_in_force()


@pytest.mark.django_db
def test_rules_are_loaded_once_per_version(demo_country):
    child_benefit = version("child-benefit")
    first = assessment.rules_for(child_benefit)
    assert assessment.rules_for(version("child-benefit")) is first
    assert first.name == "child-benefit"


@pytest.mark.django_db
def test_the_checker_answers_in_plain_language_with_the_law(demo_country):
    result = assessment.check_eligibility(
        version=version("child-benefit"), facts={"children_count": 2, "household_income": "950"}
    )
    assert result["eligible"] is True
    assert result["amount"] == 110.0
    assert result["headline"] == "You may get 110 CVT a month."
    how_much = [item["text"] for item in result["how_much"]]
    assert "Monthly amount paid for each eligible child: 55 CVT" in how_much
    assert "Social Protection (Rates) Regulations 2025, reg. 3(a)" in result["references"]
    why = [item["text"] for item in result["why"]]
    assert "Number of children the benefit is paid for: 2" in why


@pytest.mark.django_db
def test_the_checker_says_why_not(demo_country):
    result = assessment.check_eligibility(
        version=version("child-benefit"), facts={"children_count": 1, "household_income": "2500"}
    )
    assert result["eligible"] is False and result["amount"] == 0
    assert result["headline"] == "You are unlikely to get this benefit."
    assert any(
        item["text"] == "Household income is below the income limit: no"
        and item["reference"] == "Social Protection Act 2024, s.12(2)"
        for item in result["why"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "facts", "eligible"),
    [
        ("maternity-care", {"pregnant": True}, True),
        ("maternity-care", {"pregnant": False}, False),
        ("old-age-pension", {"birth_date": "1950-05-01", "own_income": "100"}, True),
        ("old-age-pension", {"birth_date": "1990-05-01", "own_income": "0"}, False),
        (
            "housing-allowance",
            {"monthly_rent": "600", "household_income": "500", "region": "central"},
            True,
        ),
        ("food-allowance", {"household_size": 4, "household_income": "400"}, True),
        ("food-allowance", {"household_size": 1, "household_income": "900"}, False),
    ],
)
def test_each_demo_programme_can_be_checked(demo_country, slug, facts, eligible):
    result = assessment.check_eligibility(version=version(slug), facts=facts)
    assert result is not None and result["eligible"] is eligible
    assert result["references"], "every answer names the law it comes from"


@pytest.mark.django_db
def test_registry_household_and_answers_make_the_situation(citizen):
    person = citizen.person
    facts = assessment.registry_facts(person)
    assert facts == {
        "household_size": 4,
        "children_count": 2,
        "household_income": "950.00",
        "monthly_rent": "420.00",
        "own_income": "650.00",
    }
    household = assessment.registry_household(person)
    assert household.region == "central", "the capital district is the rules' central region"
    declared = assessment.apply_facts(
        household, {"children_count": 3, "household_income": "1000"}, on=date(2026, 11, 1)
    )
    assert sum(1 for m in declared.members if m.role == "child") == 3
    assert sum(m.income for m in declared.members) == 1000


@pytest.mark.django_db
def test_pre_assessment_uses_the_registry_then_the_answers(citizen):
    result = assessment.pre_assess(
        version=version("child-benefit"),
        person_user=citizen,
        answers={"household_income": "950.00"},
    )
    assert result["eligible"] is True and result["amount"] == 110.0
    assert result["source"] == "registry and answers"
    assert result["reasons"], "one line per reason for the caseworker"


@pytest.mark.django_db
def test_broken_rules_give_no_pre_assessment_instead_of_an_error(demo_country):
    broken = version("food-allowance")
    broken.rules = {"programme.yaml": "name: [unclosed"}
    assert assessment.pre_assess(version=broken, answers={}) is None
