"""Equal Shares on elections small enough to work out by hand, and against an exact reference."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from civitas.participation.pb import BallotFormat, RuleSpec, tally
from civitas.participation.pb.equal_shares import run_equal_shares
from civitas.participation.pb.profile import build_profile

from .builders import election, exact_equal_shares


def test_a_price_tie_goes_to_the_cheaper_project_and_a_drained_project_is_dropped():
    """Budget 300, three voters, so each holds 100.
    v1 approves A and B, v2 approves A and C, v3 approves C. Costs A 200, B 100, C 150.

    Round 1 (cost utility: rho = largest payment / cost):
      A: v1 and v2 pay 100 each -> rho = 100/200 = 0.5
      B: v1 pays 100            -> rho = 100/100 = 1
      C: v2 and v3 pay 75 each  -> rho =  75/150 = 0.5
      A and C tie at 0.5 with two supporters each; C is cheaper, so C wins.
      Budgets: v1 100, v2 25, v3 25.
    Round 2: A's supporters hold 125 < 200 (unaffordable); B: v1 pays 100, rho 1. B wins.
    Round 3: nothing affordable. Outcome C, B; cost 250.
    """
    el = election(
        {"A": 200, "B": 100, "C": 150},
        {"v1": ["A", "B"], "v2": ["A", "C"], "v3": ["C"]},
        300,
    )
    result = tally(el, RuleSpec("mes"))

    assert result.selected_ids == ["C", "B"]
    assert result.total_cost == 250
    first, second = result.equal_shares.rounds
    assert first.rho == pytest.approx(0.5)
    assert [el.projects[c].project_id for c in first.tied] == ["A"]
    assert second.rho == pytest.approx(1.0)
    assert list(second.payments) == [100.0]


def test_a_voter_who_cannot_pay_an_equal_share_pays_all_she_has_and_others_pay_more():
    """Budget 400, four voters holding 100 each.
    P (150) by v1, v2, v3; Q (140) by v1, v4; R (90) by v3.

    Round 1: P: 50 each, rho 50/150 = 1/3; Q: 70 each, rho 0.5; R: 90, rho 1. P wins.
      Budgets: v1 50, v2 50, v3 50, v4 100.
    Round 2: Q: an equal share would be 70, more than v1's 50, so v1 pays her 50 and v4 pays
      the other 90 (<= 100): rho = 90/140. R: v3 holds 50 < 90, unaffordable. Q wins.
    Outcome P, Q; cost 290; v1 ends with nothing, v4 with 10.
    """
    el = election(
        {"P": 150, "Q": 140, "R": 90},
        {"v1": ["P", "Q"], "v2": ["P"], "v3": ["P", "R"], "v4": ["Q"]},
        400,
    )
    result = tally(el, RuleSpec("mes"))

    assert result.selected_ids == ["P", "Q"]
    q_round = result.equal_shares.rounds[1]
    assert q_round.rho == pytest.approx(90 / 140)
    assert dict(zip(q_round.supporters.tolist(), q_round.payments.tolist(), strict=True)) == {
        0: pytest.approx(50.0),
        3: pytest.approx(90.0),
    }
    assert result.equal_shares.final_budgets.tolist() == pytest.approx([0, 50, 50, 10])


def test_cardinality_utility_prices_by_the_largest_payment():
    """Same election as above with cardinality utility (every approved project is worth 1):
    round 1 prices are the largest payments, P 50, Q 70, R 90: P wins, then Q at 90. The same
    outcome here, but rho is now in currency units."""
    el = election(
        {"P": 150, "Q": 140, "R": 90},
        {"v1": ["P", "Q"], "v2": ["P"], "v3": ["P", "R"], "v4": ["Q"]},
        400,
    )
    result = tally(el, RuleSpec("mes", "cardinality"))

    assert result.selected_ids == ["P", "Q"]
    assert [r.rho for r in result.equal_shares.rounds] == pytest.approx([50, 90])


def test_cost_and_cardinality_utilities_can_disagree():
    """Two voters holding 60 each approve the cheap C (20) and the dear D (100).
    Cost utility: C's rho = 10/20 = 0.5 and D's = 50/100 = 0.5 tie; C is cheaper and wins, then
    D takes the remaining 50 + 50. Cardinality: C's price 10 beats D's 50, then D. Same outcome.

    Three voters holding 40 each; v1 and v2 approve C (30) and D (90), v3 only D.
    Cost utility: C's rho = 15/30 = 0.5, D's = 30/90 = 1/3, so D wins first and leaves 10 each:
    C is then unaffordable. Outcome D. Cardinality: C's price 15 beats D's 30, so C wins first
    (v1, v2 keep 25); D then costs 25 + 25 + 40 = 90 with v3 paying 40: selected. Outcome C, D.
    Under cost utility a dear project is not penalised for its size; under cardinality it is.
    """
    both = election({"C": 20, "D": 100}, {"v1": ["C", "D"], "v2": ["C", "D"]}, 120)
    assert tally(both, RuleSpec("mes", "cost")).selected_ids == ["C", "D"]
    assert tally(both, RuleSpec("mes", "cardinality")).selected_ids == ["C", "D"]

    three = election(
        {"C": 30, "D": 90},
        {"v1": ["C", "D"], "v2": ["C", "D"], "v3": ["D"]},
        120,
    )
    assert tally(three, RuleSpec("mes", "cost")).selected_ids == ["D"]
    assert tally(three, RuleSpec("mes", "cardinality")).selected_ids == ["C", "D"]


def test_points_ballots_pay_in_proportion_to_points():
    """Budget 100: v1 and v2 hold 50 each. A costs 60, B costs 40.
    v1 gives A 3 points and B 1; v2 gives A 1 and B 3. Cardinality utility = points.
    Round 1: A: 3 rho + 1 rho = 60 -> rho 15 (payments 45, 15); B: 4 rho = 40 -> rho 10
      (payments 10, 30). B wins; v1 keeps 40, v2 keeps 20.
    Round 2: A at rho 15 would need 45 from v1 who has 40: v1 pays all 40 and v2 pays the
      other 20 = 1 x rho -> rho 20. A is selected; both voters are spent.
    """
    el = election(
        {"A": 60, "B": 40},
        {"v1": {"A": 3, "B": 1}, "v2": {"A": 1, "B": 3}},
        100,
        BallotFormat.CUMULATIVE,
    )
    result = tally(el, RuleSpec("mes", "cardinality"))

    assert result.selected_ids == ["B", "A"]
    assert [r.rho for r in result.equal_shares.rounds] == pytest.approx([10, 20])
    assert result.equal_shares.final_budgets.tolist() == pytest.approx([0, 0])


def test_a_project_nobody_supports_is_never_selected():
    el = election({"A": 10, "Z": 1}, {"v1": ["A"], "v2": ["A"]}, 100)
    assert tally(el, RuleSpec("mes")).selected_ids == ["A"]


def _random_election(rng: random.Random, ballot_format: BallotFormat):
    projects = {f"p{i}": rng.choice([10, 20, 25, 30, 40, 50, 60, 75, 90]) for i in range(6)}
    ballots: dict[str, list[str] | dict[str, int]] = {}
    for v in range(rng.randint(3, 9)):
        chosen = rng.sample(sorted(projects), rng.randint(1, 4))
        if ballot_format is BallotFormat.CUMULATIVE:
            ballots[f"v{v}"] = {p: rng.randint(1, 3) for p in chosen}
        else:
            ballots[f"v{v}"] = chosen
    return election(projects, ballots, rng.choice([60, 100, 150]), ballot_format)


@pytest.mark.parametrize("ballot_format", [BallotFormat.APPROVAL, BallotFormat.CUMULATIVE])
@pytest.mark.parametrize("utility", ["cost", "cardinality"])
def test_the_fast_engine_selects_what_exact_arithmetic_selects(ballot_format, utility):
    """100 random small elections (many with exact ties) against a plain exact implementation."""
    rng = random.Random(20260701)
    for _ in range(100):
        el = _random_election(rng, ballot_format)
        endowment = el.budget / len(el.ballots)
        profile = build_profile(el, utility)
        run = run_equal_shares(profile, float(endowment))
        got = [profile.project_ids[c] for c in run.winners]
        assert got == exact_equal_shares(el, utility, Fraction(endowment)), el
