"""Add1 completion: raise every voter's endowment by one currency unit at a time while the outcome
of Equal Shares stays within the real budget.

Plain Equal Shares often leaves money unspent. Add1 runs it again with endowments
`start, start + 1, start + 2, ...` (per voter) and keeps the last outcome whose total cost fits the
budget: it stops at the first endowment whose outcome would exceed it. With `exhaustive_stop` it
also stops as soon as the current outcome is exhaustive (no unselected project fits in the money
left), the variant equalshares.net recommends.

Speed without changing the definition: after the outcome has stayed the same for a few steps in a
row, the loop tries to prove (`run_if_unchanged`) that it stays the same over the next 4, 8, 16...
steps and skips them when the proof succeeds. A skipped endowment has exactly the outcome of the
endowments around it, so the result is the one stepping one unit at a time would give; when the
proof fails the loop simply goes back to single steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .equal_shares import Run, _Prices, run_equal_shares, run_if_unchanged
from .profile import Profile

# Same outcome this many steps in a row before trying to skip ahead; each failed attempt costs
# one run, so short-lived outcomes (the usual case in real elections) are stepped one by one.
STREAK_BEFORE_SKIPPING = 8
FIRST_SKIP = 4


@dataclass
class Add1Outcome:
    run: Run  # the accepted run (its endowment is the final per-voter endowment)
    start_endowment: float
    increment: float
    steps: int  # how many increments were accepted
    runs: int  # Equal Shares runs computed, including the proofs used to skip steps
    skipped: int  # increments accepted by proof instead of by a run
    stopped_because: str
    over_budget_endowment: float | None = None  # the first endowment whose outcome is too dear
    over_budget_cost: Fraction | None = None


def start_endowment(profile: Profile, *, integral: bool) -> float:
    """The budget divided equally; `integral` rounds it down to a whole currency unit."""
    if profile.num_voters == 0:
        return 0.0
    share = profile.exact_budget / profile.num_voters
    return float(math.floor(share)) if integral else float(share)


def add1_completion(
    profile: Profile,
    *,
    start: float,
    increment: float = 1.0,
    exhaustive_stop: bool = False,
) -> Add1Outcome:
    if increment <= 0:
        raise ValueError("the Add1 increment must be positive")
    prices = _Prices(profile)
    budget = profile.exact_budget
    supported = {int(c) for c in range(profile.num_projects) if profile.votes[c] > 0}

    def endowment_at(step: int) -> float:
        return start + step * increment  # no running sum, so no drift over many steps

    current = run_equal_shares(profile, start, prices=prices)
    runs = 1
    step = skipped = 0
    streak = 1  # increments in a row with the same outcome
    skip = FIRST_SKIP
    while True:
        if set(current.winners) >= supported:
            reason = "every project with supporters is selected"
            break
        if exhaustive_stop and _is_exhaustive(profile, current.winners):
            reason = "the outcome is exhaustive"
            break
        if streak >= STREAK_BEFORE_SKIPPING:
            runs += 1
            proven = run_if_unchanged(profile, current, endowment_at(step + skip), prices=prices)
            if proven is not None:
                step += skip
                skipped += skip
                current = proven
                skip *= 2
                continue
            skip = FIRST_SKIP
            streak = 0
        candidate = run_equal_shares(profile, endowment_at(step + 1), prices=prices)
        runs += 1
        cost = profile.total_cost(candidate.winners)
        if cost > budget:
            return Add1Outcome(
                run=current,
                start_endowment=start,
                increment=increment,
                steps=step,
                runs=runs,
                skipped=skipped,
                stopped_because="the next endowment would select projects over the budget",
                over_budget_endowment=candidate.endowment,
                over_budget_cost=cost,
            )
        streak = streak + 1 if candidate.winners == current.winners else 1
        step += 1
        current = candidate
    return Add1Outcome(
        run=current,
        start_endowment=start,
        increment=increment,
        steps=step,
        runs=runs,
        skipped=skipped,
        stopped_because=reason,
    )


def _is_exhaustive(profile: Profile, winners: list[int]) -> bool:
    """True when no unselected project fits in the money the selection leaves."""
    left = profile.exact_budget - profile.total_cost(winners)
    chosen = set(winners)
    return all(
        profile.exact_costs[c] > left for c in range(profile.num_projects) if c not in chosen
    )
