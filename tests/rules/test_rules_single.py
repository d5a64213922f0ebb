"""Single-situation evaluation: values, dated rules, scales, aggregations, explanations."""

from __future__ import annotations

import pytest

from civitas.rules import EvaluationError, SituationError, calculate_response, evaluate, explain


def household(persons: dict, **household_values) -> dict:
    adults = [p for p, body in persons.items() if not body.pop("_child", False)]
    return {
        "persons": persons,
        "households": {
            "h": {
                "adults": adults,
                "children": [p for p in persons if p not in adults],
                **household_values,
            }
        },
    }


def test_a_parameter_missing_at_the_date_is_an_error_naming_it(template):
    situation = household({"a": {"salary": 1000.0}})
    with pytest.raises(EvaluationError) as caught:
        evaluate(template, situation, "2011-06", ["income_tax"])
    message = str(caught.value)
    assert "income_tax needs parameter taxes.income_tax_rate on 2011-06-01" in message
    assert "its first value starts on 2012-01-01" in message
    assert "variables/taxes.yaml" in message and "taxes/income_tax_rate.yaml" in message


def test_dated_formula_versions_follow_the_law(template):
    situation = household({"a": {"birth": "1980-01-01", "salary": 1200.0}})
    before = evaluate(template, situation, "2015-11", ["basic_income"]).value("basic_income")
    first = evaluate(template, situation, "2015-12", ["basic_income"]).value("basic_income")
    second = evaluate(template, situation, "2016-12", ["basic_income"]).value("basic_income")
    assert (before, first, second) == (0.0, 0.0, 600.0)  # salary excludes until Dec 2016


def test_a_variable_ends_on_its_end_date(template):
    situation = household({"a": {}}, rent=400.0)
    values = [
        evaluate(template, situation, p, ["housing_allowance"]).value("housing_allowance")
        for p in ("2016-11", "2016-12")
    ]
    assert values == [100.0, 0.0]


@pytest.mark.parametrize(("salary", "expected"), [(2000.0, 40.0), (15000.0, 816.0)])
def test_marginal_rate_scale(template, salary, expected):
    situation = household({"a": {"salary": salary}})
    result = evaluate(template, situation, "2017-01", ["social_security_contribution"])
    assert result.value("social_security_contribution") == expected


@pytest.mark.parametrize(
    ("income", "meal", "pool"), [(0, 0, 0), (249, 0, 0), (250, 1, 1), (999, 2, 2), (1000, 4, 4)]
)
def test_single_amount_and_marginal_amount_scales(template, income, meal, pool):
    situation = household({"a": {"salary": float(income)}})
    result = evaluate(template, situation, "2017-01", ["meal_price", "swimming_pool_access"])
    assert result.value("meal_price") == meal
    assert result.value("swimming_pool_access") == pool


def test_aggregations_filter_by_role_and_condition(sampler):
    situation = household(
        {
            "a": {"income": 100.0, "birth": "1980-01-01"},
            "b": {"income": 10.0, "birth": "1985-01-01"},
            "c": {"income": 4.0, "birth": "2015-01-01", "_child": True},
        },
        rent=50.0,
    )
    result = evaluate(sampler, situation, "2024-03", ["total_income", "members", "adults", "flag"])
    assert result.value("total_income") == 114.0 + 4.0 * 0.5
    assert result.value("members") == 3
    assert result.value("adults") == 2
    assert result.value("flag") is False  # nobody studies and the child is under 18


def test_a_yearly_value_of_a_monthly_variable_is_spread_when_declared(template):
    situation = household({"a": {"salary": {"2017": 24000.0}}})
    result = evaluate(template, situation, "2017-03", ["income_tax"])
    assert result.value("income_tax") == 2000.0 * 0.15


def test_the_yearly_housing_tax_reads_january(template):
    situation = household(
        {"a": {}},
        accommodation_size={"2017-01": 40.0, "2017-06": 90.0},
        housing_occupancy_status={"2017-01": "owner"},
    )
    assert evaluate(template, situation, "2017-06", ["housing_tax"]).value("housing_tax") == 400


def test_explanations_show_conditions_parameters_and_references(demo):
    situation = household(
        {
            "ana": {"birth": "1990-05-01", "income": 900.0},
            "ben": {"birth": "2015-02-10", "_child": True},
        }
    )
    result = explain(demo["child-benefit"], situation, "2025-03")
    assert result.value("eligible", "h") is True
    assert result.value("amount", "h") == 55.0
    eligible, amount = result.explanation
    assert (eligible.variable, eligible.kind, eligible.value) == ("eligible", "condition", True)
    assert eligible.reference == "Social Protection Act 2024, s.12"
    limit = eligible.find("child_benefit.income_limit")
    assert limit.kind == "parameter" and limit.value == 2000
    assert limit.reference == "Social Protection (Rates) Regulations 2025, reg. 3(b)"
    below = eligible.find("income_below_limit")
    assert below.kind == "condition" and below.held is True
    assert below.formula == "household_income < child_benefit.income_limit"
    inner = eligible.find("eligible_children > 0")  # a comparison inside a formula
    assert inner.kind == "condition" and inner.held is True
    ages = [n for n in eligible.walk() if n.variable == "age"]
    assert {n.entity_id: n.value for n in ages} == {"ana": 34, "ben": 10}
    rate = amount.find("child_benefit.amount_per_child")
    assert rate.value == 55 and "reg. 3(a)" in rate.reference


def test_a_failed_condition_is_visible_in_the_explanation(demo):
    situation = household({"gus": {"birth": "1990-01-01", "income": 0.0}})
    result = explain(demo["old-age-pension"], situation, "2025-01")
    assert result.value("eligible") is False
    reached = result.explanation[0].find("has_pension_age")
    assert reached.kind == "condition" and reached.held is False
    assert reached.find("age").value == 35
    assert reached.find("pension.pension_age").value == 65


def test_explanation_json_writes_shared_subtrees_once(template):
    situation = household({"a": {"salary": 3000.0}, "b": {"salary": 100.0}})
    data = explain(template, situation, "2017-01").to_dict()
    assert set(data["values"]) == {"disposable_income", "total_benefits", "total_taxes"}
    text = str(data["explanation"])
    assert "'repeated': True" in text


def test_openfisca_calculate_response_fills_the_nulls(template):
    situation = {
        "persons": {
            "Alicia": {"birth": {"ETERNITY": "1980-01-01"}, "salary": {"2017-01": 4000}},
            "Javier": {"birth": {"ETERNITY": "1984-01-01"}, "salary": {"2017-01": 2500}},
        },
        "households": {
            "_": {
                "adults": ["Alicia", "Javier"],
                "total_taxes": {"2017-01": None},
                "housing_tax": {"2017": None},
            }
        },
    }
    response = calculate_response(template, situation)
    household_ = response["households"]["_"]
    assert household_["housing_tax"] == {"2017": 200.0}
    assert household_["total_taxes"]["2017-01"] == pytest.approx(
        4000 * 0.15 + 2500 * 0.15 + 80 + 50 + 200 / 12, abs=0.01
    )
    assert response["persons"]["Alicia"]["salary"] == {"2017-01": 4000}


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ({"persons": {}}, "at least one person"),
        ({"persons": {"a": {"wage": 1}}}, "persons.a: unknown variable 'wage'"),
        ({"persons": {"a": {"rent": 1}}}, "rent is a household variable"),
        ({"persons": {"a": {"salary": "lots"}}}, "persons.a.salary: 'lots' is not a number"),
        ({"persons": {"a": {"salary": {"2017-13": 1}}}}, "month 13"),
        ({"persons": {"a": {}}, "households": {"h": {"adults": ["b"]}}}, "'b', who is not among"),
        (
            {"persons": {"a": {}}, "households": {"h": {"adults": ["a"]}, "k": {"adults": ["a"]}}},
            "'a' is in two households",
        ),
        ({"persons": {"a": {"housing_tax": 1}}}, "housing_tax is a household variable"),
        ({"persons": {"a": {}}, "families": {}}, "unknown entity 'families'"),
    ],
)
def test_bad_situations_get_a_clear_message(template, situation, message):
    with pytest.raises(SituationError, match=message):
        evaluate(template, situation, "2017-01", ["income_tax"])
