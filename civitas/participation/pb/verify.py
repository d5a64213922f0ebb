"""Check a published Equal Shares report against the ballots, step by step.

Takes the election and the JSON report printed by `civitas pb tally --report full` and replays it
with plain arithmetic, independent of the tally engine: every voter starts with the endowment;
in each round every supporter of the chosen project pays `min(budget, rho x utility)`, the
payments cover the cost, the budgets left are what the report says, and no other project was
cheaper at that moment; after the last round no project is affordable. It returns the problems
found (an empty list means the report checks out).
"""

from __future__ import annotations

from typing import Any

from .model import Election
from .profile import Utility

RELATIVE = 1e-6  # reports print floats; allow for their rounding, not for a different result


def verify_report(election: Election, report: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    try:
        utility = Utility(report["rule"]["utility"])
        mes = report["verification"]["equal_shares"]
        endowment = float(mes["endowment_per_voter"])
        rounds = mes["rounds"]
    except (KeyError, TypeError, ValueError):
        return ["the report has no Equal Shares rounds with payments (use --report full)"]

    costs = {p.project_id: float(p.cost) for p in election.projects}
    utilities: dict[str, dict[str, float]] = {pid: {} for pid in costs}
    for ballot in election.ballots:
        for position, pid in enumerate(ballot.projects):
            points = float(ballot.points[position]) if ballot.points is not None else 1.0
            if points > 0:
                utilities[pid][ballot.voter_id] = points * (
                    costs[pid] if utility is Utility.COST else 1.0
                )
    budgets = {ballot.voter_id: endowment for ballot in election.ballots}
    remaining = {pid for pid in costs if utilities[pid]}

    for entry in rounds:
        number = entry.get("round")
        pid = entry.get("project")
        if pid not in remaining:
            problems.append(f"round {number}: project {pid} is unknown or already selected")
            break
        payments = entry.get("payments")
        after = entry.get("budgets_after")
        if not isinstance(payments, dict) or not isinstance(after, dict):
            return ["the report has no payments per voter (use --report full)"]
        rho = float(entry["rho"])
        supporters = utilities[pid]
        if set(payments) != set(supporters):
            problems.append(f"round {number}: the payers are not exactly the supporters of {pid}")
            break
        for voter, paid in payments.items():
            expected = min(budgets[voter], rho * supporters[voter])
            if not _close(paid, expected, costs[pid]):
                problems.append(
                    f"round {number}: voter {voter} paid {paid}, the rule says {expected}"
                )
                break
        if not _close(sum(payments.values()), costs[pid], costs[pid]):
            problems.append(f"round {number}: payments do not add up to the cost of {pid}")
        cheaper = [
            other
            for other in sorted(remaining - {pid})
            if (price := _price(costs[other], utilities[other], budgets)) is not None
            and price < rho * (1 - RELATIVE)
        ]
        if cheaper:
            problems.append(f"round {number}: {cheaper[0]} was cheaper than {pid}")
        for voter, paid in payments.items():
            budgets[voter] = max(0.0, budgets[voter] - paid)
            if not _close(after.get(voter, -1.0), budgets[voter], endowment):
                problems.append(f"round {number}: the budget left for voter {voter} is wrong")
                break
        remaining.discard(pid)
        if problems:
            break

    if not problems:
        affordable = [
            pid
            for pid in sorted(remaining)
            if _price(costs[pid], utilities[pid], budgets) is not None
        ]
        if affordable:
            problems.append(f"after the last round project {affordable[0]} was still affordable")
    return problems


def _close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= RELATIVE * max(abs(scale), abs(a), abs(b), 1.0)


def _price(cost: float, supporters: dict[str, float], budgets: dict[str, float]) -> float | None:
    """Smallest rho with sum(min(budget, rho x utility)) = cost, or None if unaffordable."""
    if cost <= 0:
        return 0.0
    held = sorted((budgets[v] / u, budgets[v], u) for v, u in supporters.items())
    if sum(b for _, b, _ in held) < cost * (1 - RELATIVE):
        return None
    paid = 0.0
    utility_left = sum(u for _, _, u in held)
    for ratio, budget, u in held:
        rho = (cost - paid) / utility_left
        if rho <= ratio:
            return rho
        paid += budget
        utility_left -= u
    return held[-1][0]
