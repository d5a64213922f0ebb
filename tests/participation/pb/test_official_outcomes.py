"""Real elections: our tallies reproduce the winners recorded in the Pabulib files."""

from __future__ import annotations

import json

import pytest

from civitas.participation.pb import RuleSpec, read_pb, tally, verify_report

from .builders import DATA

CASES = [
    ("Poland_Wieliczka_2023_Green_Budget.pb", "equalshares/add1-comparison"),
    ("Poland_Swiecie_2023.pb", "equalshares/add1"),
    ("Netherlands_Assen_2024.pb", "equalshares/add1"),
    ("Poland_Warszawa_2019_Nadwisle.pb", "greedy"),
    ("Poland_Czestochowa_2024_Podjasnogorska.pb", "greedy"),
]


@pytest.mark.parametrize(("name", "rule"), CASES)
def test_the_official_winners_are_reproduced_exactly(name, rule):
    el = read_pb(DATA / name)
    assert el.meta["rule"] == rule
    result = tally(el, RuleSpec.from_pabulib_rule(rule))

    assert sorted(result.selected_ids) == sorted(el.official_selection())
    assert result.total_cost <= el.budget


def test_wieliczka_keeps_equal_shares_after_the_comparison_with_greedy():
    el = read_pb(DATA / "Poland_Wieliczka_2023_Green_Budget.pb")
    result = tally(el, RuleSpec.from_pabulib_rule("equalshares/add1-comparison"))

    assert result.outcome_from == "equal_shares"
    assert result.comparison.prefer_equal_shares > result.comparison.prefer_greedy
    assert sorted(result.comparison.greedy_selected) != sorted(result.selected)


def test_wieliczka_would_differ_with_the_exhaustive_stop():
    """The Wieliczka outcome needs plain Add1: stopping once exhaustive selects other projects."""
    el = read_pb(DATA / "Poland_Wieliczka_2023_Green_Budget.pb")
    spec = RuleSpec("mes", completion="add1", exhaustive_stop=True, comparison=True)
    assert sorted(tally(el, spec).selected_ids) != sorted(el.official_selection())


def test_the_full_report_of_an_official_tally_checks_out_step_by_step():
    el = read_pb(DATA / "Poland_Swiecie_2023.pb")
    result = tally(el, RuleSpec.from_pabulib_rule("equalshares/add1"))
    report = json.loads(json.dumps(result.to_dict(report="full")))

    assert verify_report(el, report) == []
    rounds = report["verification"]["equal_shares"]["rounds"]
    assert [r["project"] for r in rounds] == result.selected_ids
    first = rounds[0]
    assert sum(first["payments"].values()) == pytest.approx(first["cost"])
    assert report["rule"]["pabulib_rule"] == "equalshares/add1"
    assert report["rule"]["tie_breaking"] == ["most_supporters", "lowest_cost", "earliest_in_file"]


def test_a_tampered_report_is_caught():
    el = read_pb(DATA / "Poland_Swiecie_2023.pb")
    report = json.loads(json.dumps(tally(el, RuleSpec("mes")).to_dict(report="full")))
    second = report["verification"]["equal_shares"]["rounds"][1]
    voter = next(iter(second["payments"]))
    second["payments"][voter] += 5.0

    problems = verify_report(el, report)
    assert problems and problems[0].startswith("round 2:")


def test_a_report_claiming_a_dearer_project_won_is_caught():
    el = read_pb(DATA / "Poland_Swiecie_2023.pb")
    report = json.loads(json.dumps(tally(el, RuleSpec("mes")).to_dict(report="full")))
    rounds = report["verification"]["equal_shares"]["rounds"]
    rounds[0], rounds[1] = rounds[1], rounds[0]

    assert any("cheaper" in p or "paid" in p for p in verify_report(el, report))
