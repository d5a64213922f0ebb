"""Population evaluation: results, blocks, and bad batch inputs caught before computing."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import polars as pl
import pytest

from civitas.rules import InputDataError
from civitas.rules.batch import _bounds, evaluate_population

VARIABLES = ["income_tax", "disposable_income", "housing_tax", "parenting_allowance"]


def tables():
    persons = pl.DataFrame(
        {
            "person_id": [10, 11, 12, 13, 14],
            "household_id": [2, 1, 1, 2, 3],
            "role": ["adult", "adult", "child", "child", "adult"],
            "birth": [
                date(1980, 1, 1),
                date(1975, 5, 5),
                date(2014, 3, 1),
                date(2012, 1, 1),
                date(1940, 1, 1),
            ],
            "salary": [200.0, 3000.0, 0.0, 0.0, 0.0],
            "capital_returns": [0.0, 10.0, 0.0, 0.0, 100.0],
        }
    )
    households = pl.DataFrame(
        {
            "household_id": [1, 2, 3],
            "rent": [500.0, 300.0, 0.0],
            "accommodation_size": [50.0, 80.0, 20.0],
            "housing_occupancy_status": ["tenant", "free_lodger", "owner"],
        }
    )
    return persons, households


def test_results_come_back_in_input_order_with_ids(template):
    persons, households = tables()
    result = evaluate_population(template, "2017-01", persons, households, VARIABLES)
    assert result.persons["person_id"].to_list() == [10, 11, 12, 13, 14]
    assert result.persons["income_tax"].to_list() == pytest.approx(
        [30.0, 451.5, 0.0, 0.0, 15.15], abs=1e-4
    )
    assert result.households["household_id"].to_list() == [1, 2, 3]
    assert result.households["housing_tax"].to_list() == [500.0, 0.0, 200.0]
    # household 2: one adult earning 200 with a child under 8 -> parenting allowance
    assert result.households["parenting_allowance"].to_list() == [0.0, 600.0, 0.0]


def test_small_blocks_give_the_same_results_as_one_block(template):
    persons, households = tables()
    whole = evaluate_population(template, "2016-01", persons, households, VARIABLES)
    blocks = evaluate_population(template, "2016-01", persons, households, VARIABLES, block_size=1)
    assert whole.households.equals(blocks.households)
    assert whole.persons.equals(blocks.persons)


def test_blocks_capped_by_persons_give_the_same_results(template):
    """Blocks are cut at whole households once they reach the persons cap; a household larger
    than the cap gets a block of its own."""
    persons, households = tables()
    whole = evaluate_population(template, "2016-01", persons, households, VARIABLES)
    for cap in (1, 2, 3):
        capped = evaluate_population(
            template, "2016-01", persons, households, VARIABLES, block_persons=cap
        )
        assert whole.households.equals(capped.households)
        assert whole.persons.equals(capped.persons)


def test_block_bounds_cover_every_household_and_person_once():
    index = np.array([0, 0, 0, 2, 2, 3, 5, 5, 5, 5, 6])  # households 1 and 4 have no one
    for block_size, block_persons in [(1, 100), (2, 3), (100, 4), (100, 1), (3, 5)]:
        bounds = _bounds(index, 7, block_size, block_persons)
        assert bounds[0][0] == 0 and bounds[0][2] == 0
        assert bounds[-1][1] == 7 and bounds[-1][3] == len(index)
        for (h0, h1, _, p1), (nh0, _, np0, _) in itertools.pairwise(bounds):
            assert h1 == nh0 and p1 == np0 and h1 > h0
        for h0, h1, p0, p1 in bounds:
            assert h1 - h0 <= block_size
            assert np.all((index[p0:p1] >= h0) & (index[p0:p1] < h1))
            assert p1 - p0 <= block_persons or h1 - h0 == 1  # only a lone large household
    assert _bounds(np.array([], dtype=np.int64), 0, 10, 10) == [(0, 0, 0, 0)]


def test_progress_is_reported_block_by_block(template):
    persons, households = tables()
    seen = []
    evaluate_population(
        template,
        "2017-01",
        persons,
        households,
        VARIABLES,
        block_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(2, 3), (3, 3)]


def check(template, message, persons=None, households=None):
    p, h = tables()
    with pytest.raises(InputDataError) as caught:
        evaluate_population(
            template,
            "2017-01",
            persons if persons is not None else p,
            households if households is not None else h,
            VARIABLES,
        )
    assert message in str(caught.value)


def test_a_missing_input_column_is_named(template):
    persons, _ = tables()
    check(
        template,
        "missing input column: capital_returns (persons)",
        persons=persons.drop("capital_returns"),
    )


def test_a_missing_id_column_is_named(template):
    _, households = tables()
    check(
        template,
        "households: missing column household_id",
        households=households.drop("household_id"),
    )


def test_an_orphan_person_is_named_by_row(template):
    persons, _ = tables()
    orphan = persons.with_columns(pl.Series("household_id", [2, 1, 9, 2, 7]))
    check(
        template,
        "persons.household_id: no such household in households for rows 3, 5",
        persons=orphan,
    )


def test_orphans_are_found_with_text_ids_too(template):
    persons, households = tables()
    persons = persons.with_columns(pl.col("household_id").cast(pl.String))
    persons = persons.with_columns(pl.Series("household_id", ["2", "1", "1", "x", "3"]))
    households = households.with_columns(pl.col("household_id").cast(pl.String))
    check(
        template,
        "no such household in households for row 4",
        persons=persons,
        households=households,
    )


def test_wrong_types_name_the_column_and_rows(template):
    persons, households = tables()
    check(
        template,
        "persons.salary: expected numbers but the column holds String (not a number in row 2)",
        persons=persons.with_columns(pl.Series("salary", ["1", "x", "2", "3", "4"])),
    )
    check(
        template,
        "persons.birth: expected dates YYYY-MM-DD in row 1",
        persons=persons.with_columns(
            pl.Series(
                "birth", ["1980-02-30", "1975-05-05", "2014-03-01", "2012-01-01", "1940-01-01"]
            )
        ),
    )
    check(
        template,
        "households.housing_occupancy_status: values are owner, tenant, "
        "free_lodger, homeless; other value in row 2",
        households=households.with_columns(
            pl.Series("housing_occupancy_status", ["tenant", "renter", "owner"])
        ),
    )
    check(
        template,
        "persons.role: roles are adult, child; other value in row 1",
        persons=persons.with_columns(
            pl.Series("role", ["parent", "adult", "child", "child", "adult"])
        ),
    )


def test_empty_values_and_duplicate_ids_are_refused(template):
    persons, households = tables()
    check(
        template,
        "persons.salary: empty value in row 3",
        persons=persons.with_columns(pl.Series("salary", [1.0, 2.0, None, 3.0, 4.0])),
    )
    check(
        template,
        "households.household_id: the same id appears twice, row 3",
        households=households.with_columns(pl.Series("household_id", [1, 2, 1])),
    )


def test_dates_given_as_text_are_accepted(template):
    persons, households = tables()
    as_text = persons.with_columns(pl.col("birth").cast(pl.String))
    a = evaluate_population(template, "2017-01", as_text, households, ["disposable_income"])
    b = evaluate_population(template, "2017-01", persons, households, ["disposable_income"])
    assert a.households.equals(b.households)


def test_a_run_leaves_its_input_tables_as_they_were(template):
    """Operations write over their own temporaries, never over inputs or shared values, so
    the same tables give the same results again."""
    persons, households = tables()
    before = persons.clone(), households.clone()
    first = evaluate_population(template, "2016-01", persons, households, VARIABLES)
    again = evaluate_population(template, "2016-01", persons, households, VARIABLES)
    assert persons.equals(before[0]) and households.equals(before[1])
    assert first.households.equals(again.households) and first.persons.equals(again.persons)
