"""The Method of Equal Shares with a fixed endowment per voter (one "run").

Each voter starts with the same endowment. In each round, every project not yet selected gets a
price `rho`: the smallest payment per unit of utility such that its supporters, each paying
`min(budget, rho * utility)`, cover its cost. The project with the lowest price is selected
(ties: `spec.TIE_BREAKING`), its supporters pay, and the next round starts. A run ends when no
project can be paid for. Definition: Peters, Pierczynski, Skowron, "Proportional participatory
budgeting with additive utilities" (NeurIPS 2021); https://equalshares.net.

Speed: a project's price only grows from round to round (budgets only shrink), so the price found
in an earlier round is a lower bound. Each round evaluates projects in the order of these bounds
and stops as soon as a bound exceeds the best price found: two or three projects per round instead
of all of them. A price is computed from the supporters' budgets with one sort, and only when
some supporter cannot pay an equal share.

Floating point: prices within a relative `TOLERANCE` of each other are a tie, and a project whose
supporters hold all but a relative `TOLERANCE` of its cost counts as affordable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .profile import Profile

TOLERANCE = 1e-9


@dataclass
class Round:
    """One selection: the project, its price and (when recorded) who paid what."""

    project: int
    rho: float  # price per unit of utility
    tied: tuple[int, ...] = ()  # other projects at the same price, lost on the tie rule
    supporters: np.ndarray | None = None  # voter indices (recorded runs only)
    payments: np.ndarray | None = None  # what each of those voters paid
    budgets_after: np.ndarray | None = None  # their budgets after paying


@dataclass
class Run:
    endowment: float
    winners: list[int]
    rounds: list[Round]
    total_cost: float
    final_budgets: np.ndarray | None = None  # every voter's leftover (recorded runs only)
    evaluations: int = 0  # price computations done, for benchmarks
    unaffordable_at_end: list[int] = field(default_factory=list)


class _Prices:
    """Computes a project's price from the current voter budgets.

    Per-project data is kept in plain Python lists so that a price costs one gather of the
    supporters' budgets plus a few vectorised operations, with no per-call numpy indexing.
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        size = int(profile.votes.max()) if profile.num_projects else 0
        self.countdown = np.arange(size, 0, -1, dtype=np.float64)  # k, k-1, ..., 1
        ptr = profile.ptr.tolist()
        self.voters = [profile.supporters[ptr[c] : ptr[c + 1]] for c in range(len(ptr) - 1)]
        self.weights = (
            None
            if profile.weights is None
            else [profile.weights[ptr[c] : ptr[c + 1]] for c in range(len(ptr) - 1)]
        )
        self.cost = profile.costs.tolist()
        self.utility = profile.project_utility.tolist()
        # The price when every supporter can pay in full: the lowest a project can ever cost.
        if profile.weights is None:
            total_utility = profile.votes * profile.project_utility
        else:
            entry_project = np.repeat(np.arange(profile.num_projects), profile.votes)
            total_utility = np.bincount(
                entry_project, weights=profile.weights, minlength=profile.num_projects
            )
        self.lowest_price = np.full(profile.num_projects, np.inf)
        supported = total_utility > 0
        self.lowest_price[supported] = profile.costs[supported] / total_utility[supported]

    def price(self, project: int, budgets: np.ndarray) -> tuple[float, float, np.ndarray] | None:
        """(rho, cap, held) for `project`, or None if its supporters cannot pay for it.

        `held` are the supporters' budgets; with equal utilities every supporter pays
        `min(held, cap)`, with points `min(held, rho * utility)` (see `payments`)."""
        held = budgets[self.voters[project]]
        cost = self.cost[project]
        if cost <= 0:
            return 0.0, 0.0, held
        if self.weights is not None:
            return self._weighted(held, self.weights[project], cost)
        k = held.size
        cap = cost / k
        if held.min() >= cap:  # everybody can pay an equal share
            return cap / self.utility[project], cap, held
        if held.sum() < cost * (1 - TOLERANCE):
            return None
        # Sorted budgets: the j poorest pay all they hold, the others share the rest equally;
        # the cap is the first such share that the (j+1)-th poorest can afford.
        ordered = np.sort(held)
        caps = np.cumsum(ordered)
        caps -= ordered  # what the poorer supporters hold in all
        np.subtract(cost, caps, out=caps)
        caps /= self.countdown[-k:]
        fits = caps <= ordered
        first = int(fits.argmax())
        cap = float(caps[first]) if fits[first] else float(ordered[-1])
        return cap / self.utility[project], cap, held

    def payments(self, project: int, rho: float, cap: float, held: np.ndarray) -> np.ndarray:
        if self.weights is not None:
            return np.minimum(held, rho * self.weights[project])
        return np.minimum(held, cap)

    @staticmethod
    def _weighted(
        held: np.ndarray, weights: np.ndarray, cost: float
    ) -> tuple[float, float, np.ndarray] | None:
        # Payment min(budget, rho * utility): sort supporters by budget per unit of utility.
        rho = cost / float(weights.sum())
        ratio = held / weights
        if ratio.min() >= rho:
            return rho, rho, held
        if held.sum() < cost * (1 - TOLERANCE):
            return None
        order = np.argsort(ratio, kind="stable")
        ratio_sorted = ratio[order]
        held_sorted = held[order]
        weight_sorted = weights[order]
        paid_before = np.cumsum(held_sorted) - held_sorted
        weight_after = np.cumsum(weight_sorted[::-1])[::-1]  # utility of those not yet capped
        rhos = (cost - paid_before) / weight_after
        fits = rhos <= ratio_sorted
        first = int(fits.argmax())
        rho = float(rhos[first]) if fits[first] else float(ratio_sorted[-1])
        return rho, rho, held


def run_equal_shares(
    profile: Profile,
    endowment: float,
    *,
    record: bool = False,
    prices: _Prices | None = None,
) -> Run:
    """One run of Equal Shares where every voter starts with `endowment`."""
    prices = prices or _Prices(profile)
    budgets = np.full(profile.num_voters, float(endowment))
    bound = prices.lowest_price.tolist()  # a price never falls during a run
    alive = [int(c) for c in np.flatnonzero(profile.votes > 0)]
    tie_rank = profile.tie_rank.tolist()
    winners: list[int] = []
    rounds: list[Round] = []
    evaluations = 0
    margin = 1 + TOLERANCE

    while alive:
        alive.sort(key=bound.__getitem__)
        best = float("inf")
        found: list[tuple[int, float, float, np.ndarray]] = []
        dead: list[int] = []
        for project in alive:
            if bound[project] > best * margin:
                break
            evaluations += 1
            priced = prices.price(project, budgets)
            if priced is None:
                dead.append(project)  # budgets only shrink: unaffordable for the rest of the run
                continue
            rho = priced[0]
            bound[project] = rho
            if rho < best:
                best = rho
            found.append((project, *priced))
        for project in dead:
            alive.remove(project)
        if not found:
            break
        limit = best * margin
        tied = [entry for entry in found if entry[1] <= limit]
        project, rho, cap, held = min(tied, key=lambda entry: tie_rank[entry[0]])
        voters = prices.voters[project]
        payments = prices.payments(project, rho, cap, held)
        after = held - payments
        np.maximum(after, 0.0, out=after)  # what a capped voter pays is all they hold
        budgets[voters] = after
        alive.remove(project)
        winners.append(project)
        rounds.append(
            Round(
                project=project,
                rho=rho,
                tied=tuple(
                    sorted((e[0] for e in tied if e[0] != project), key=tie_rank.__getitem__)
                ),
                supporters=voters.copy() if record else None,
                payments=payments if record else None,
                budgets_after=after.copy() if record else None,
            )
        )
    return Run(
        endowment=float(endowment),
        winners=winners,
        rounds=rounds,
        total_cost=float(profile.costs[winners].sum()) if winners else 0.0,
        final_budgets=budgets if record else None,
        evaluations=evaluations,
        unaffordable_at_end=sorted(alive),
    )


def run_if_unchanged(
    profile: Profile, reference: Run, endowment: float, *, prices: _Prices | None = None
) -> Run | None:
    """The run at `endowment` if provably every endowment between `reference.endowment` and
    `endowment` selects the same projects in the same order as `reference`; otherwise None.

    Why it is safe: with the same selections, every voter's budget at every round grows with the
    endowment (a payment is `min(budget, cap)` and the cap falls when budgets rise). So on the
    whole interval a winner's price is at most its price in `reference`, and any other project's
    price is at least its price at `endowment`. If every other project is then dearer by more than
    the tie tolerance, or unaffordable, the winner wins everywhere in between; and if no project
    is affordable after the last round at `endowment`, none is earlier either.
    """
    prices = prices or _Prices(profile)
    if endowment < reference.endowment:
        return None
    budgets = np.full(profile.num_voters, float(endowment))
    bound = prices.lowest_price.tolist()
    alive = [int(c) for c in np.flatnonzero(profile.votes > 0)]
    rounds: list[Round] = []
    evaluations = 0
    margin = (1 + TOLERANCE) ** 2
    for past in reference.rounds:
        winner = past.project
        evaluations += 1
        priced = prices.price(winner, budgets)
        if priced is None:
            return None
        rho, cap, held = priced
        alive.remove(winner)
        threshold = past.rho * margin
        alive.sort(key=bound.__getitem__)
        dead: list[int] = []
        for project in alive:
            if bound[project] > threshold:
                break
            evaluations += 1
            other = prices.price(project, budgets)
            if other is None:
                dead.append(project)
                continue
            bound[project] = other[0]
            if other[0] <= threshold:
                return None  # a rival could match or beat the winner somewhere in between
        for project in dead:
            alive.remove(project)
        after = held - prices.payments(winner, rho, cap, held)
        np.maximum(after, 0.0, out=after)
        budgets[prices.voters[winner]] = after
        rounds.append(Round(project=winner, rho=rho))
    for project in alive:
        evaluations += 1
        if prices.price(project, budgets) is not None:
            return None  # one more project would be affordable at the upper end
    winners = [r.project for r in rounds]
    return Run(
        endowment=float(endowment),
        winners=winners,
        rounds=rounds,
        total_cost=float(profile.costs[winners].sum()) if winners else 0.0,
        evaluations=evaluations,
        unaffordable_at_end=sorted(alive),
    )
