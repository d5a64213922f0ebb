"""Write an election as a Pabulib `.pb` file that `pabulib_reader` (and Pabulib tools) read back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .model import Ballot, Election, Project, format_number


def format_pb(election: Election) -> str:
    """The text of a `.pb` file for `election`, with `\\n` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in _complete_meta(election).items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    for project in election.projects:
        writer.writerow([_project_field(project, name) for name in election.project_columns])
    writer.writerow(["VOTES"])
    vote_columns = election.vote_columns
    if election.ballot_format.has_points and "points" not in vote_columns:
        vote_columns = (*vote_columns, "points")
    writer.writerow(vote_columns)
    for ballot in election.ballots:
        writer.writerow([_ballot_field(ballot, name) for name in vote_columns])
    return buffer.getvalue()


def write_pb(election: Election, path: str | Path) -> None:
    Path(path).write_text(format_pb(election), encoding="utf-8")


def _complete_meta(election: Election) -> dict[str, str]:
    """META as read, plus the keys a reader needs when the election was built in code."""
    meta = dict(election.meta)
    meta.setdefault("budget", format_number(election.budget))
    if "vote_type" not in meta:
        meta["vote_type"] = (
            "approval" if not election.ballot_format.has_points else str(election.ballot_format)
        )
        if election.ballot_format.value == "knapsack":
            meta.setdefault("max_sum_cost", format_number(election.budget))
    return meta


def _project_field(project: Project, name: str) -> str:
    if name == "project_id":
        return project.project_id
    if name == "cost":
        return format_number(project.cost)
    if name == "name":
        return project.name
    return project.extra.get(name, "")


def _ballot_field(ballot: Ballot, name: str) -> str:
    if name == "voter_id":
        return ballot.voter_id
    if name == "vote":
        return ",".join(ballot.projects)
    if name == "points" and ballot.points is not None:
        return ",".join(format_number(value) for value in ballot.points)
    return ballot.extra.get(name, "")
