"""Reads for the studio: who may do what, the versions one may see, and checks that only read
(validation with the engine, running the test cases)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.http import Http404

from civitas import rules
from civitas.accounts.models import Role
from civitas.programs.models import Program, ProgramVersion
from civitas.studio.models import Simulation, TestCase

CASES_FILE = "tests/studio-cases.yaml"


def may_author(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.POLICY_AUTHOR))


def may_approve(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.APPROVER))


def may_use_studio(user) -> bool:
    return may_author(user) or may_approve(user)


def programmes_for(user):
    if not may_use_studio(user):
        return Program.objects.none()
    return Program.objects.order_by("display_order", "name").prefetch_related("versions")


def version_for(user, version_id: int) -> ProgramVersion:
    """The version, for studio users; the same 404 for one that does not exist and for anyone
    else."""
    if not may_use_studio(user):
        raise Http404("Not found")
    version = (
        ProgramVersion.objects.select_related("program", "studio").filter(pk=version_id).first()
    )
    if version is None:
        raise Http404("Not found")
    return version


def program_for(user, slug: str) -> Program:
    program = programmes_for(user).filter(slug=slug).first()
    if program is None:
        raise Http404("Not found")
    return program


def simulation_for(user, simulation_id: int) -> Simulation:
    if not may_use_studio(user):
        raise Http404("Not found")
    run = Simulation.objects.select_related("version__program").filter(pk=simulation_id).first()
    if run is None:
        raise Http404("Not found")
    return run


def latest_simulation(version: ProgramVersion) -> Simulation | None:
    """The simulation asked for last (whatever its state), with who asked."""
    return version.simulations.select_related("run_by").first()


def authors_of(version: ProgramVersion) -> set[int]:
    return set(version.authors.values_list("user_id", flat=True))


# --- checking with the engine ---------------------------------------------------------------------
@dataclass
class Validation:
    programme: rules.Programme | None
    problems: dict[str, list[str]] = field(default_factory=dict)  # file ("" = general) → lines

    @property
    def ok(self) -> bool:
        return self.programme is not None


def validate_rules(files: dict[str, str], *, name: str = "programme") -> Validation:
    """Load ``files`` with the engine; on failure, its problems grouped by file, each with its
    line (and column)."""
    try:
        return Validation(rules.load_from_mapping(files, default_name=name))
    except rules.ProgrammeError as exc:
        problems: dict[str, list[str]] = {}
        for location, message in exc.problems:
            where = location.file if location is not None else ""
            if where not in files:
                where = next((f for f in files if where.endswith(f)), "") if where else ""
            line = ""
            if location is not None and location.line:
                line = f"line {location.line}" + (
                    f", column {location.column}" if location.column else ""
                )
            problems.setdefault(where, []).append(f"{line}: {message}" if line else message)
        return Validation(None, problems)


def cases_yaml(cases: list[TestCase]) -> str:
    """The test cases in the engine's YAML test format (one file)."""
    items = []
    for case in cases:
        item: dict[str, Any] = {
            "name": case.name,
            "period": case.period,
            "input": yaml.safe_load(case.situation) or {},
            "output": yaml.safe_load(case.expected) or {},
        }
        if case.tolerance:
            item["absolute_error_margin"] = case.tolerance
        items.append(item)
    return yaml.safe_dump(items, sort_keys=False, allow_unicode=True) if items else ""


def files_with_cases(version: ProgramVersion) -> dict[str, str]:
    files = dict(version.rules)
    text = cases_yaml(list(version.cases.all()))
    if text:
        files[CASES_FILE] = text
    return files


@dataclass
class CaseResult:
    name: str
    file: str
    passed: bool
    failures: list[str]
    error: str
    explanation: list[dict] = field(default_factory=list)


@dataclass
class TestReport:
    results: list[CaseResult]
    problems: dict[str, list[str]]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def all_pass(self) -> bool:
        return not self.problems and bool(self.results) and self.failed == 0


def run_tests(version: ProgramVersion) -> TestReport:
    """Every test of the version (its rules folder's tests and the studio's cases), with the
    explanation of each failing case."""
    files = files_with_cases(version)
    checked = validate_rules(files, name=version.program.slug)
    if not checked.ok:
        return TestReport([], checked.problems)
    programme = checked.programme
    results = []
    try:
        tests = rules.programme_tests(programme)
    except rules.RulesError as exc:
        return TestReport([], {CASES_FILE: [str(exc)]})
    for test in tests:
        outcome = rules.run_test(programme, test)
        result = CaseResult(
            name=test.name,
            file=test.file,
            passed=outcome.passed,
            failures=list(outcome.failures),
            error=outcome.error,
        )
        if not outcome.passed:
            result.explanation = _explain(programme, test.body)
        results.append(result)
    return TestReport(results, {})


def _explain(programme: rules.Programme, body: dict) -> list[dict]:
    """The engine's explanation of the expected variables, when the input names a household and
    its persons (the shape the studio's cases use); nothing otherwise."""
    given = body.get("input") or {}
    if not isinstance(given, dict) or "persons" not in given or "household" not in given:
        return []
    situation = {"persons": given["persons"], "households": {"household": given["household"]}}
    names = [n for n in (body.get("output") or {}) if n in programme.variables]
    try:
        determination = rules.explain(programme, situation, str(body.get("period")), names)
    except rules.RulesError as exc:
        return [{"depth": 0, "text": str(exc), "reference": ""}]
    lines: list[dict] = []

    def walk(node: rules.Explanation, depth: int) -> None:
        if len(lines) >= 60 or depth > 4:
            return
        who = f" [{node.entity_id}]" if node.entity_id and node.entity == "person" else ""
        label = f" — {node.label}" if node.label else ""
        lines.append(
            {
                "depth": depth,
                "text": "  " * depth + f"{node.variable}{who} = {node.value}{label}",
                "reference": node.reference or "",
            }
        )
        for child in node.children:
            walk(child, depth + 1)

    for root in determination.explanation:
        walk(root, 0)
    return lines
