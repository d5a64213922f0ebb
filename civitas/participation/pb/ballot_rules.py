"""What a valid ballot looks like in one election, and the reason when a ballot is not.

The same check guards a file being imported and, later, a ballot being cast on the web, so a
ballot over budget or over the maximum number of projects is refused before it is stored.
The limits use the Pabulib META keys (`min_length`, `max_length`, `max_sum_cost`, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .errors import BallotRejected
from .model import BallotFormat, format_number, parse_number

LIMIT_KEYS = (
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


@dataclass(frozen=True)
class BallotRules:
    ballot_format: BallotFormat
    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: Fraction | None = None
    max_sum_cost: Fraction | None = None
    min_points: Fraction | None = None
    max_points: Fraction | None = None
    min_sum_points: Fraction | None = None
    max_sum_points: Fraction | None = None

    @classmethod
    def from_meta(
        cls, meta: Mapping[str, str], ballot_format: BallotFormat, budget: Fraction
    ) -> BallotRules:
        """Read the limits from META; raises ValueError naming the key that is not a number."""
        values: dict[str, Fraction | None] = {}
        for key in LIMIT_KEYS:
            text = meta.get(key, "").strip()
            if not text:
                values[key] = None
                continue
            try:
                values[key] = parse_number(text)
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"{key} {text!r} is not a number") from None
        if meta.get("vote_type", "").strip().lower() == "choose-1":
            values["max_length"] = Fraction(1)
        max_sum_cost = values["max_sum_cost"]
        if ballot_format is BallotFormat.KNAPSACK and max_sum_cost is None:
            max_sum_cost = budget  # a knapsack ballot stays within the budget by definition
        return cls(
            ballot_format=ballot_format,
            min_length=_whole(values["min_length"]),
            max_length=_whole(values["max_length"]),
            min_sum_cost=values["min_sum_cost"],
            max_sum_cost=max_sum_cost,
            min_points=values["min_points"],
            max_points=values["max_points"],
            min_sum_points=values["min_sum_points"],
            max_sum_points=values["max_sum_points"],
        )

    def check(
        self,
        projects: Sequence[str],
        points: Sequence[Fraction] | None,
        costs: Mapping[str, Fraction],
    ) -> None:
        """Raise BallotRejected with the reason if the ballot breaks a rule of this election."""
        if len(set(projects)) != len(projects):
            duplicate = next(p for p in projects if projects.count(p) > 1)
            raise BallotRejected(f"project {duplicate} appears more than once")
        unknown = [p for p in projects if p not in costs]
        if unknown:
            raise BallotRejected(f"unknown project {unknown[0]}")
        count = len(projects)
        if self.min_length is not None and count < self.min_length:
            raise BallotRejected(f"{count} project(s) chosen, at least {self.min_length} required")
        if self.max_length is not None and count > self.max_length:
            raise BallotRejected(f"{count} project(s) chosen, at most {self.max_length} allowed")
        total_cost = sum((costs[p] for p in projects), Fraction(0))
        if self.max_sum_cost is not None and total_cost > self.max_sum_cost:
            raise BallotRejected(
                f"the chosen projects cost {format_number(total_cost)}, "
                f"more than the limit of {format_number(self.max_sum_cost)}"
            )
        if self.min_sum_cost is not None and total_cost < self.min_sum_cost:
            raise BallotRejected(
                f"the chosen projects cost {format_number(total_cost)}, "
                f"less than the minimum of {format_number(self.min_sum_cost)}"
            )
        if not self.ballot_format.has_points:
            if points is not None:
                raise BallotRejected(f"{self.ballot_format} ballots carry no points")
            return
        if points is None or len(points) != count:
            raise BallotRejected("each chosen project needs exactly one number of points")
        for project, value in zip(projects, points, strict=True):
            if value < 0:
                raise BallotRejected(f"project {project} has negative points")
            if self.min_points is not None and value < self.min_points:
                raise BallotRejected(
                    f"project {project} has {format_number(value)} point(s), "
                    f"at least {format_number(self.min_points)} required"
                )
            if self.max_points is not None and value > self.max_points:
                raise BallotRejected(
                    f"project {project} has {format_number(value)} point(s), "
                    f"at most {format_number(self.max_points)} allowed"
                )
        total = sum(points, Fraction(0))
        if self.max_sum_points is not None and total > self.max_sum_points:
            raise BallotRejected(
                f"{format_number(total)} points given, "
                f"at most {format_number(self.max_sum_points)} allowed"
            )
        if self.min_sum_points is not None and total < self.min_sum_points:
            raise BallotRejected(
                f"{format_number(total)} points given, "
                f"at least {format_number(self.min_sum_points)} required"
            )


def _whole(value: Fraction | None) -> int | None:
    if value is None:
        return None
    if value.denominator != 1:
        raise ValueError(f"a number of projects must be whole, not {format_number(value)}")
    return int(value)
