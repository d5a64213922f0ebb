"""An election turned into arrays for tallying: who supports which project, with what utility.

Supporters are stored project by project (a CSR layout: `supporters[ptr[c]:ptr[c+1]]` are the
voters of project `c`) so that a round of Equal Shares gathers one project's voter budgets with
one numpy indexing operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np

from .errors import TallyError
from .model import Election


class Utility(StrEnum):
    """What a selected project is worth to a voter who supports it."""

    COST = "cost"  # the project's cost (times the voter's points on a points ballot)
    CARDINALITY = "cardinality"  # 1 per approved project (the voter's points on a points ballot)


@dataclass(frozen=True, eq=False)
class Profile:
    project_ids: tuple[str, ...]
    voter_ids: tuple[str, ...]
    costs: np.ndarray  # float64, per project
    budget: float
    exact_costs: tuple[Fraction, ...]  # for budget arithmetic that must not round
    exact_budget: Fraction
    utility: Utility
    ptr: np.ndarray  # int64, P + 1 offsets into `supporters`
    supporters: np.ndarray  # int64 voter indices, grouped by project
    # Utility of each (project, supporter) entry; None when it is the same for all supporters
    # of a project (approval ballots), which lets the engine use a faster formula.
    weights: np.ndarray | None
    project_utility: np.ndarray  # float64, per project: the common utility when weights is None
    points: np.ndarray  # float64 per (project, supporter) entry: the points given (1 = approval)
    votes: np.ndarray  # int64, number of supporters per project
    score: np.ndarray  # float64, total points per project (= votes for approval ballots)
    tie_rank: np.ndarray  # int64, 0 = preferred in a tie (see spec.TIE_BREAKING)

    @property
    def num_voters(self) -> int:
        return len(self.voter_ids)

    @property
    def num_projects(self) -> int:
        return len(self.project_ids)

    def supporters_of(self, project: int) -> np.ndarray:
        return self.supporters[self.ptr[project] : self.ptr[project + 1]]

    def cardinal_satisfaction(self, selected: list[int] | tuple[int, ...]) -> np.ndarray:
        """Per voter: approved selected projects (or their points on a points ballot)."""
        satisfaction = np.zeros(self.num_voters)
        for project in selected:
            # A voter supports a project at most once, so plain fancy indexing adds correctly.
            satisfaction[self.supporters_of(project)] += self.points_of(project)
        return satisfaction

    def total_cost(self, selected: list[int] | tuple[int, ...]) -> Fraction:
        return sum((self.exact_costs[c] for c in selected), Fraction(0))

    def points_of(self, project: int) -> np.ndarray:
        """Each supporter's points for `project` (1 on an approval ballot)."""
        return self.points[self.ptr[project] : self.ptr[project + 1]]


def build_profile(election: Election, utility: Utility | str) -> Profile:
    """Arrays for `election` under `utility`; raises TallyError for an unknown utility."""
    try:
        utility = Utility(utility)
    except ValueError:
        raise TallyError(f"unknown utility {utility!r} (use cost or cardinality)") from None
    project_ids = election.project_ids
    index = {project_id: i for i, project_id in enumerate(project_ids)}
    costs = np.array([float(p.cost) for p in election.projects], dtype=np.float64)
    voter_ids = tuple(ballot.voter_id for ballot in election.ballots)

    rows: list[int] = []
    cols: list[int] = []
    points: list[float] = []
    has_points = election.ballot_format.has_points
    for voter, ballot in enumerate(election.ballots):
        for position, project_id in enumerate(ballot.projects):
            value = float(ballot.points[position]) if has_points and ballot.points else 1.0
            if value <= 0:
                continue  # zero points is no support
            rows.append(voter)
            cols.append(index[project_id])
            points.append(value)
    voters = np.array(rows, dtype=np.int64)
    projects = np.array(cols, dtype=np.int64)
    order = np.argsort(projects, kind="stable")
    supporters = voters[order]
    counts = np.bincount(projects, minlength=len(project_ids)).astype(np.int64)
    ptr = np.zeros(len(project_ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    entry_points = np.array(points, dtype=np.float64)[order]
    score = np.bincount(projects, weights=np.array(points), minlength=len(project_ids))

    if has_points:
        entry_projects = projects[order]
        weights: np.ndarray | None = entry_points.copy()
        if utility is Utility.COST:
            weights = weights * costs[entry_projects]
        project_utility = np.zeros(len(project_ids))
    else:
        weights = None
        project_utility = costs.copy() if utility is Utility.COST else np.ones(len(project_ids))

    # Published tie rule: more supporters first, then lower cost, then order in the file.
    position = np.arange(len(project_ids))
    tie_order = np.lexsort((position, costs, -counts))
    tie_rank = np.empty(len(project_ids), dtype=np.int64)
    tie_rank[tie_order] = position

    return Profile(
        project_ids=project_ids,
        voter_ids=voter_ids,
        costs=costs,
        budget=float(election.budget),
        exact_costs=tuple(p.cost for p in election.projects),
        exact_budget=election.budget,
        utility=utility,
        ptr=ptr,
        supporters=supporters,
        weights=weights,
        project_utility=project_utility,
        points=entry_points,
        votes=counts,
        score=score.astype(np.float64),
        tie_rank=tie_rank,
    )
