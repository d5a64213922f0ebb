"""Greedy by votes: the rule most cities use and Pabulib records as `greedy`.

Projects are taken in order of their total utility per unit of cost; each is selected if it still
fits in the money left, otherwise it is skipped and the next one is tried. With cost utilities the
order is simply the number of votes (the points on a cumulative ballot), which is the official
greedy rule; with cardinality utilities it is votes per unit of cost. Ties: `spec.TIE_BREAKING`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .profile import Profile, Utility


@dataclass(frozen=True)
class GreedyStep:
    project: int
    value: float  # votes (or points), per unit of cost under cardinality utility
    selected: bool
    money_left: Fraction  # after this step


def greedy_order(profile: Profile, utility: Utility | None = None) -> list[int]:
    """Projects with supporters, best first."""
    utility = utility or profile.utility
    value = greedy_values(profile, utility)
    candidates = np.flatnonzero(profile.votes > 0)
    order = sorted(candidates.tolist(), key=lambda c: (-value[c], profile.tie_rank[c]))
    return order


def greedy_values(profile: Profile, utility: Utility) -> np.ndarray:
    if utility is Utility.COST:
        return profile.score.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(profile.costs > 0, profile.score / profile.costs, np.inf)


def greedy(profile: Profile, utility: Utility | None = None) -> tuple[list[int], list[GreedyStep]]:
    """(selected projects in order, one step per project considered)."""
    utility = utility or profile.utility
    value = greedy_values(profile, utility)
    left = profile.exact_budget
    selected: list[int] = []
    steps: list[GreedyStep] = []
    for project in greedy_order(profile, utility):
        cost = profile.exact_costs[project]
        fits = cost <= left
        if fits:
            left -= cost
            selected.append(project)
        steps.append(GreedyStep(project, float(value[project]), fits, left))
    return selected, steps
