"""Greedy by votes, and the comparison step that may replace Equal Shares by greedy."""

from __future__ import annotations

from civitas.participation.pb import RuleSpec, tally

from .builders import election


def test_greedy_takes_projects_by_votes_and_skips_the_ones_that_no_longer_fit():
    """Budget 10. A (6) has 3 votes, B (5) 2 votes, C (1) 1 vote.
    A fits (4 left), B does not (5 > 4) and is skipped, C fits (3 left): A, C."""
    el = election(
        {"A": 6, "B": 5, "C": 1},
        {"v1": ["A", "B"], "v2": ["A", "B"], "v3": ["A", "C"]},
        10,
    )
    result = tally(el, RuleSpec("greedy"))

    assert result.selected_ids == ["A", "C"]
    assert [s.selected for s in result.greedy_steps] == [True, False, True]
    assert [int(s.money_left) for s in result.greedy_steps] == [4, 4, 3]


def test_greedy_with_cardinality_utility_orders_by_votes_per_unit_of_cost():
    """Same election: votes per unit of cost are A 3/6, B 2/5, C 1/1, so C first (9 left),
    then A (3 left), then B does not fit."""
    el = election(
        {"A": 6, "B": 5, "C": 1},
        {"v1": ["A", "B"], "v2": ["A", "B"], "v3": ["A", "C"]},
        10,
    )
    assert tally(el, RuleSpec("greedy", "cardinality")).selected_ids == ["C", "A"]


def test_greedy_breaks_a_tie_in_votes_by_lower_cost():
    el = election({"A": 5, "B": 4}, {"v1": ["A", "B"]}, 5)
    assert tally(el, RuleSpec("greedy")).selected_ids == ["B"]


def _camps():
    """Budget 2, four voters holding 0.5 each. v1..v3 approve A and B (cost 1 each), v4 C (1).
    Equal Shares: A and B both cost 1/3 per supporter (rho 1/3); the tie goes to A (first in
    the file). Then B's supporters hold 1/6 each, 1/2 in all: unaffordable; C needs 1 from v4's
    0.5: unaffordable. Outcome A. Greedy by votes: A, B (3 votes each), budget spent.
    v1..v3 prefer greedy (2 of their projects against 1), v4 is indifferent (0 and 0)."""
    return election(
        {"A": 1, "B": 1, "C": 1},
        {"v1": ["A", "B"], "v2": ["A", "B"], "v3": ["A", "B"], "v4": ["C"]},
        2,
    )


def test_the_comparison_adopts_greedy_when_more_voters_prefer_it():
    result = tally(_camps(), RuleSpec("mes", comparison=True))

    assert result.equal_shares.winners == [0]
    assert result.comparison.prefer_greedy == 3
    assert result.comparison.prefer_equal_shares == 0
    assert result.comparison.indifferent == 1
    assert result.outcome_from == "greedy"
    assert result.selected_ids == ["A", "B"]


def test_the_comparison_keeps_equal_shares_on_a_draw():
    """Two voters holding 1 each: v1 approves A (1) and B (1), v2 approves C (1); budget 2.
    Equal Shares: A (rho 1) ... every project costs its single supporter 1: A first (file
    order among equals with one supporter and cost 1), then v1 is spent, C is next: A, C.
    Greedy by votes: one vote each, ties by file order: A, B. v1 prefers greedy (2 vs 1), v2
    prefers Equal Shares (1 vs 0): a draw, so Equal Shares stands."""
    el = election({"A": 1, "B": 1, "C": 1}, {"v1": ["A", "B"], "v2": ["C"]}, 2)
    result = tally(el, RuleSpec("mes", comparison=True))

    assert result.comparison.prefer_greedy == result.comparison.prefer_equal_shares == 1
    assert result.outcome_from == "equal_shares"
    assert result.selected_ids == ["A", "C"]
