"""A participatory-budget election as plain data: the budget, the projects and the ballots.

Amounts (costs, budget, points) are exact fractions so that reading and writing a file never
changes a number; the tally converts them to floating point once, in `profile.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction


class BallotFormat(StrEnum):
    """How a voter expresses preferences."""

    APPROVAL = "approval"  # a set of projects, optionally with a minimum/maximum number
    KNAPSACK = "knapsack"  # a set of projects whose total cost stays within a limit
    CUMULATIVE = "cumulative"  # points spread over projects, within a total
    SCORING = "scoring"  # a score per project, within a per-project range

    @property
    def has_points(self) -> bool:
        return self in (BallotFormat.CUMULATIVE, BallotFormat.SCORING)


@dataclass(frozen=True)
class Project:
    project_id: str
    cost: Fraction
    name: str = ""
    # Every other column of the PROJECTS section, by header name, as written in the file.
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ballot:
    voter_id: str
    projects: tuple[str, ...]
    # One number per project for cumulative and scoring ballots; None for approval ballots.
    points: tuple[Fraction, ...] | None = None
    # Every other column of the VOTES section (age, sex, district, ...), as written.
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Election:
    meta: dict[str, str]
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    ballot_format: BallotFormat
    budget: Fraction
    # Column order of the PROJECTS and VOTES sections, so a file is written back as it was read.
    project_columns: tuple[str, ...] = ("project_id", "cost", "name")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    def project(self, project_id: str) -> Project:
        for project in self.projects:
            if project.project_id == project_id:
                return project
        raise KeyError(project_id)

    @property
    def project_ids(self) -> tuple[str, ...]:
        return tuple(project.project_id for project in self.projects)

    def official_selection(self) -> tuple[str, ...] | None:
        """The winners recorded in the file's `selected` column, if it has one."""
        if "selected" not in self.project_columns:
            return None
        return tuple(
            p.project_id for p in self.projects if p.extra.get("selected", "").strip() == "1"
        )

    def with_selection(self, selected: tuple[str, ...] | list[str]) -> Election:
        """A copy whose `selected` column records `selected` (1) and every other project (0)."""
        chosen = set(selected)
        projects = tuple(
            replace(p, extra={**p.extra, "selected": "1" if p.project_id in chosen else "0"})
            for p in self.projects
        )
        columns = self.project_columns
        if "selected" not in columns:
            columns = (*columns, "selected")
        return replace(self, projects=projects, project_columns=columns)


def parse_number(text: str) -> Fraction:
    """An exact number from a file: `1500`, `1500.50` or the decimal comma `1500,50`."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned or cleaned.lower() in {"nan", "inf", "-inf", "+inf", "infinity"}:
        raise ValueError(f"{text!r} is not a number")
    return Fraction(cleaned)


def format_number(value: Fraction | int | float) -> str:
    """The shortest exact text for a number: `5000`, `1500.5`; other fractions as a decimal."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:  # a terminating decimal: write it exactly
        digits = 0
        scaled = value
        while scaled.denominator != 1:
            scaled *= 10
            digits += 1
        sign = "-" if scaled < 0 else ""
        text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
        return f"{sign}{text[:-digits]}.{text[-digits:]}"
    return repr(float(value))


def json_number(value: Fraction | float | int) -> int | float:
    """A number for JSON output: an int when whole, otherwise a float."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
