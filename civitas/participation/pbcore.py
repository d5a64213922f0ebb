"""The one place the web side meets the participatory-budgeting algorithm core (``pb/``).

The core is pure: elections in, outcomes and verification reports out. This module turns a
budget's settings into the core's rule specification and the core's result into what a
``TallyResult`` stores, so the rest of the app depends on a handful of names only.
"""

from __future__ import annotations

from dataclasses import dataclass

from civitas.participation.pb import (
    BallotRules,
    Election,
    PabulibFormatError,
    RuleSpec,
    TallyError,
    format_pb,
    parse_pb,
)
from civitas.participation.pb import tally as core_tally

__all__ = [
    "Outcome",
    "PabulibFormatError",
    "TallyError",
    "ballot_rules",
    "format_pb",
    "parse_pb",
    "rule_from_meta",
    "run",
    "spec_for",
]


@dataclass(frozen=True)
class Outcome:
    selected: list[str]  # project ids in the order the rule selected them
    scores: dict[str, float]  # votes (or points) per project
    report: dict  # the core's result with its step-by-step verification report, as JSON


def spec_for(
    *, rule: str, utility: str, completion: str, exhaustive_stop: bool, comparison: bool
) -> RuleSpec:
    """The core's rule specification; raises ``TallyError`` for a combination that makes no
    sense (e.g. a completion method with the greedy rule)."""
    return RuleSpec(
        rule=rule,
        utility=utility,
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        comparison=comparison,
    )


def ballot_rules(election: Election) -> BallotRules:
    return BallotRules.from_meta(election.meta, election.ballot_format, election.budget)


def rule_from_meta(meta: dict[str, str]) -> dict:
    """Budget settings from a Pabulib ``rule`` key (``equalshares/add1-comparison``, …); a file
    without a rule the core reproduces is counted by greedy until staff change it."""
    try:
        spec = RuleSpec.from_pabulib_rule(meta.get("rule", "greedy") or "greedy")
    except TallyError:
        spec = RuleSpec(rule="greedy")
    return {
        "rule": str(spec.rule),
        "utility": str(spec.utility),
        "completion": str(spec.completion),
        "exhaustive_stop": spec.exhaustive_stop,
        "comparison": spec.comparison,
    }


def run(election: Election, spec: RuleSpec) -> Outcome:
    """Count ``election``; the report has one line per round (the per-voter payments can be
    recomputed by anyone from the published ballots with ``civitas pb tally --report full``)."""
    result = core_tally(election, spec)
    profile = result.profile
    scores = {
        project_id: float(profile.score[i]) for i, project_id in enumerate(profile.project_ids)
    }
    return Outcome(
        selected=list(result.selected_ids),
        scores=scores,
        report=result.to_dict(report="rounds"),
    )
