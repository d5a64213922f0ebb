"""Small elections written in a line, and an exact Equal Shares reference for cross-checks."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from civitas.participation.pb.model import Ballot, BallotFormat, Election, Project

DATA = Path(__file__).resolve().parents[1] / "data"


def election(
    costs: dict[str, int | Fraction],
    ballots: dict[str, list[str] | dict[str, int]],
    budget: int | Fraction,
    ballot_format: BallotFormat = BallotFormat.APPROVAL,
) -> Election:
    """`ballots` maps a voter to the projects they approve, or to {project: points}."""
    made = []
    for voter, choice in ballots.items():
        if isinstance(choice, dict):
            made.append(Ballot(voter, tuple(choice), tuple(Fraction(x) for x in choice.values())))
        else:
            made.append(Ballot(voter, tuple(choice)))
    return Election(
        meta={"budget": str(budget), "vote_type": str(ballot_format)},
        projects=tuple(Project(pid, Fraction(cost)) for pid, cost in costs.items()),
        ballots=tuple(made),
        ballot_format=ballot_format,
        budget=Fraction(budget),
    )


def exact_equal_shares(el: Election, utility: str, endowment: Fraction) -> list[str]:
    """Equal Shares with exact fractions, written for clarity rather than speed: every project's
    price is recomputed in every round. Ties: more supporters, lower cost, file order."""
    order = {p.project_id: i for i, p in enumerate(el.projects)}
    cost = {p.project_id: p.cost for p in el.projects}
    util: dict[str, dict[str, Fraction]] = {pid: {} for pid in cost}
    for b in el.ballots:
        for i, pid in enumerate(b.projects):
            points = b.points[i] if b.points is not None else Fraction(1)
            if points > 0:
                util[pid][b.voter_id] = points * (cost[pid] if utility == "cost" else 1)
    budget = {b.voter_id: Fraction(endowment) for b in el.ballots}
    remaining = [pid for pid in cost if util[pid]]
    winners: list[str] = []
    while True:
        priced = []
        for pid in remaining:
            rho = _exact_price(cost[pid], util[pid], budget)
            if rho is not None:
                priced.append((rho, -len(util[pid]), cost[pid], order[pid], pid))
        if not priced:
            return winners
        rho, *_, pid = min(priced)
        for voter, u in util[pid].items():
            budget[voter] -= min(budget[voter], rho * u)
        winners.append(pid)
        remaining.remove(pid)


def _exact_price(
    cost: Fraction, util: dict[str, Fraction], budget: dict[str, Fraction]
) -> Fraction | None:
    if cost == 0:
        return Fraction(0)
    if sum(budget[v] for v in util) < cost:
        return None
    people = sorted(util, key=lambda v: budget[v] / util[v])
    paid = Fraction(0)
    left = sum(util.values())
    for v in people:
        rho = (cost - paid) / left
        if rho <= budget[v] / util[v]:
            return rho
        paid += budget[v]
        left -= util[v]
    raise AssertionError("affordable but no price found")
