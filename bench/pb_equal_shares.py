"""Civitas vs pabutools: the Method of Equal Shares with Add1 on a Warsaw-sized election.

Builds one seeded synthetic approval election shaped like Warsaw 2026 (60,000 voters, 80 projects,
up to 5 approvals per ballot, a 24 M budget, project costs from 50 k to 5 M), then in one run:

  1. Civitas: plain Equal Shares, and Equal Shares with Add1 completion (the target: <= 2 s);
  2. pabutools (the research reference, if installed): plain Equal Shares, and Equal Shares with
     its Add1-style completion (voter_budget_increment=1), each in a child process killed after
     --pabutools-timeout seconds;

and prints both engines' times, their ratio, and whether the plain outcomes agree.

    python bench/pb_equal_shares.py
    python bench/pb_equal_shares.py --pb path/to/Poland_Warszawa_2026.pb   # a real file instead
    python bench/pb_equal_shares.py --pabutools-timeout 600

pabutools is GPL and only ever used here and in optional tests: pip install pabutools
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from civitas.participation.pb import (
    Ballot,
    BallotFormat,
    Election,
    Project,
    RuleSpec,
    read_pb,
    tally,
)


def synthetic_election(voters: int, projects: int, seed: int) -> Election:
    rng = np.random.default_rng(seed)
    costs = np.clip(np.round(rng.lognormal(np.log(450_000), 1.0, projects), -2), 50_000, 5_000_000)
    popularity = rng.lognormal(0.0, 0.9, projects)
    districts = 18  # voters lean towards the projects of their own district
    district_of_project = rng.integers(0, districts, projects)
    district_of_voter = rng.integers(0, districts, voters)
    lengths = rng.choice([1, 2, 3, 4, 5], size=voters, p=[0.12, 0.15, 0.18, 0.2, 0.35])
    ballots = []
    for district in range(districts):
        weights = popularity * np.where(district_of_project == district, 6.0, 1.0)
        weights /= weights.sum()
        for voter in np.flatnonzero(district_of_voter == district):
            chosen = rng.choice(projects, size=lengths[voter], replace=False, p=weights)
            ballots.append((int(voter), tuple(str(p) for p in sorted(chosen))))
    ballots.sort()
    return Election(
        meta={"description": "synthetic, Warsaw-sized", "vote_type": "approval"},
        projects=tuple(Project(str(i), Fraction(int(c))) for i, c in enumerate(costs)),
        ballots=tuple(Ballot(str(v), chosen) for v, chosen in ballots),
        ballot_format=BallotFormat.APPROVAL,
        budget=Fraction(24_000_000),
    )


def cpu() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime


def run_civitas(election: Election, spec: RuleSpec) -> tuple[float, float, list[str], dict]:
    wall, start_cpu = time.perf_counter(), cpu()
    result = tally(election, spec)
    elapsed = time.perf_counter() - wall
    out = result.to_dict(report="none")
    return elapsed, cpu() - start_cpu, sorted(result.selected_ids), out


def _pabutools_child(path_or_election, add1: bool, queue) -> None:  # type: ignore[no-untyped-def]
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
    from pabutools.election import Project as PabuProject
    from pabutools.rules import method_of_equal_shares

    election: Election = path_or_election
    projects = {p.project_id: PabuProject(p.project_id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalProfile(
        [ApprovalBallot(projects[p] for p in b.projects) for b in election.ballots]
    )
    start = time.perf_counter()
    if add1:
        chosen = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
        )
    else:
        chosen = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    queue.put((time.perf_counter() - start, sorted(p.name for p in chosen)))


def run_pabutools(election: Election, add1: bool, timeout: float) -> tuple[float | None, list[str]]:
    context = mp.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_pabutools_child, args=(election, add1, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None, []
    if queue.empty():
        return None, []
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pb", help="tally this .pb file instead of the synthetic election")
    parser.add_argument("--voters", type=int, default=60_000)
    parser.add_argument("--projects", type=int, default=80)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pabutools-timeout", type=float, default=120.0)
    args = parser.parse_args()

    if args.pb:
        election = read_pb(args.pb, check_ballots=False)
        name = Path(args.pb).name
    else:
        election = synthetic_election(args.voters, args.projects, args.seed)
        name = f"synthetic ({args.voters} voters, {args.projects} projects, seed {args.seed})"
    approvals = sum(len(b.projects) for b in election.ballots)
    print(f"election: {name}")
    print(
        f"  {len(election.ballots)} voters, {len(election.projects)} projects, "
        f"{approvals} approvals, budget {int(election.budget):,}"
    )

    plain_s, plain_cpu, plain_sel, _ = run_civitas(election, RuleSpec("mes"))
    add1_s, add1_cpu, add1_sel, add1_out = run_civitas(election, RuleSpec("mes", completion="add1"))
    a = add1_out["add1"]
    print(f"civitas   plain Equal Shares : {plain_s:7.3f} s wall ({plain_cpu:.3f} s CPU)")
    print(
        f"civitas   Equal Shares + Add1: {add1_s:7.3f} s wall ({add1_cpu:.3f} s CPU) -- "
        f"{a['increments_accepted']} increments, {a['equal_shares_runs']} runs, "
        f"endowment {a['start_endowment']:.2f} -> {a['final_endowment']:.2f}, "
        f"{len(add1_sel)} projects, cost {add1_out['total_cost']:,}"
    )
    print(
        f"  target <= 2 s: {'met' if add1_s <= 2 else 'NOT met'} on wall time, "
        f"{'met' if add1_cpu <= 2 else 'NOT met'} on CPU time "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work inflates wall time)"
    )

    try:
        import pabutools  # noqa: F401
    except ImportError:
        print("pabutools is not installed: pip install pabutools  (reference skipped)")
        return
    their_plain, their_plain_sel = run_pabutools(election, False, args.pabutools_timeout)
    if their_plain is None:
        print(f"pabutools plain Equal Shares : > {args.pabutools_timeout:.0f} s (stopped)")
    else:
        agree = "same projects" if their_plain_sel == plain_sel else "DIFFERENT projects"
        print(
            f"pabutools plain Equal Shares : {their_plain:7.3f} s  -> ratio "
            f"{their_plain / plain_s:,.0f}x ({agree})"
        )
    their_add1, their_add1_sel = run_pabutools(election, True, args.pabutools_timeout)
    if their_add1 is None:
        print(
            f"pabutools Equal Shares + Add1: > {args.pabutools_timeout:.0f} s (stopped at the "
            f"timeout) -> ratio > {args.pabutools_timeout / add1_s:,.0f}x"
        )
    else:
        agree = "same projects" if their_add1_sel == add1_sel else "different projects"
        print(
            f"pabutools Equal Shares + Add1: {their_add1:7.3f} s  -> ratio "
            f"{their_add1 / add1_s:,.0f}x ({agree}; its completion is its own variant)"
        )


if __name__ == "__main__":
    main()
