"""Add1: raise each voter's endowment one unit at a time while the outcome fits the budget."""

from __future__ import annotations

import random

import pytest

from civitas.participation.pb import RuleSpec, read_pb, tally
from civitas.participation.pb.completion import add1_completion, start_endowment
from civitas.participation.pb.equal_shares import run_equal_shares
from civitas.participation.pb.profile import build_profile

from .builders import DATA, election


def _example():
    """Budget 400, four voters, so Add1 starts at 100 each.
    P (150) by v1, v2, v3; Q (140) by v1, v4; R (90) by v3; S (100) by v2.

    At endowment e (>= 100): round 1 selects P (50 each, rho 1/3); Q comes next (rho <= 0.5);
    after paying for P, v3 holds e - 50, which pays for R (90) once e >= 140, and v2 holds
    e - 50, which pays for S (100) once e >= 150.
      e = 100 .. 139: P, Q          cost 290
      e = 140 .. 149: P, Q, R       cost 380
      e = 150:        P, Q, R, S    cost 480 > 400  -> Add1 stops and keeps e = 149.
    With the exhaustive stop: at e = 140 the 20 left cannot buy S (100): stop at e = 140.
    """
    return election(
        {"P": 150, "Q": 140, "R": 90, "S": 100},
        {"v1": ["P", "Q"], "v2": ["P", "S"], "v3": ["P", "R"], "v4": ["Q"]},
        400,
    )


def test_add1_keeps_the_last_endowment_whose_outcome_fits_the_budget():
    result = tally(_example(), RuleSpec("mes", completion="add1"))

    assert sorted(result.selected_ids) == ["P", "Q", "R"]
    assert result.total_cost == 380
    assert result.equal_shares.endowment == 149
    assert result.add1.over_budget_endowment == 150
    assert result.add1.over_budget_cost == 480
    assert result.add1.stopped_because.startswith("the next endowment")


def test_plain_equal_shares_leaves_money_that_add1_spends():
    assert tally(_example(), RuleSpec("mes")).selected_ids == ["P", "Q"]


def test_the_exhaustive_stop_ends_as_soon_as_nothing_more_fits():
    result = tally(_example(), RuleSpec("mes", completion="add1", exhaustive_stop=True))

    assert sorted(result.selected_ids) == ["P", "Q", "R"]
    assert result.equal_shares.endowment == 140
    assert result.add1.stopped_because == "the outcome is exhaustive"


def test_add1_stops_when_every_supported_project_is_already_selected():
    el = election({"A": 10, "B": 20}, {"v1": ["A"], "v2": ["B"]}, 100)
    result = tally(el, RuleSpec("mes", completion="add1"))

    assert sorted(result.selected_ids) == ["A", "B"]
    assert result.add1.steps == 0
    assert result.add1.stopped_because == "every project with supporters is selected"


def test_the_integral_start_rounds_the_share_down():
    el = election({"A": 10}, {"v1": ["A"], "v2": ["A"], "v3": ["A"]}, 100)
    profile = build_profile(el, "cost")
    assert start_endowment(profile, integral=False) == pytest.approx(100 / 3)
    assert start_endowment(profile, integral=True) == 33


def _one_unit_at_a_time(profile, start, exhaustive):
    """The definition, literally: no skipping."""
    step = 0
    current = run_equal_shares(profile, start)
    while True:
        left = profile.exact_budget - profile.total_cost(current.winners)
        if exhaustive and all(
            profile.exact_costs[c] > left
            for c in range(profile.num_projects)
            if c not in current.winners
        ):
            return current
        if set(current.winners) >= {c for c in range(profile.num_projects) if profile.votes[c]}:
            return current
        candidate = run_equal_shares(profile, start + step + 1)
        if profile.total_cost(candidate.winners) > profile.exact_budget:
            return current
        step += 1
        current = candidate


@pytest.mark.parametrize("exhaustive", [False, True])
def test_skipping_by_proof_gives_what_stepping_one_unit_at_a_time_gives(exhaustive):
    """Random elections with long stretches of unchanged outcomes (large costs, few voters)."""
    rng = random.Random(7)
    for _ in range(15):
        costs = {f"p{i}": rng.randint(5, 400) for i in range(7)}
        ballots = {
            f"v{v}": rng.sample(sorted(costs), rng.randint(1, 3)) for v in range(rng.randint(2, 8))
        }
        el = election(costs, ballots, rng.randint(200, 900))
        profile = build_profile(el, rng.choice(["cost", "cardinality"]))
        start = start_endowment(profile, integral=False)
        fast = add1_completion(profile, start=start, exhaustive_stop=exhaustive)
        slow = _one_unit_at_a_time(profile, start, exhaustive)
        assert fast.run.winners == slow.winners
        assert fast.run.endowment == slow.endowment


def test_skipping_happens_on_a_real_election_and_changes_nothing():
    el = read_pb(DATA / "Poland_Swiecie_2023.pb")
    profile = build_profile(el, "cost")
    start = start_endowment(profile, integral=False)
    fast = add1_completion(profile, start=start)
    slow = _one_unit_at_a_time(profile, start, exhaustive=False)

    assert fast.skipped > 0
    assert fast.runs < fast.steps
    assert fast.run.winners == slow.winners
    assert fast.run.endowment == slow.endowment
