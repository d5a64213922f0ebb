"""The check a ballot passes before it is stored, with the reason when it does not."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from civitas.participation.pb import BallotFormat, BallotRejected, BallotRules

COSTS = {"A": Fraction(600), "B": Fraction(400), "C": Fraction(250)}


def test_an_approval_ballot_within_the_limits_passes():
    rules = BallotRules.from_meta(
        {"min_length": "1", "max_length": "2"}, BallotFormat.APPROVAL, Fraction(1000)
    )
    rules.check(["A", "C"], None, COSTS)


@pytest.mark.parametrize(
    ("meta", "fmt", "projects", "points", "reason"),
    [
        (
            {"max_length": "2"},
            BallotFormat.APPROVAL,
            ["A", "B", "C"],
            None,
            "3 project(s) chosen, at most 2 allowed",
        ),
        (
            {"min_length": "2"},
            BallotFormat.APPROVAL,
            ["A"],
            None,
            "1 project(s) chosen, at least 2 required",
        ),
        (
            {},
            BallotFormat.KNAPSACK,
            ["A", "B", "C"],
            None,
            "cost 1250, more than the limit of 1000",
        ),
        ({}, BallotFormat.APPROVAL, ["A", "A"], None, "project A appears more than once"),
        ({}, BallotFormat.APPROVAL, ["Z"], None, "unknown project Z"),
        (
            {"max_sum_points": "10"},
            BallotFormat.CUMULATIVE,
            ["A", "B"],
            [6, 5],
            "11 points given, at most 10 allowed",
        ),
        (
            {"max_points": "3"},
            BallotFormat.SCORING,
            ["A"],
            [4],
            "project A has 4 point(s), at most 3 allowed",
        ),
        ({}, BallotFormat.CUMULATIVE, ["A"], [-1], "project A has negative points"),
        ({}, BallotFormat.APPROVAL, ["A"], [1], "approval ballots carry no points"),
        ({"vote_type": "choose-1"}, BallotFormat.APPROVAL, ["A", "B"], None, "at most 1 allowed"),
    ],
)
def test_a_ballot_that_breaks_a_rule_is_refused_with_the_reason(
    meta, fmt, projects, points, reason
):
    rules = BallotRules.from_meta(meta, fmt, Fraction(1000))
    with pytest.raises(BallotRejected, match=re.escape(reason)):
        rules.check(projects, None if points is None else [Fraction(p) for p in points], COSTS)


def test_a_limit_that_is_not_a_number_is_reported_by_its_key():
    with pytest.raises(ValueError, match="max_length 'five' is not a number"):
        BallotRules.from_meta({"max_length": "five"}, BallotFormat.APPROVAL, Fraction(1))
