"""pabutools (the research reference, GPL, optional test extra) agrees with us on random
elections. Skipped when pabutools is not installed; it is never a runtime dependency."""

from __future__ import annotations

import random

import pytest

from civitas.participation.pb import RuleSpec, tally

from .builders import election

pabutools = pytest.importorskip("pabutools")


def _theirs(el, rule: str, utility: str) -> set[str]:
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        Cardinality_Sat,
        Cost_Sat,
        Instance,
        Project,
    )
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    projects = {p.project_id: Project(p.project_id, p.cost) for p in el.projects}
    instance = Instance(projects.values(), budget_limit=el.budget)
    profile = ApprovalProfile([ApprovalBallot(projects[p] for p in b.projects) for b in el.ballots])
    sat = Cost_Sat if utility == "cost" else Cardinality_Sat
    position = {p.project_id: i for i, p in enumerate(el.projects)}
    # Our published tie rule: more supporters, then lower cost, then order in the file.
    ours = TieBreakingRule(
        lambda inst, prof, proj: (-prof.approval_score(proj), proj.cost, position[proj.name])
    )
    if rule == "mes":
        chosen = method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=ours)
    else:
        chosen = greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=ours)
    return {p.name for p in chosen}


@pytest.mark.parametrize("rule", ["mes", "greedy"])
@pytest.mark.parametrize("utility", ["cost", "cardinality"])
def test_pabutools_selects_the_same_projects(rule, utility):
    rng = random.Random(99)
    for _ in range(30):
        costs = dict(zip([f"p{i}" for i in range(7)], rng.sample(range(50, 900), 7), strict=True))
        ballots = {
            f"v{v}": rng.sample(sorted(costs), rng.randint(1, 4)) for v in range(rng.randint(5, 15))
        }
        el = election(costs, ballots, rng.randint(600, 2000))
        ours = set(tally(el, RuleSpec(rule, utility)).selected_ids)
        # pabutools' greedy also fills leftover money with projects nobody voted for; we never
        # select those. They come last in its order, so dropping them changes nothing else.
        supported = {p for b in el.ballots for p in b.projects}
        assert ours == _theirs(el, rule, utility) & supported, el
