"""Simulating a reform: who gains or loses, what it costs, by decile and region."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from civitas.rules import InputDataError, load_programme_from_sources
from civitas.rules.batch import BLOCK_PERSONS
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


# --- progress ------------------------------------------------------------------------------------
def large_population(households: int, seed: int = 5) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Enough people for several of the evaluator's blocks (about 30,000 persons each)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, households)
    household_id = np.repeat(np.arange(1, households + 1), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    adult = (np.arange(len(household_id)) - start) < 2
    n = len(household_id)
    persons = pl.DataFrame(
        {
            "person_id": np.arange(1, n + 1),
            "household_id": household_id,
            "role": np.where(adult, "adult", "child"),
            "birth": np.where(adult, np.datetime64("1985-01-01"), np.datetime64("2016-06-01")),
            "sex": np.where(rng.random(n) < 0.5, "female", "male"),
            "income": np.where(adult, np.round(rng.lognormal(6.5, 0.7, n), 2), 0.0),
            "pregnant": np.zeros(n, dtype=bool),
        }
    ).with_columns(pl.col("birth").cast(pl.Date))
    regions = np.array(["north", "south", "central"])
    frame = pl.DataFrame(
        {
            "household_id": np.arange(1, households + 1),
            "rent": rng.integers(0, 100, households) * 5.0,
            "region": regions[rng.integers(0, 3, households)],
        }
    )
    return persons, frame


@pytest.mark.parametrize("income", ["income", "household_income"])
def test_progress_is_told_after_each_block_and_the_report_is_unchanged(versions, income):
    """Two evaluations (three when income is a variable to compute) of several blocks each, then
    the ranking: the count rises after every block, from 0 to the number of households, and the
    report is the one of a run without progress."""
    baseline, reform = versions
    persons, households = large_population(25_000)
    assert persons.height > 2 * BLOCK_PERSONS  # at least three blocks per evaluation
    plain = simulate(baseline, reform, "2025-03", persons, households, income=income)
    calls: list[tuple[int, int]] = []
    told = simulate(
        baseline,
        reform,
        "2025-03",
        persons,
        households,
        income=income,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert told.to_dict() == plain.to_dict()
    n = households.height
    assert calls[0] == (0, n) and calls[-1] == (n, n)
    assert {total for _done, total in calls} == {n}
    done = [d for d, _total in calls]
    assert done == sorted(set(done)), "rising, each count told once"
    passes = 2 if income == "income" else 3  # then the ranking and grouping
    assert len(calls) >= 1 + 3 * passes + 1, calls
    assert n // (passes + 1) in done, "the first evaluation's end"
    assert passes * n // (passes + 1) in done, "the evaluations' end, before the ranking"


def test_progress_on_a_small_population_is_first_and_last(versions):
    baseline, reform = versions
    persons, households = population()
    calls: list[tuple[int, int]] = []
    simulate(baseline, reform, "2025-03", persons, households, progress=lambda *c: calls.append(c))
    assert calls[0] == (0, 4) and calls[-1] == (4, 4) and len(calls) <= 4
