"""YAML tests: situations with expected values, in OpenFisca's test format.

Each test has a ``name``, a ``period``, ``input`` and ``output``, and optional
``absolute_error_margin`` / ``relative_error_margin``. Inputs are either plain
(variables at top level, lists meaning several people each living alone) or
structured (``persons`` and ``household``/``households``). Expected values may
be arithmetic written as text (``600 - 200 / 12``). Numbers are compared at
single precision, as OpenFisca's runner does, within the margins (default 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from civitas.rules.errors import (
    ExpressionError,
    Location,
    ProgrammeError,
    RulesError,
    SituationError,
)
from civitas.rules.expressions import Binary, Literal, Node, Unary, parse
from civitas.rules.loader import load_programme, load_programme_from_sources
from civitas.rules.model import Programme
from civitas.rules.openfisca_json import parse_situation
from civitas.rules.periods import Period, parse_period
from civitas.rules.single import SingleRun
from civitas.rules.yamlsource import item_location, load_yaml

TEST_KEYS = {
    "name",
    "description",
    "period",
    "input",
    "output",
    "absolute_error_margin",
    "relative_error_margin",
    "keywords",
    "reforms",
    "extensions",
    "parameters",
}


@dataclass
class YamlTest:
    file: str
    line: int
    name: str
    body: dict[str, Any]

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)


@dataclass
class TestOutcome:
    test: YamlTest
    failures: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.failures and not self.error


def read_tests(text: str, file: str) -> list[YamlTest]:
    doc = load_yaml(text, file)
    if doc is None:
        return []
    items = doc if isinstance(doc, list) else [doc]
    tests = []
    for i, body in enumerate(items):
        line = item_location(file, items, i).line if isinstance(doc, list) else 1
        if not isinstance(body, dict):
            raise SituationError(f"{file}:{line}: a test must be a mapping")
        tests.append(YamlTest(file, line, str(body.get("name", f"test {i + 1}")), body))
    return tests


def programme_tests(programme: Programme, display_root: str = "") -> list[YamlTest]:
    tests: list[YamlTest] = []
    for rel in programme.test_files:
        where = f"{display_root.rstrip('/')}/{rel}" if display_root else rel
        tests.extend(read_tests(programme.sources[rel], where))
    return tests


def run_test(programme: Programme, test: YamlTest) -> TestOutcome:
    outcome = TestOutcome(test)
    try:
        _run(programme, test, outcome)
    except RulesError as exc:
        outcome.error = str(exc)
    return outcome


def _run(programme: Programme, test: YamlTest, outcome: TestOutcome) -> None:
    body = test.body
    unknown = set(body) - TEST_KEYS
    if unknown:
        raise SituationError(f"unknown test keys: {', '.join(sorted(map(str, unknown)))}")
    if body.get("extensions"):
        raise SituationError(
            "extensions are not supported: write the variables in the programme or a reform"
        )
    programme = reformed(programme, body.get("reforms"), body.get("parameters"))
    try:
        period = parse_period(body.get("period"))
    except ValueError as exc:
        raise SituationError(f"test period: {exc}") from None
    situation, count = _situation(programme, body.get("input") or {})
    pop, _ = parse_situation(programme, situation, bare_values_period=period)
    run = SingleRun(programme, pop, tracing=False)
    abs_margin = _margin(body.get("absolute_error_margin"))
    rel_margin = _margin(body.get("relative_error_margin"))
    if abs_margin is None and rel_margin is None:
        abs_margin = 0.0
    output = body.get("output") or {}
    if not isinstance(output, dict):
        raise SituationError("output must map variables (or entities) to expected values")
    for var_name, entity_key, indices, expected in _expectations(
        programme, output, situation, count
    ):
        var = programme.variables[var_name]
        margins = (abs_margin, rel_margin)
        if isinstance(expected, dict):
            for pkey, exp in expected.items():
                try:
                    per = parse_period(pkey)
                except ValueError as exc:
                    raise SituationError(f"{var_name}: {exc}") from None
                _check(run, var, entity_key, indices, _fit(var, per), exp, margins, outcome)
        else:
            _check(run, var, entity_key, indices, _fit(var, period), expected, margins, outcome)


def reformed(programme: Programme, reforms: Any, parameters: Any) -> Programme:
    """``programme`` with the reforms a test names laid over it, in order, then the
    parameters it gives inline. A reform is a folder of the programme (``reforms/<name>``
    with ``variables/`` and ``parameters/``); inline parameters are a tree from the root,
    as in a parameters folder. Each combination is loaded and checked once."""
    if not reforms and not parameters:
        return programme
    names = reforms if isinstance(reforms, list) else [reforms] if reforms else []
    overlay: dict[str, str] = {}
    for name in names:
        prefix = str(name).strip().strip("/") + "/"
        files = {
            rel[len(prefix) :]: text
            for rel, text in programme.sources.items()
            if rel.startswith(prefix)
        }
        if not files:
            raise SituationError(
                f"reform {name!r}: no such folder in the programme (write a reform as a "
                "folder of the programme, e.g. reforms/<name>/ with variables/ and parameters/)"
            )
        overlay.update(files)
    if parameters:
        if not isinstance(parameters, dict):
            raise SituationError("parameters must be a tree of parameters, as in parameters/")
        for key, node in parameters.items():
            overlay[f"parameters/{key}.yaml"] = yaml.safe_dump(_plain(node), sort_keys=False)
    cache = programme._cache.setdefault("reformed", {})
    key = tuple(sorted(overlay.items()))
    found = cache.get(key)
    if found is None:
        try:
            found = cache[key] = load_programme_from_sources(
                programme.sources, default_name=programme.name, reform=overlay
            )
        except ProgrammeError as exc:
            raise SituationError(f"the reformed programme does not load: {exc}") from None
    return found


def _plain(value: Any) -> Any:
    """Parsed YAML as plain dicts and lists, for writing it out again."""
    if isinstance(value, dict):
        return {(str(k) if not isinstance(k, date) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _margin(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SituationError(f"error margins are numbers, not {value!r}")
    return float(value)


def _fit(var: Any, per: Period) -> Period:
    if var.period_unit == "eternity":
        return parse_period("ETERNITY")
    if var.period_unit != per.unit:
        raise SituationError(
            f"{var.name} is defined by {var.period_unit}; expected values "
            f"for it need a {var.period_unit} period, not {per}"
        )
    return per


def _situation(programme: Programme, spec: Any) -> tuple[dict[str, Any], int]:
    """An OpenFisca-style situation from a test's input, and the count of plain instances."""
    if not isinstance(spec, dict):
        raise SituationError("input must be a mapping")
    person = programme.person_entity
    groups = programme.group_entities
    entity_words = {person.plural} | {g.key for g in groups} | {g.plural for g in groups}
    if any(k in entity_words for k in spec):
        situation: dict[str, Any] = {}
        for key, value in spec.items():
            group = next((g for g in groups if g.key == key), None)
            if group is not None:
                situation[group.plural] = {"_": value}
            elif key in entity_words:
                situation[key] = value
            else:
                raise SituationError(
                    f"input mixes entities and the variable {key!r}; put it "
                    "under its person or group"
                )
        if person.plural not in situation:
            raise SituationError(f"a structured input needs {person.plural}")
        return situation, 0
    lengths = {len(v) for v in spec.values() if isinstance(v, list)}
    if len(lengths) > 1:
        raise SituationError("lists of input values must all have the same length")
    count = lengths.pop() if lengths else 1
    persons: dict[str, dict[str, Any]] = {f"p{i}": {} for i in range(count)}
    grouped: dict[str, dict[str, dict[str, Any]]] = {
        g.plural: {f"g{i}": {g.roles[0].plural: [f"p{i}"]} for i in range(count)} for g in groups
    }
    for name, value in spec.items():
        var = programme.variables.get(name)
        if var is None:
            raise SituationError(f"input: unknown variable {name!r}")
        for i in range(count):
            item = value[i] if isinstance(value, list) else value
            if var.entity == person.key:
                persons[f"p{i}"][name] = item
            else:
                plural = programme.entities[var.entity].plural
                grouped[plural][f"g{i}"][name] = item
    return {person.plural: persons, **grouped}, count


def _expectations(
    programme: Programme, output: dict[str, Any], situation: dict[str, Any], count: int
):
    """(variable, entity, instance indices, expected) for each expected value."""
    person = programme.person_entity
    groups = programme.group_entities
    for key, value in output.items():
        group = next((g for g in groups if key in (g.key, g.plural)), None)
        if key == person.plural or group is not None:
            plural = person.plural if group is None else group.plural
            entity_key = person.key if group is None else group.key
            ids = [str(k) for k in situation.get(plural, {})]
            instances = {"_": value} if group is not None and key == group.key else value
            if not isinstance(instances, dict):
                raise SituationError(f"output.{key} must map ids to expected values")
            for ident, expected_vars in instances.items():
                if str(ident) not in ids:
                    raise SituationError(f"output.{key}: {ident!r} is not in the input")
                index = ids.index(str(ident))
                for var_name, expected in (expected_vars or {}).items():
                    _known(programme, var_name, entity_key)
                    yield var_name, entity_key, [index], expected
            continue
        var = programme.variables.get(key)
        if var is None:
            raise SituationError(f"output: unknown variable {key!r}")
        n = count or len(situation.get(programme.entities[var.entity].plural, {})) or 1
        yield key, var.entity, list(range(n)), value


def _known(programme: Programme, name: str, entity: str) -> None:
    var = programme.variables.get(name)
    if var is None:
        raise SituationError(f"output: unknown variable {name!r}")
    if var.entity != entity:
        raise SituationError(f"output: {name} is a {var.entity} variable, not a {entity} one")


def _check(
    run: SingleRun,
    var: Any,
    entity: str,
    indices: list[int],
    per: Period,
    expected: Any,
    margins: tuple[float | None, float | None],
    outcome: TestOutcome,
) -> None:
    if isinstance(expected, list):
        if len(expected) != len(indices):
            outcome.failures.append(
                f"{var.name}@{per}: {len(expected)} expected values for "
                f"{len(indices)} {entity} instances"
            )
            return
        pairs = list(zip(indices, expected, strict=True))
    else:
        pairs = [(i, expected) for i in indices]
    for index, exp in pairs:
        actual = run.get(var.name, index, per)
        who = run.pop.ids[entity][index]
        problem = _compare(actual, exp, var, margins)
        if problem:
            outcome.failures.append(f"{var.name}@{per} for {who}: {problem}")


def _compare(
    actual: Any, expected: Any, var: Any, margins: tuple[float | None, float | None]
) -> str:
    kind = var.value_type.kind
    if kind in ("enum", "str"):
        return "" if str(actual) == str(expected) else f"got {actual!r}, expected {expected!r}"
    if kind == "date":
        exp = expected if isinstance(expected, date) else date.fromisoformat(str(expected))
        return "" if actual == exp else f"got {actual}, expected {exp}"
    if kind == "bool":
        exp_b = expected if isinstance(expected, bool) else bool(expected_number(expected))
        return "" if bool(actual) == exp_b else f"got {actual}, expected {exp_b}"
    exp_n = expected_number(expected)
    a32, e32 = np.float32(actual), np.float32(exp_n)
    diff = float(abs(np.float32(a32 - e32)))
    abs_m, rel_m = margins
    if abs_m is not None and diff > abs_m:
        return f"got {float(a32)}, expected {float(e32)} (difference {diff:g} > {abs_m:g})"
    if rel_m is not None and diff > abs(rel_m * float(e32)):
        return f"got {float(a32)}, expected {float(e32)} (relative margin {rel_m:g} exceeded)"
    return ""


def expected_number(value: Any) -> float:
    """An expected number, or arithmetic on numbers written as text (never Python eval)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return _arith(parse(value))
        except ExpressionError as exc:
            raise SituationError(f"expected value {value!r}: {exc.message}") from None
    raise SituationError(f"expected value {value!r} is not a number")


def _arith(node: Node) -> float:
    if isinstance(node, Literal) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, Unary) and node.op == "-":
        return -_arith(node.operand)
    if isinstance(node, Binary) and node.op in "+-*/":
        a, b = _arith(node.left), _arith(node.right)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else float("nan")}[node.op]
    raise ExpressionError("only numbers and + - * / are allowed in an expected value", node.offset)


def run_path(path: str | Path) -> list[TestOutcome]:
    """Run the tests of a programme folder, of every programme below a folder, or of one
    test file inside a programme."""
    target = Path(path)
    if target.is_file():
        root = target.parent
        while root != root.parent and not (root / "programme.yaml").exists():
            root = root.parent
        if not (root / "programme.yaml").exists():
            root = target.parent.parent
        programme = load_programme(root)
        tests = read_tests(target.read_text(encoding="utf-8"), str(target))
        return [run_test(programme, t) for t in tests]
    if not target.is_dir():
        raise SituationError(f"{target}: no such file or folder")
    if (target / "programme.yaml").exists() or (target / "variables").is_dir():
        programme = load_programme(target)
        return [run_test(programme, t) for t in programme_tests(programme, str(target))]
    roots = sorted(p.parent for p in target.rglob("programme.yaml"))
    if not roots:
        raise SituationError(f"{target}: no programme.yaml in this folder or below")
    outcomes: list[TestOutcome] = []
    for root in roots:
        outcomes.extend(run_path(root))
    return outcomes
