"""`civitas pb ...`: tally, check and verify Pabulib files from the command line.

    civitas pb tally FILE.pb --rule mes|greedy|file --utility cost|cardinality
                     [--completion add1] [--exhaustive-stop] [--comparison]
                     [--increment N] [--integral-endowment] [--report none|rounds|full]
    civitas pb check FILE.pb
    civitas pb verify FILE.pb REPORT.json

Results are JSON on standard output. Bad input gives one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import Any, NoReturn, TextIO

from .errors import PbError
from .model import json_number
from .pabulib_reader import read_pb
from .spec import RuleSpec
from .tally import tally
from .verify import verify_report

PROG = "civitas pb"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Participatory budgeting with Pabulib files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("tally", help="select the winning projects of a .pb file")
    run.add_argument("file", help="a Pabulib .pb file")
    run.add_argument(
        "--rule",
        required=True,
        choices=["mes", "greedy", "file"],
        help="Method of Equal Shares, greedy by votes, or the rule named in the file's META",
    )
    run.add_argument("--utility", choices=["cost", "cardinality"], default="cost")
    run.add_argument("--completion", choices=["none", "add1"], default="none")
    run.add_argument("--exhaustive-stop", action="store_true", help="Add1: stop once exhaustive")
    run.add_argument("--comparison", action="store_true", help="compare with greedy afterwards")
    run.add_argument("--increment", default="1", help="Add1 step per voter (currency units)")
    run.add_argument(
        "--integral-endowment", action="store_true", help="Add1: start from a whole endowment"
    )
    run.add_argument("--report", choices=["none", "rounds", "full"], default="rounds")
    run.add_argument(
        "--lenient-ballots",
        action="store_true",
        help="count ballots that break the file's limits (some official files have a few)",
    )

    check = commands.add_parser("check", help="read a .pb file and report what it holds")
    check.add_argument("file")
    check.add_argument("--lenient-ballots", action="store_true")

    verify = commands.add_parser("verify", help="replay a full tally report against the ballots")
    verify.add_argument("file", help="the .pb file that was tallied")
    verify.add_argument("report", help="the JSON printed by `tally --report full`")
    return parser


def main(
    argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        stderr.write(f"{PROG}: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        result, code = _dispatch(args)
    except PbError as exc:
        stderr.write(f"{PROG}: {exc}\n")
        return 2
    stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return code


def _dispatch(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    if args.command == "tally":
        election = read_pb(args.file, check_ballots=not args.lenient_ballots)
        spec = _spec(args, election.meta.get("rule", ""))
        result = tally(election, spec)
        out = result.to_dict(report=args.report)
        official = election.official_selection()
        if official is not None:
            out["matches_file_selection"] = set(official) == set(result.selected_ids)
        return out, 0
    if args.command == "check":
        election = read_pb(args.file, check_ballots=not args.lenient_ballots)
        return {
            "file": args.file,
            "ballot_format": str(election.ballot_format),
            "budget": json_number(election.budget),
            "projects": len(election.projects),
            "ballots": len(election.ballots),
            "rule_in_file": election.meta.get("rule"),
            "selected_in_file": election.official_selection(),
        }, 0
    election = read_pb(args.file)
    try:
        with open(args.report, encoding="utf-8") as handle:
            report = json.load(handle)
    except OSError as exc:
        raise PbError(f"{args.report}: cannot read the report ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise PbError(f"{args.report}: line {exc.lineno}: not JSON ({exc.msg})") from None
    problems = verify_report(election, report)
    return {"ok": not problems, "problems": problems}, 0 if not problems else 1


def _spec(args: argparse.Namespace, file_rule: str) -> RuleSpec:
    if args.rule == "file":
        if not file_rule:
            raise PbError("--rule file: the file's META has no rule")
        return RuleSpec.from_pabulib_rule(file_rule, args.utility)
    try:
        increment = Fraction(args.increment)
    except (ValueError, ZeroDivisionError):
        raise PbError(f"--increment {args.increment!r} is not a number") from None
    return RuleSpec(
        rule=args.rule,
        utility=args.utility,
        completion=args.completion,
        exhaustive_stop=args.exhaustive_stop,
        comparison=args.comparison,
        increment=increment,
        integral_start=args.integral_endowment,
    )
