"""Tally an election under a rule specification; the result carries the spec and a report that
lets anyone check every step (see `verify.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .comparison import Comparison, compare_with_greedy
from .completion import Add1Outcome, add1_completion, start_endowment
from .equal_shares import Run, run_equal_shares
from .greedy import GreedyStep, greedy
from .model import Election, json_number
from .profile import Profile, Utility, build_profile
from .spec import Completion, Rule, RuleSpec


@dataclass
class TallyResult:
    spec: RuleSpec
    profile: Profile
    selected: list[int]  # project indices, in the order they were selected
    outcome_from: str  # "equal_shares" or "greedy"
    equal_shares: Run | None = None  # the recorded run behind the outcome (Equal Shares rules)
    add1: Add1Outcome | None = None
    comparison: Comparison | None = None
    greedy_steps: list[GreedyStep] | None = None

    @property
    def selected_ids(self) -> list[str]:
        return [self.profile.project_ids[c] for c in self.selected]

    @property
    def total_cost(self) -> Fraction:
        return self.profile.total_cost(self.selected)

    def to_dict(self, *, report: str = "rounds") -> dict[str, Any]:
        """JSON-ready result. `report`: "none", "rounds" (one line per round) or "full"
        (also every supporter's payment and remaining budget)."""
        p = self.profile
        out: dict[str, Any] = {
            "selected": self.selected_ids,
            "total_cost": json_number(self.total_cost),
            "budget": json_number(p.exact_budget),
            "money_left": json_number(p.exact_budget - self.total_cost),
            "voters": p.num_voters,
            "projects": p.num_projects,
            "outcome_from": self.outcome_from,
            "rule": self.spec.to_dict(),
        }
        if self.equal_shares is not None:
            out["endowment_per_voter"] = self.equal_shares.endowment
        if self.add1 is not None:
            a = self.add1
            out["add1"] = {
                "start_endowment": a.start_endowment,
                "final_endowment": a.run.endowment,
                "increments_accepted": a.steps,
                "equal_shares_runs": a.runs,
                "increments_skipped_by_proof": a.skipped,
                "stopped_because": a.stopped_because,
                "over_budget_endowment": a.over_budget_endowment,
                "over_budget_cost": None
                if a.over_budget_cost is None
                else json_number(a.over_budget_cost),
            }
        if self.comparison is not None:
            c = self.comparison
            out["comparison"] = {
                "greedy_selected": [p.project_ids[i] for i in c.greedy_selected],
                "prefer_equal_shares": c.prefer_equal_shares,
                "prefer_greedy": c.prefer_greedy,
                "indifferent": c.indifferent,
                "kept": "equal_shares" if c.keeps_equal_shares else "greedy",
            }
        if report != "none":
            out["verification"] = self.verification(full=report == "full")
        return out

    def verification(self, *, full: bool) -> dict[str, Any]:
        p = self.profile
        ids = p.project_ids
        voters = p.voter_ids
        report: dict[str, Any] = {}
        run = self.equal_shares
        if run is not None:
            rounds = []
            for number, step in enumerate(run.rounds, start=1):
                assert step.supporters is not None and step.payments is not None
                assert step.budgets_after is not None
                entry: dict[str, Any] = {
                    "round": number,
                    "project": ids[step.project],
                    "cost": json_number(p.exact_costs[step.project]),
                    "rho": step.rho,
                    "supporters": int(step.supporters.size),
                    "paid_all_they_had": int(np.count_nonzero(step.budgets_after <= 0)),
                    "largest_payment": float(step.payments.max()) if step.payments.size else 0.0,
                    "paid_total": float(step.payments.sum()),
                    "tied_with": [ids[c] for c in step.tied],
                }
                if full:
                    entry["payments"] = {
                        voters[v]: float(x)
                        for v, x in zip(
                            step.supporters.tolist(), step.payments.tolist(), strict=True
                        )
                    }
                    entry["budgets_after"] = {
                        voters[v]: float(x)
                        for v, x in zip(
                            step.supporters.tolist(), step.budgets_after.tolist(), strict=True
                        )
                    }
                rounds.append(entry)
            report["equal_shares"] = {
                "endowment_per_voter": run.endowment,
                "budgets_note": "every voter starts with the endowment; a voter's budget changes "
                "only in rounds whose project they support",
                "rounds": rounds,
                "left_unaffordable": [ids[c] for c in run.unaffordable_at_end],
            }
        if self.greedy_steps is not None:
            report["greedy"] = [
                {
                    "project": ids[s.project],
                    "cost": json_number(p.exact_costs[s.project]),
                    "value": s.value,
                    "selected": s.selected,
                    "money_left": json_number(s.money_left),
                }
                for s in self.greedy_steps
            ]
        return report


def tally(election: Election, spec: RuleSpec) -> TallyResult:
    profile = build_profile(election, spec.utility)
    return tally_profile(profile, spec)


def tally_profile(profile: Profile, spec: RuleSpec) -> TallyResult:
    if spec.rule is Rule.GREEDY:
        selected, steps = greedy(profile)
        return TallyResult(spec, profile, selected, "greedy", greedy_steps=steps)

    add1: Add1Outcome | None = None
    if spec.completion is Completion.ADD1:
        add1 = add1_completion(
            profile,
            start=start_endowment(profile, integral=spec.integral_start),
            increment=float(spec.increment),
            exhaustive_stop=spec.exhaustive_stop,
        )
        endowment = add1.run.endowment
    else:
        endowment = start_endowment(profile, integral=False)
    # Recompute the accepted run once with every payment recorded, for the report.
    run = run_equal_shares(profile, endowment, record=True)
    if add1 is not None:
        add1.run = run
    result = TallyResult(spec, profile, list(run.winners), "equal_shares", run, add1)
    if spec.comparison:
        comparison = compare_with_greedy(profile, run.winners)
        result.comparison = comparison
        _, result.greedy_steps = greedy(profile, Utility.COST)
        if not comparison.keeps_equal_shares:
            result.selected = list(comparison.greedy_selected)
            result.outcome_from = "greedy"
    return result
