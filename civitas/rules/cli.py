"""``civitas rules``: evaluate, explain, simulate and test programmes.

    civitas rules evaluate --program DIR --period YYYY-MM --persons FILE
                           --households FILE --variables a,b,c --output OUTDIR
    civitas rules explain  --program DIR --period YYYY-MM --situation FILE.json
    civitas rules simulate --program DIR --baseline VERSION --reform VERSION
                           --period YYYY-MM --population DIR | --persons F --households F
    civitas rules test PATH [PATH ...]

Errors print one line and exit with code 2; failing tests exit with code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn, TextIO

import polars as pl

from civitas.rules.api import explain
from civitas.rules.batch import evaluate_population
from civitas.rules.errors import InputDataError, RulesError, SituationError
from civitas.rules.loader import load_programme
from civitas.rules.model import Programme
from civitas.rules.progress import ProgressBar
from civitas.rules.simulate import simulate
from civitas.rules.yamltests import run_path

PROGRESS_FROM = 200_000  # households: below this a run is too quick to need a bar


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="civitas rules",
        description="Rules as code: evaluate, explain, simulate and test programmes.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ev = sub.add_parser("evaluate", help="compute variables for a population")
    ev.add_argument("--program", required=True, help="programme folder")
    ev.add_argument("--period", required=True, help="YYYY-MM")
    ev.add_argument("--persons", required=True, help="persons table (.parquet or .csv)")
    ev.add_argument("--households", required=True, help="households table (.parquet or .csv)")
    ev.add_argument("--variables", help="comma-separated variables (default: the outputs)")
    ev.add_argument("--output", required=True, help="folder for persons/households.parquet")
    ex = sub.add_parser("explain", help="compute and explain one situation")
    ex.add_argument("--program", required=True)
    ex.add_argument("--period", required=True)
    ex.add_argument("--situation", required=True, help="OpenFisca-style situation JSON")
    ex.add_argument(
        "--variables",
        help="comma-separated variables (default: the nulls in the situation, else the outputs)",
    )
    si = sub.add_parser("simulate", help="compare two versions over a population")
    si.add_argument("--program", help="folder holding the versions (or the baseline itself)")
    si.add_argument("--baseline", help="baseline version: a folder, or a subfolder of --program")
    si.add_argument(
        "--reform", required=True, help="reform version: a folder, or a subfolder of --program"
    )
    si.add_argument("--period", required=True)
    si.add_argument("--population", help="folder with persons and households tables")
    si.add_argument("--persons")
    si.add_argument("--households")
    si.add_argument("--variable", default="amount", help="output compared (default amount)")
    si.add_argument(
        "--income",
        default="income",
        help="ranks households into deciles: a column or household variable (default income)",
    )
    si.add_argument("--region", default="region", help="households column of regions")
    si.add_argument("--output", help="write the report as JSON to this file")
    te = sub.add_parser("test", help="run the YAML tests of programmes")
    te.add_argument("paths", nargs="+", help="programme folders or test files")
    return parser


def main(
    argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "rules":
        args_list = args_list[1:]
    try:
        args = build_parser().parse_args(args_list)
        return {"evaluate": _evaluate, "explain": _explain, "simulate": _simulate, "test": _test}[
            args.command
        ](args, out, err)
    except UsageError as exc:
        err.write(f"{exc}\n")
    except RulesError as exc:
        err.write(f"error: {_one_line(str(exc))}\n")
    except OSError as exc:
        err.write(f"error: {exc.strerror or exc}: {exc.filename or ''}\n".replace(": \n", "\n"))
    except KeyboardInterrupt:
        err.write("interrupted\n")
    return 2


def _one_line(message: str) -> str:
    lines = [line for line in message.splitlines() if line.strip()]
    if len(lines) <= 1:
        return message.strip()
    return (
        f"{lines[0]} (and {len(lines) - 1} more problem{'s' * (len(lines) > 2)}: "
        + "; ".join(lines[1:4])
        + (" ..." if len(lines) > 4 else "")
        + ")"
    )


def read_table(path: str, name: str) -> pl.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise InputDataError(f"{name}: no such file {path}")
    try:
        # One piece per column, so the engine reads the columns without copying them.
        if file.suffix.lower() in (".parquet", ".pq"):
            return pl.read_parquet(file).rechunk()
        if file.suffix.lower() == ".csv":
            return pl.read_csv(file, try_parse_dates=True).rechunk()
    except Exception as exc:
        raise InputDataError(f"{path}: cannot read it: {_one_line(str(exc))}") from None
    raise InputDataError(f"{path}: use a .parquet or .csv file")


def _variables(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [v.strip() for v in text.split(",") if v.strip()]


def _evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    programme = load_programme(args.program)
    persons = read_table(args.persons, "persons")
    households = read_table(args.households, "households")
    bar = ProgressBar("evaluating", err) if households.height >= PROGRESS_FROM else None
    result = evaluate_population(
        programme, args.period, persons, households, _variables(args.variables), progress=bar
    )
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for entity, table in result.tables.items():
        plural = programme.entities[entity].plural
        table.write_parquet(folder / f"{plural}.parquet")
    out.write(
        f"wrote {', '.join(f'{programme.entities[e].plural}.parquet' for e in result.tables)}"
        f" to {folder} ({persons.height} persons, {households.height} households)\n"
    )
    return 0


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    programme = load_programme(args.program)
    path = Path(args.situation)
    try:
        situation = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SituationError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    determination = explain(programme, situation, args.period, _variables(args.variables))
    json.dump(determination.to_dict(), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0


def _version(program: str | None, version: str | None, what: str) -> Programme:
    if version is None:
        if program is None:
            raise InputDataError(f"give --{what} (or --program as the {what})")
        return load_programme(program)
    candidate = Path(program) / version if program else Path(version)
    if not candidate.is_dir() and Path(version).is_dir():
        candidate = Path(version)
    if not candidate.is_dir():
        raise InputDataError(
            f"{what} version {version!r} is not a folder"
            + (f" inside {program}" if program else "")
        )
    return load_programme(candidate)


def _simulate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    baseline = _version(args.program, args.baseline, "baseline")
    reform = _version(args.program, args.reform, "reform")
    persons_path, households_path = args.persons, args.households
    if args.population:
        folder = Path(args.population)
        persons_path = persons_path or _find(folder, "persons")
        households_path = households_path or _find(folder, "households")
    if not persons_path or not households_path:
        raise InputDataError("give --population DIR, or --persons and --households")
    persons = read_table(persons_path, "persons")
    households = read_table(households_path, "households")
    bar = ProgressBar("simulating", err) if households.height >= PROGRESS_FROM else None
    report = simulate(
        baseline,
        reform,
        args.period,
        persons,
        households,
        variable=args.variable,
        income=args.income,
        region=args.region,
        progress=bar,
    )
    data: dict[str, Any] = report.to_dict()
    if args.output:
        Path(args.output).write_text(json.dumps(data, indent=2), encoding="utf-8")
    out.write(_report_text(report.to_dict()))
    return 0


def _find(folder: Path, stem: str) -> str:
    for suffix in (".parquet", ".pq", ".csv"):
        if (folder / f"{stem}{suffix}").is_file():
            return str(folder / f"{stem}{suffix}")
    raise InputDataError(f"{folder}: no {stem}.parquet or {stem}.csv")


def _report_text(r: dict[str, Any]) -> str:
    lines = [
        f"{r['variable']} for {r['period']}: {r['baseline']} -> {r['reform']}",
        f"households: {r['households']}  gain: {r['gainers']}  lose: {r['losers']}  "
        f"unchanged: {r['unchanged']}",
        f"total: {r['baseline_total']:,.2f} -> {r['reform_total']:,.2f} "
        f"(difference {r['difference']:+,.2f})",
        "by income decile (1 = lowest):",
    ]
    for g in r["by_decile"]:
        lines.append(f"  {g['group']:>6}  {g['households']:>8}  {g['difference']:+14,.2f}")
    if r["by_region"]:
        lines.append("by region:")
        for g in r["by_region"]:
            lines.append(f"  {g['group']:>10}  {g['households']:>8}  {g['difference']:+14,.2f}")
    return "\n".join(lines) + "\n"


def _test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    passed = failed = 0
    for path in args.paths:
        for outcome in run_path(path):
            if outcome.passed:
                passed += 1
                continue
            failed += 1
            detail = outcome.error or "; ".join(outcome.failures)
            out.write(f"FAIL {outcome.test.location}: {outcome.test.name}: {detail}\n")
    out.write(f"{passed} passed, {failed} failed\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
