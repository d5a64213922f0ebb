"""Property: the single-situation and the vectorised evaluators agree exactly.

Random households (one to four people, random inputs of every type) are run
through both evaluators; every variable of the programme must come out the
same, to the last bit, at a random month.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civitas.rules import Programme, evaluate
from civitas.rules.batch import evaluate_population
from civitas.rules.periods import month, period_for_unit

from .conftest import DEMO, DEMO_SLUGS, SAMPLER, TEMPLATE

REGIONS = ["north", "south", "east", "west", "central"]


def _value_strategy(var: Any) -> st.SearchStrategy[Any]:
    kind = var.value_type.kind
    if kind == "float":
        return st.one_of(st.just(0.0), st.integers(-100_000, 10_000_000).map(lambda c: c / 100))
    if kind == "int":
        return st.integers(0, 60)
    if kind == "bool":
        return st.booleans()
    if kind == "date":
        return st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
    if kind == "enum":
        return st.sampled_from(var.value_type.choices)
    return st.sampled_from(REGIONS)


@st.composite
def population(draw: Any, programme: Programme) -> dict[str, Any]:
    person_inputs = [v for v in programme.input_variables() if v.entity == "person"]
    household_inputs = [v for v in programme.input_variables() if v.entity == "household"]
    households = []
    for h in range(draw(st.integers(1, 4))):
        size = draw(st.integers(1, 4))
        members = []
        for k in range(size):
            members.append(
                {
                    "id": f"{h}-{k}",
                    "role": "adult" if k == 0 else draw(st.sampled_from(["adult", "child"])),
                    **{v.name: draw(_value_strategy(v)) for v in person_inputs},
                }
            )
        households.append(
            {
                "id": f"h{h}",
                "members": members,
                **{v.name: draw(_value_strategy(v)) for v in household_inputs},
            }
        )
    persons = [p for h in households for p in h["members"]]
    order = draw(st.permutations(range(len(persons))))  # persons need not be grouped
    return {
        "households": households,
        "persons": [persons[i] for i in order],
        "period": month(draw(st.integers(2014, 2026)), draw(st.integers(1, 12))),
        "block": draw(st.sampled_from([1, 2, 32_768])),
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _situation(programme: Programme, pop: dict[str, Any]) -> dict[str, Any]:
    inputs = {v.name for v in programme.input_variables()}
    persons = {p["id"]: {k: _json(v) for k, v in p.items() if k in inputs} for p in pop["persons"]}
    households = {}
    for h in pop["households"]:
        body: dict[str, Any] = {k: v for k, v in h.items() if k in inputs}
        body["adults"] = [m["id"] for m in h["members"] if m["role"] == "adult"]
        body["children"] = [m["id"] for m in h["members"] if m["role"] == "child"]
        households[h["id"]] = body
    return {"persons": persons, "households": households}


def _frames(programme: Programme, pop: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    person_vars = [v for v in programme.input_variables() if v.entity == "person"]
    household_vars = [v for v in programme.input_variables() if v.entity == "household"]
    hh_of = {m["id"]: h["id"] for h in pop["households"] for m in h["members"]}
    persons = pl.DataFrame(
        {
            "person_id": [p["id"] for p in pop["persons"]],
            "household_id": [hh_of[p["id"]] for p in pop["persons"]],
            "role": [p["role"] for p in pop["persons"]],
            **{
                v.name: pl.Series(v.name, [p[v.name] for p in pop["persons"]], dtype=_dtype(v))
                for v in person_vars
            },
        }
    )
    households = pl.DataFrame(
        {
            "household_id": [h["id"] for h in pop["households"]],
            **{
                v.name: pl.Series(v.name, [h[v.name] for h in pop["households"]], dtype=_dtype(v))
                for v in household_vars
            },
        }
    )
    return persons, households


def _dtype(var: Any) -> Any:
    return {
        "float": pl.Float64,
        "int": pl.Int64,
        "bool": pl.Boolean,
        "date": pl.Date,
        "enum": pl.String,
        "str": pl.String,
    }[var.value_type.kind]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def check_agreement(programme: Programme, pop: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    names = [n for n in programme.variables if n not in skip]
    per = pop["period"]
    persons, households = _frames(programme, pop)
    batch = evaluate_population(programme, per, persons, households, names, block_size=pop["block"])
    single = evaluate(programme, _situation(programme, pop), per, names)
    for name in names:
        var = programme.variables[name]
        table = batch.tables[var.entity]
        by_id = dict(zip(table[f"{var.entity}_id"].to_list(), table[name].to_list(), strict=True))
        for entity_id, value in single.values[name].items():
            got = by_id[entity_id]
            assert _same(value, got), (
                f"{name} for {entity_id} at {period_for_unit(per, var.period_unit)}: "
                f"single {value!r}, vectorised {got!r}"
            )


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(data=st.data())
def test_evaluators_agree_on_every_construct_of_the_language(data: Any, sampler: Programme):
    pop = data.draw(population(sampler))
    if pop["period"].year < 2020:
        pop["period"] = month(2020 + pop["period"].year % 7, pop["period"].month)  # law starts
    check_agreement(sampler, pop)


@SETTINGS
@given(data=st.data())
def test_evaluators_agree_on_the_country_template(data: Any, template: Programme):
    pop = data.draw(population(template))
    if pop["period"].year < 2016:
        pop["period"] = month(2016, pop["period"].month)  # the income tax rate starts 2012
    # The two price scales start in 2017; before, asking for them is an error in both.
    skip = ("meal_price", "swimming_pool_access") if pop["period"].year < 2017 else ()
    check_agreement(template, pop, skip)


@SETTINGS
@given(data=st.data(), slug=st.sampled_from(DEMO_SLUGS))
def test_evaluators_agree_on_the_demo_programmes(data: Any, slug: str, demo: dict[str, Programme]):
    programme = demo[slug]
    pop = data.draw(population(programme))
    if pop["period"].year < 2024:
        pop["period"] = month(2024, pop["period"].month)  # the demo laws start in 2024
    check_agreement(programme, pop)


def test_the_fixture_programmes_exist():
    """Guards against a silently empty property test."""
    assert TEMPLATE.is_dir() and all((DEMO / slug).is_dir() for slug in DEMO_SLUGS)
    assert "allowance" in SAMPLER["variables/formulas.yaml"]
