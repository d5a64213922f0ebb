"""Simulating a reform: who gains or loses, what it costs, by decile and region."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from civitas.rules import InputDataError, load_programme_from_sources
from civitas.rules.simulate import simulate

from .conftest import DEMO


def population():
    persons = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5, 6, 7],
            "household_id": [1, 1, 2, 2, 2, 3, 4],
            "role": ["adult", "child", "adult", "child", "child", "adult", "adult"],
            "birth": [
                date(1990, 1, 1),
                date(2015, 1, 1),
                date(1985, 1, 1),
                date(2012, 1, 1),
                date(2019, 1, 1),
                date(1950, 1, 1),
                date(1980, 1, 1),
            ],
            "sex": ["female", "male", "male", "female", "male", "female", "male"],
            "income": [900.0, 0.0, 1500.0, 0.0, 0.0, 100.0, 5000.0],
            "pregnant": [False] * 7,
        }
    )
    households = pl.DataFrame(
        {
            "household_id": [1, 2, 3, 4],
            "rent": [300.0, 400.0, 0.0, 900.0],
            "region": ["north", "south", "north", "central"],
        }
    )
    return persons, households


@pytest.fixture(scope="module")
def versions():
    baseline = {
        p.relative_to(DEMO / "child-benefit").as_posix(): p.read_text()
        for p in (DEMO / "child-benefit").rglob("*.yaml")
    }
    reform = dict(baseline)
    reform["parameters/child_benefit.yaml"] = (
        baseline["parameters/child_benefit.yaml"]
        .replace("value: 55\n", "value: 70\n")
        .replace("value: 2000\n", "value: 1400\n")
    )
    assert reform["parameters/child_benefit.yaml"] != baseline["parameters/child_benefit.yaml"]
    return (
        load_programme_from_sources(baseline, default_name="baseline"),
        load_programme_from_sources(reform, default_name="reform"),
    )


def test_gainers_losers_and_costs(versions):
    baseline, reform = versions
    persons, households = population()
    report = simulate(baseline, reform, "2025-03", persons, households)
    # household 1 (income 900, one child): 55 -> 70; household 2 (1500, two children):
    # 110 -> 0 under the lower limit; households 3 and 4 have no children.
    assert (report.gainers, report.losers, report.unchanged) == (1, 1, 2)
    assert report.baseline_total == 165.0
    assert report.reform_total == 70.0
    assert report.difference == -95.0
    regions = {g.group: g for g in report.by_region}
    assert regions["north"].difference == 15.0 and regions["south"].difference == -110.0
    assert sum(g.households for g in report.by_decile) == 4
    assert sum(g.difference for g in report.by_decile) == -95.0


def test_income_can_be_a_household_variable(versions):
    baseline, reform = versions
    persons, households = population()
    report = simulate(baseline, reform, "2025-03", persons, households, income="household_income")
    assert [g.households for g in report.by_decile if g.households] == [1, 1, 1, 1]


def test_an_unknown_income_measure_is_refused(versions):
    baseline, reform = versions
    persons, households = population()
    with pytest.raises(InputDataError, match="income 'wealth' is neither"):
        simulate(baseline, reform, "2025-03", persons, households, income="wealth")
