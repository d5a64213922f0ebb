"""The full specification of a tally rule, stored with every result so anyone can recompute it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .equal_shares import TOLERANCE
from .errors import TallyError
from .model import format_number
from .profile import Utility

ENGINE = "civitas.participation.pb/1"
TIE_BREAKING = ("most_supporters", "lowest_cost", "earliest_in_file")
TIE_BREAKING_TEXT = (
    "Projects at the same price (Equal Shares) or with the same value (greedy) are ordered by: "
    "more supporters first, then lower cost, then their order in the PROJECTS section of the file."
)


class Rule(StrEnum):
    MES = "mes"  # the Method of Equal Shares
    GREEDY = "greedy"  # greedy by votes


class Completion(StrEnum):
    NONE = "none"
    ADD1 = "add1"


@dataclass(frozen=True)
class RuleSpec:
    rule: Rule
    utility: Utility = Utility.COST
    completion: Completion = Completion.NONE
    exhaustive_stop: bool = False  # Add1 only: stop once the outcome is exhaustive
    comparison: bool = False  # Equal Shares only: compare with greedy afterwards
    increment: Fraction = Fraction(1)  # Add1 only: per-voter step, in currency units
    integral_start: bool = False  # Add1 only: start from the endowment rounded down

    def __post_init__(self) -> None:
        for name, kind, allowed in (
            ("rule", Rule, "mes or greedy"),
            ("utility", Utility, "cost or cardinality"),
            ("completion", Completion, "none or add1"),
        ):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                raise TallyError(f"unknown {name} {value!r} (use {allowed})") from None
        object.__setattr__(self, "increment", Fraction(self.increment))
        if self.rule is Rule.GREEDY and (
            self.completion is not Completion.NONE or self.comparison or self.exhaustive_stop
        ):
            raise TallyError(
                "completion, exhaustive stop and comparison apply to Equal Shares only"
            )
        if self.completion is Completion.NONE and (
            self.exhaustive_stop or self.integral_start or self.increment != 1
        ):
            raise TallyError("exhaustive stop, increment and integral start need --completion add1")
        if self.increment <= 0:
            raise TallyError("the Add1 increment must be positive")

    @property
    def pabulib_rule(self) -> str:
        """The rule's name in a Pabulib file's META `rule` key."""
        if self.rule is Rule.GREEDY:
            return "greedy"
        name = "equalshares"
        if self.completion is Completion.ADD1:
            name += "/add1"
            if self.comparison:
                name += "-comparison"
        elif self.comparison:
            name += "/comparison"
        return name

    @classmethod
    def from_pabulib_rule(cls, rule: str, utility: Utility | str = Utility.COST) -> RuleSpec:
        """The spec for a Pabulib `rule` value we can reproduce, e.g. `equalshares/add1`."""
        known = {
            "greedy": cls(Rule.GREEDY, utility),
            "equalshares": cls(Rule.MES, utility),
            "equalshares/add1": cls(Rule.MES, utility, Completion.ADD1),
            "equalshares/add1-comparison": cls(Rule.MES, utility, Completion.ADD1, comparison=True),
            "equalshares/comparison": cls(Rule.MES, utility, comparison=True),
        }
        try:
            return known[rule.strip().lower()]
        except KeyError:
            raise TallyError(
                f"the file's rule {rule!r} is not one Civitas reproduces "
                f"({', '.join(sorted(known))})"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "engine": ENGINE,
            "rule": str(self.rule),
            "pabulib_rule": self.pabulib_rule,
            "utility": str(self.utility),
            "utility_meaning": _UTILITY_TEXT[self.utility],
            "tie_breaking": list(TIE_BREAKING),
            "tie_breaking_text": TIE_BREAKING_TEXT,
            "numbers": (
                f"floating point; prices within a relative {TOLERANCE:g} of each other are tied, "
                f"a project whose supporters hold its cost minus a relative {TOLERANCE:g} is "
                "affordable; budget checks on costs are exact"
            ),
        }
        if self.rule is Rule.GREEDY:
            spec["definition"] = (
                "Take projects in order of total utility per unit of cost (with cost utility: "
                "by votes); select each one that fits in the money left, skip the others."
            )
            return spec
        spec["definition"] = (
            "Method of Equal Shares: each voter gets an equal share of the budget; in each round "
            "the project with the lowest price rho is selected, where rho is the smallest payment "
            "per unit of utility such that its supporters, each paying min(budget, rho x "
            "utility), cover its cost; stop when no project can be paid for."
        )
        spec["completion"] = str(self.completion)
        if self.completion is Completion.ADD1:
            spec["add1"] = {
                "start_endowment": "floor(budget / voters)"
                if self.integral_start
                else "budget / voters",
                "increment_per_voter": format_number(self.increment),
                "stops_when": "the next endowment's outcome costs more than the budget"
                + ("; or the outcome is exhaustive" if self.exhaustive_stop else ""),
                "exhaustive_stop": self.exhaustive_stop,
            }
        spec["comparison"] = self.comparison
        if self.comparison:
            spec["comparison_rule"] = (
                "compare with greedy by votes; each voter prefers the outcome funding more of "
                "their projects (points); greedy is adopted only if strictly more voters prefer it"
            )
        return spec


_UTILITY_TEXT = {
    Utility.COST: "a supported project is worth its cost to the voter (times their points)",
    Utility.CARDINALITY: "a supported project is worth 1 to the voter (or their points)",
}
