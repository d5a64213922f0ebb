"""`civitas opinion-map --votes votes.csv [--comments comments.csv]`: a Polis-style opinion map
as JSON (groups with their members and representative statements, and consensus statements).
Bad input gives one line on standard error and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn, TextIO

from .opinion_map import compute_opinion_map
from .polis_export import OpinionDataError, read_comments, read_votes

PROG = "civitas opinion-map"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Opinion map from a Polis export.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options, shared with the Django management command."""
    parser.add_argument("--votes", required=True, help="votes.csv: comment-id, voter-id, vote")
    parser.add_argument("--comments", help="comments.csv: statement texts and moderation")
    parser.add_argument(
        "--min-votes", type=int, help="votes needed to be on the map (default: 7, as Polis)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    parser.add_argument("--points", action="store_true", help="include every participant's x, y")


def main(
    argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        stderr.write(f"{PROG}: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return run(args, stdout=stdout, stderr=stderr)


def run(args: argparse.Namespace, *, stdout: TextIO, stderr: TextIO) -> int:
    """Compute and print the map for parsed arguments; 2 on bad input."""
    if args.min_votes is not None and args.min_votes < 1:
        stderr.write(f"{PROG}: --min-votes must be at least 1\n")
        return 2
    try:
        votes = read_votes(args.votes)
        comments = read_comments(args.comments) if args.comments else None
        opinion_map = compute_opinion_map(votes, comments, min_votes=args.min_votes, seed=args.seed)
    except OpinionDataError as exc:
        stderr.write(f"{PROG}: {exc}\n")
        return 2
    result = opinion_map.to_dict(comments, points=args.points)
    stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
