"""Read a Pabulib `.pb` file: three `;`-separated sections META, PROJECTS and VOTES.

Format: https://pabulib.org/format. A file that does not follow it is refused with a
PabulibFormatError naming the line and the section, never a stack trace.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .ballot_rules import BallotRules
from .errors import BallotRejected, PabulibFormatError
from .model import Ballot, BallotFormat, Election, Project, parse_number

SECTIONS = ("META", "PROJECTS", "VOTES")
# Pabulib vote_type values we tally; `choose-1` is an approval ballot with one project.
VOTE_TYPES = {
    "approval": BallotFormat.APPROVAL,
    "choose-1": BallotFormat.APPROVAL,
    "knapsack": BallotFormat.KNAPSACK,
    "cumulative": BallotFormat.CUMULATIVE,
    "scoring": BallotFormat.SCORING,
}


@dataclass
class _Row:
    line: int
    fields: list[str]


@dataclass
class _Section:
    name: str
    line: int
    header: _Row | None = None
    rows: list[_Row] | None = None


def read_pb(path: str | Path, *, check_ballots: bool = True) -> Election:
    """Read and check a `.pb` file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PabulibFormatError(
            f"cannot read the file ({exc.strerror})", line=None, section=None, source=str(path)
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PabulibFormatError(
            "the file is not UTF-8 text", line=line, section=None, source=str(path)
        ) from None
    return parse_pb(text, source=str(path), check_ballots=check_ballots)


def parse_pb(text: str, *, source: str = "", check_ballots: bool = True) -> Election:
    """Parse the text of a `.pb` file. `check_ballots` applies the election's ballot limits."""
    sections = _split_sections(text.removeprefix("\ufeff"), source)
    meta, meta_lines = _read_meta(sections["META"], source)

    def fail(message: str, row_line: int | None, section: str) -> PabulibFormatError:
        return PabulibFormatError(message, line=row_line, section=section, source=source)

    vote_type = meta.get("vote_type", "").strip().lower()
    if not vote_type:
        raise fail("the key vote_type is missing", sections["META"].line, "META")
    if vote_type not in VOTE_TYPES:
        supported = ", ".join(sorted(VOTE_TYPES))
        raise fail(
            f"vote_type {vote_type!r} is not supported (supported: {supported})",
            meta_lines["vote_type"],
            "META",
        )
    ballot_format = VOTE_TYPES[vote_type]
    if ballot_format is BallotFormat.APPROVAL and meta.get("max_sum_cost", "").strip():
        ballot_format = BallotFormat.KNAPSACK  # approval within a cost limit: a knapsack ballot
    if "budget" not in meta:
        raise fail("the key budget is missing", sections["META"].line, "META")
    try:
        budget = parse_number(meta["budget"])
    except (ValueError, ZeroDivisionError):
        raise fail(
            f"budget {meta['budget']!r} is not a number", meta_lines["budget"], "META"
        ) from None
    if budget < 0:
        raise fail("the budget is negative", meta_lines["budget"], "META")
    try:
        rules = BallotRules.from_meta(meta, ballot_format, budget)
    except ValueError as exc:
        key = str(exc).split(" ", 1)[0]
        raise fail(str(exc), meta_lines.get(key), "META") from None

    projects, project_columns = _read_projects(sections["PROJECTS"], source)
    costs = {p.project_id: p.cost for p in projects}
    ballots, vote_columns = _read_votes(
        sections["VOTES"], ballot_format, costs, rules if check_ballots else None, source
    )

    for key, actual in (("num_projects", len(projects)), ("num_votes", len(ballots))):
        declared = meta.get(key, "").strip()
        if declared and declared != str(actual):
            raise fail(f"{key} says {declared} but the file has {actual}", meta_lines[key], "META")
    return Election(
        meta=meta,
        projects=tuple(projects),
        ballots=tuple(ballots),
        ballot_format=ballot_format,
        budget=budget,
        project_columns=tuple(project_columns),
        vote_columns=tuple(vote_columns),
    )


def _records(text: str, source: str) -> Iterator[_Row]:
    """Rows with the line each starts on (a quoted field may span lines); blank rows skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    previous_end = 0
    try:
        for fields in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(field.strip() for field in fields):
                yield _Row(start, fields)
    except csv.Error as exc:
        raise PabulibFormatError(
            f"unreadable row ({exc})", line=reader.line_num, section=None, source=source
        ) from None


def _section_marker(row: _Row) -> str | None:
    name = row.fields[0].strip().upper()
    if name in SECTIONS and not any(field.strip() for field in row.fields[1:]):
        return name
    return None


def _split_sections(text: str, source: str) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    last_line = 0
    for row in _records(text, source):
        last_line = row.line
        marker = _section_marker(row)
        if marker is not None:
            expected = SECTIONS[len(sections)] if len(sections) < len(SECTIONS) else None
            if marker in sections:
                raise PabulibFormatError(
                    f"the section {marker} appears a second time",
                    line=row.line,
                    section=marker,
                    source=source,
                )
            if marker != expected:
                raise PabulibFormatError(
                    f"the section {marker} comes before {expected}; "
                    "the order is META, PROJECTS, VOTES",
                    line=row.line,
                    section=marker,
                    source=source,
                )
            current = _Section(marker, row.line, rows=[])
            sections[marker] = current
            continue
        if current is None:
            raise PabulibFormatError(
                "the file must start with the line META", line=row.line, section=None, source=source
            )
        if current.header is None:
            current.header = _Row(row.line, [f.strip().lower() for f in row.fields])
        else:
            assert current.rows is not None
            current.rows.append(row)
    for name in SECTIONS:
        if name not in sections:
            raise PabulibFormatError(
                f"the file ends without a {name} section",
                line=last_line or None,
                section=name,
                source=source,
            )
        if sections[name].header is None:
            raise PabulibFormatError(
                "the section has no header row",
                line=sections[name].line,
                section=name,
                source=source,
            )
    return sections


def _read_meta(section: _Section, source: str) -> tuple[dict[str, str], dict[str, int]]:
    assert section.header is not None and section.rows is not None
    header = [f for f in section.header.fields if f]
    if header != ["key", "value"]:
        raise PabulibFormatError(
            "the META header must be key;value",
            line=section.header.line,
            section="META",
            source=source,
        )
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row in section.rows:
        fields = row.fields
        if len(fields) > 2 and any(f.strip() for f in fields[2:]):
            raise PabulibFormatError(
                f"a META row has two fields (key;value), this one has {len(fields)}",
                line=row.line,
                section="META",
                source=source,
            )
        key = fields[0].strip()
        if not key:
            raise PabulibFormatError(
                "a META row has an empty key", line=row.line, section="META", source=source
            )
        if key in meta:
            raise PabulibFormatError(
                f"the key {key} appears twice", line=row.line, section="META", source=source
            )
        meta[key] = fields[1].strip() if len(fields) > 1 else ""
        lines[key] = row.line
    return meta, lines


def _checked_header(section: _Section, required: tuple[str, ...], source: str) -> list[str]:
    assert section.header is not None
    header = list(section.header.fields)
    while header and not header[-1]:
        header.pop()
    for name in required:
        if name not in header:
            raise PabulibFormatError(
                f"the header has no {name} column",
                line=section.header.line,
                section=section.name,
                source=source,
            )
    if len(set(header)) != len(header) or "" in header:
        raise PabulibFormatError(
            "the header has an empty or repeated column name",
            line=section.header.line,
            section=section.name,
            source=source,
        )
    return header


def _row_values(row: _Row, header: list[str], section: str, source: str) -> dict[str, str]:
    fields = row.fields
    if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
        fields = fields[: len(header)]  # trailing empty fields are harmless
    if len(fields) != len(header):
        raise PabulibFormatError(
            f"expected {len(header)} fields like the header, found {len(fields)}",
            line=row.line,
            section=section,
            source=source,
        )
    return {name: value.strip() for name, value in zip(header, fields, strict=True)}


def _read_projects(section: _Section, source: str) -> tuple[list[Project], list[str]]:
    assert section.rows is not None
    header = _checked_header(section, ("project_id", "cost"), source)
    projects: list[Project] = []
    seen: set[str] = set()
    for row in section.rows:
        values = _row_values(row, header, "PROJECTS", source)
        project_id = values.pop("project_id")

        def fail(message: str, line: int = row.line) -> PabulibFormatError:
            return PabulibFormatError(message, line=line, section="PROJECTS", source=source)

        if not project_id:
            raise fail("a project has an empty project_id")
        if "," in project_id:
            raise fail(f"project_id {project_id!r} contains a comma, which separates votes")
        if project_id in seen:
            raise fail(f"project {project_id} appears twice")
        seen.add(project_id)
        text = values.pop("cost")
        try:
            cost = parse_number(text)
        except (ValueError, ZeroDivisionError):
            raise fail(f"cost {text!r} of project {project_id} is not a number") from None
        if cost < 0:
            raise fail(f"cost of project {project_id} is negative")
        name = values.pop("name", "")
        projects.append(Project(project_id=project_id, cost=cost, name=name, extra=values))
    return projects, header


def _split_list(text: str) -> list[str]:
    return [] if not text.strip() else [item.strip() for item in text.split(",")]


def _read_votes(
    section: _Section,
    ballot_format: BallotFormat,
    costs: dict[str, Fraction],
    rules: BallotRules | None,
    source: str,
) -> tuple[list[Ballot], list[str]]:
    assert section.rows is not None
    required = ("voter_id", "vote", "points") if ballot_format.has_points else ("voter_id", "vote")
    header = _checked_header(section, required, source)
    ballots: list[Ballot] = []
    seen: set[str] = set()
    for row in section.rows:
        values = _row_values(row, header, "VOTES", source)

        def fail(message: str, line: int = row.line) -> PabulibFormatError:
            return PabulibFormatError(message, line=line, section="VOTES", source=source)

        voter_id = values.pop("voter_id")
        if not voter_id:
            raise fail("a ballot has an empty voter_id")
        if voter_id in seen:
            raise fail(f"voter {voter_id} has a second ballot")
        seen.add(voter_id)
        projects = _split_list(values.pop("vote"))
        if "" in projects:
            raise fail(f"the vote of voter {voter_id} has an empty project id")
        for project_id in projects:
            if project_id not in costs:
                raise fail(f"voter {voter_id} voted for unknown project {project_id}")
        if len(set(projects)) != len(projects):
            raise fail(f"voter {voter_id} lists a project more than once")
        points: tuple[Fraction, ...] | None = None
        points_text = values.pop("points", None)
        if ballot_format.has_points:
            items = _split_list(points_text or "")
            if len(items) != len(projects):
                raise fail(
                    f"voter {voter_id} lists {len(projects)} project(s) "
                    f"but {len(items)} number(s) of points"
                )
            try:
                points = tuple(parse_number(item) for item in items)
            except (ValueError, ZeroDivisionError):
                raise fail(f"the points of voter {voter_id} are not all numbers") from None
        elif points_text is not None:
            values["points"] = points_text  # an approval file may carry an unused column
        if rules is not None:
            try:
                rules.check(projects, points, costs)
            except BallotRejected as exc:
                raise fail(f"the ballot of voter {voter_id} is not valid: {exc}") from None
        ballots.append(
            Ballot(voter_id=voter_id, projects=tuple(projects), points=points, extra=values)
        )
    return ballots, header
