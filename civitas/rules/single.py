"""The single-situation evaluator: values plus an explanation tree.

Formulas are compiled once (per programme) into nested Python closures over
the checked syntax tree — no ``eval`` — and run lazily: a variable is computed
when first needed, for one entity instance and one period, and cached. While
explaining, each computed value records the values, parameters and conditions
it was worked out from.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from civitas.rules.errors import EvaluationError
from civitas.rules.explanation import COMPUTATION, CONDITION, INPUT, Explanation
from civitas.rules.expressions import (
    Binary,
    BoolOp,
    Call,
    IfElse,
    InList,
    Literal,
    Name,
    Node,
    Unary,
)
from civitas.rules.model import BOOL, FLOAT, INT, Programme, Variable
from civitas.rules.parameters import ResolvedParameters, resolve
from civitas.rules.periods import ETERNAL, ETERNITY, MONTH, YEAR, Period
from civitas.rules.scales import scale_scalar

Fn = Callable[["SingleRun", int, Period, ResolvedParameters], Any]
MISSING = object()
_LEAF: tuple[()] = ()  # children of a value that was given, shared to save allocations
_CMP = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass
class SinglePopulation:
    """One situation: entity instances, group membership and the given inputs.

    ``inputs[variable][index]`` is either a constant (same value for every period)
    or a dict ``{Period: value}``.
    """

    ids: dict[str, list[str]]
    group_of: dict[str, list[int]]
    role_of: dict[str, list[str]]
    members: dict[str, list[list[int]]]
    inputs: dict[str, dict[int, Any]] = field(default_factory=dict)


def divide(a: Any, b: Any) -> float:
    """IEEE division, as numpy does it: x/0 is ±inf and 0/0 is nan, never an exception."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def round_half_away(x: float, digits: int = 0) -> float:
    if not math.isfinite(x):
        return float(x)
    factor = 10.0**digits
    shifted = abs(x) * factor + 0.5
    if not math.isfinite(shifted):
        return math.copysign(shifted / factor, x)
    return math.copysign(math.floor(shifted) / factor, x)


def floor_(x: float) -> float:
    return float(math.floor(x)) if math.isfinite(x) else float(x)


def ceil_(x: float) -> float:
    return float(math.ceil(x)) if math.isfinite(x) else float(x)


def max2(a: Any, b: Any) -> Any:
    """Like numpy's maximum: a NaN on either side gives NaN."""
    if a >= b:
        return a
    if b > a:
        return b
    return a + b


def min2(a: Any, b: Any) -> Any:
    if a <= b:
        return a
    if b < a:
        return b
    return a + b


def years_between(a: date, b: date) -> int:
    return b.year - a.year - ((b.month, b.day) < (a.month, a.day))


def months_between(a: date, b: date) -> int:
    return (b.year * 12 + b.month) - (a.year * 12 + a.month) - (b.day < a.day)


class _Plan:
    """How to get one variable at one period: input lookup, then formula or default.
    Built once per programme, variable and period, shared by every run."""

    __slots__ = (
        "cast",
        "fn",
        "formula",
        "is_float",
        "kind",
        "params",
        "traced_fn",
        "var",
        "version",
    )

    def __init__(self, programme: Programme, var: Variable, per: Period) -> None:
        self.var = var
        self.version = var.formula_at(per.start) if var.formulas else None
        self.params = None
        self.fn: Fn | None = None
        self.traced_fn: Fn | None = None
        self.formula = ""
        if self.version is not None:
            # Resolving here makes a missing parameter fail even when the formula's
            # branches would not read it, exactly as the vectorised evaluator does.
            self.params = resolve(programme, var, self.version, per.start)
            self.fn = compiled_formulas(programme, traced=False)[id(self.version)]
            self.traced_fn = compiled_formulas(programme, traced=True)[id(self.version)]
            self.formula = self.version.source.strip()
        kind = var.value_type.kind
        self.kind = (
            INPUT
            if self.version is None and var.is_input
            else CONDITION
            if kind == BOOL
            else COMPUTATION
        )
        self.is_float = kind == FLOAT
        self.cast = {FLOAT: float, INT: int, BOOL: bool}.get(kind)


def _plan(programme: Programme, name: str, per: Period) -> _Plan:
    plans: dict[tuple[str, Period], _Plan] = programme._cache.setdefault("plans", {})
    plan = plans.get((name, per))
    if plan is None:
        plan = plans[(name, per)] = _Plan(programme, programme.variables[name], per)
    return plan


_F32 = struct.Struct("f")


def _f32(x: float) -> float:
    """Round to single precision (as OpenFisca stores floats); struct is the fastest way."""
    try:
        return _F32.unpack(_F32.pack(x))[0]
    except OverflowError:
        return float(np.float32(x))


class SingleRun:
    """Evaluation state for one situation: cache of values and explanation nodes."""

    __slots__ = (
        "cache",
        "compute",
        "float32",
        "frame",
        "ids",
        "inputs",
        "nodes",
        "plans",
        "pop",
        "programme",
        "tracing",
    )

    def __init__(self, programme: Programme, pop: SinglePopulation, tracing: bool) -> None:
        self.programme = programme
        self.plans: dict[tuple[str, Period], _Plan] = programme._cache.setdefault("plans", {})
        self.pop = pop
        self.ids = pop.ids
        self.inputs = pop.inputs
        self.cache: dict[tuple[str, int, Period], Any] = {}
        self.nodes: dict[tuple[str, int, Period], Explanation] = {}
        self.frame: list[Explanation] | None = None
        self.tracing = tracing
        self.float32 = programme.settings.float_storage == "float32"
        self.compute = self._traced if tracing else self._plain

    def get(self, name: str, i: int, per: Period) -> Any:
        key = (name, i, per)
        value = self.cache.get(key, MISSING)
        if value is MISSING:
            return self.compute(name, i, per, key)
        frame = self.frame
        if frame is not None:
            frame.append(self.nodes[key])
        return value

    def _given(self, name: str, i: int, per: Period, plan: _Plan) -> Any:
        spec = self.inputs.get(name)
        if spec is None:
            return MISSING
        given = spec.get(i, MISSING)
        if given is MISSING or type(given) is not dict:
            return given
        return input_at(given, plan.var, per)

    def _plain(self, name: str, i: int, per: Period, key: tuple[str, int, Period]) -> Any:
        plan = self.plans.get((name, per)) or _plan(self.programme, name, per)
        value = self._given(name, i, per, plan)
        if value is MISSING:
            fn = plan.fn
            if fn is None:
                value = plan.var.default
            else:
                value = fn(self, i, per, plan.params)
                if plan.cast is not None:
                    value = plan.cast(value)
        if plan.is_float and self.float32:
            value = _f32(value)
        self.cache[key] = value
        return value

    def _traced(self, name: str, i: int, per: Period, key: tuple[str, int, Period]) -> Any:
        plan = self.plans.get((name, per)) or _plan(self.programme, name, per)
        var = plan.var
        spec = self.inputs.get(name)
        value = MISSING if spec is None else spec.get(i, MISSING)
        if type(value) is dict:
            value = input_at(value, var, per)
        children: Any = _LEAF
        kind = INPUT
        formula = ""
        defaulted = False
        if value is MISSING:
            fn = plan.traced_fn
            kind = plan.kind
            if fn is None:
                value = var.default
                defaulted = kind == INPUT
            else:
                formula = plan.formula
                children = []
                outer = self.frame
                self.frame = children
                value = fn(self, i, per, plan.params)  # on error the whole run is dropped
                self.frame = outer
                if plan.cast is not None:
                    value = plan.cast(value)
                if len(children) > 1:
                    children = list({id(c): c for c in children}.values())
        if plan.is_float and self.float32:
            value = _f32(value)
        self.cache[key] = value
        node = Explanation(
            name,
            value,
            kind,
            var.label,
            var.reference,
            per,
            var.entity,
            self.ids[var.entity][i],
            formula,
            var.unit,
            defaulted,
            children,
        )
        self.nodes[key] = node
        frame = self.frame
        if frame is not None:
            frame.append(node)
        return value


def input_at(given: Any, var: Variable, per: Period) -> Any:
    """The given value of ``var`` for ``per``: a constant, the value for that period, or
    (``set_input: divide``) a twelfth of the value given for its year."""
    if type(given) is not dict:
        return given
    value = given.get(per, MISSING)
    if value is not MISSING:
        return value
    if var.period_unit == MONTH and per.unit == MONTH:
        yearly = given.get(Period(YEAR, per.year, 0), MISSING)
        if yearly is not MISSING:
            return yearly / 12
    return MISSING


# ------------------------------------------------------------------ compilation


def compiled_formulas(programme: Programme, traced: bool) -> dict[int, Fn]:
    """Closures for every formula version; the traced ones also record conditions."""
    cache_key = "single_traced" if traced else "single"
    found = programme._cache.get(cache_key)
    if found is None:
        found = {}
        for var in programme.variables.values():
            for version in var.formulas:
                assert version.tree is not None
                compiler = _Compiler(programme, var, version.source, traced)
                compiler.root = version.tree
                found[id(version)] = compiler.compile(version.tree)
        programme._cache[cache_key] = found
    return found


def _reader(name: str) -> Callable[[SingleRun, int, Period], Any]:
    """Read a variable through the run's cache without an extra call on a hit."""

    def read(run: SingleRun, i: int, per: Period) -> Any:
        key = (name, i, per)
        value = run.cache.get(key, MISSING)
        if value is MISSING:
            return run.compute(name, i, per, key)
        frame = run.frame
        if frame is not None:
            frame.append(run.nodes[key])
        return value

    return read


class _Compiler:
    def __init__(self, programme: Programme, variable: Variable, source: str, traced: bool) -> None:
        self.traced = traced
        self.root: Node | None = None
        self.programme = programme
        self.variable = variable
        self.source = source
        self.person = programme.person_entity.key

    def compile(self, node: Node, group: str | None = None) -> Fn:
        """``group``: inside an aggregation, the group whose members are iterated;
        the index passed to the closure is then a person index."""
        method = getattr(self, "c_" + type(node).__name__)
        return method(node, group)

    def c_Literal(self, node: Literal, group: str | None) -> Fn:
        value = node.value
        return lambda run, i, per, pv: value

    def c_Name(self, node: Name, group: str | None) -> Fn:
        what = node.resolved[0]
        if what == "param":
            path = node.resolved[1]

            def param(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> Any:
                frame = run.frame
                if frame is not None:
                    frame.append(pv.nodes[path])
                return pv.values[path]

            return param
        if what == "period":
            attr = node.resolved[1]
            if attr == "start":
                return lambda run, i, per, pv: per.start
            if attr == "end":
                return lambda run, i, per, pv: per.end
            if attr == "year":
                return lambda run, i, per, pv: per.year
            return lambda run, i, per, pv: per.month or 1
        if what == "role":
            g = node.resolved[1]
            return lambda run, i, per, pv: run.pop.role_of[g][i]
        _, name, via = node.resolved
        var = self.programme.variables[name]
        eternal = var.period_unit == ETERNITY
        sel = node.selector
        read = _reader(name)
        if via is not None:
            if eternal:
                return lambda run, i, per, pv: read(run, run.pop.group_of[via][i], ETERNAL)
            if sel:
                return lambda run, i, per, pv: read(run, run.pop.group_of[via][i], per.select(sel))
            return lambda run, i, per, pv: read(run, run.pop.group_of[via][i], per)
        if eternal:
            return lambda run, i, per, pv: read(run, i, ETERNAL)
        if sel:
            return lambda run, i, per, pv: read(run, i, per.select(sel))

        def read_here(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> Any:
            key = (name, i, per)
            value = run.cache.get(key, MISSING)
            if value is MISSING:
                return run.compute(name, i, per, key)
            frame = run.frame
            if frame is not None:
                frame.append(run.nodes[key])
            return value

        return read_here

    def c_Unary(self, node: Unary, group: str | None) -> Fn:
        f = self.compile(node.operand, group)
        if node.op == "not":
            return lambda run, i, per, pv: not f(run, i, per, pv)
        return lambda run, i, per, pv: -f(run, i, per, pv)

    def c_Binary(self, node: Binary, group: str | None) -> Fn:
        lf = self.compile(node.left, group)
        rf = self.compile(node.right, group)
        op = node.op
        if op == "+":
            return lambda run, i, per, pv: lf(run, i, per, pv) + rf(run, i, per, pv)
        if op == "-":
            return lambda run, i, per, pv: lf(run, i, per, pv) - rf(run, i, per, pv)
        if op == "*":
            return lambda run, i, per, pv: lf(run, i, per, pv) * rf(run, i, per, pv)
        if op == "/":
            return lambda run, i, per, pv: divide(lf(run, i, per, pv), rf(run, i, per, pv))
        cmp = _CMP[op]
        return self._condition(
            lambda run, i, per, pv: cmp(lf(run, i, per, pv), rf(run, i, per, pv)), node
        )

    def _condition(self, f: Fn, node: Node) -> Fn:
        """Wrap a comparison so that, when explaining, it records whether it held."""
        if not self.traced or node is self.root:
            return f  # a whole formula that is one comparison is explained by its variable
        text = " ".join(self.source[node.offset : node.end].split())

        def condition(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> bool:
            outer = run.frame
            if outer is None:
                return f(run, i, per, pv)
            inner: list[Explanation] = []
            run.frame = inner
            try:
                held = f(run, i, per, pv)
            finally:
                run.frame = outer
            if len(inner) > 1:
                inner = list({id(c): c for c in inner}.values())
            outer.append(Explanation(variable=text, value=held, kind=CONDITION, children=inner))
            return held

        return condition

    def c_InList(self, node: InList, group: str | None) -> Fn:
        f = self.compile(node.operand, group)
        items = frozenset(item.value for item in node.items)
        if node.negated:
            return self._condition(lambda run, i, per, pv: f(run, i, per, pv) not in items, node)
        return self._condition(lambda run, i, per, pv: f(run, i, per, pv) in items, node)

    def c_BoolOp(self, node: BoolOp, group: str | None) -> Fn:
        fs = tuple(self.compile(item, group) for item in node.items)
        if node.op == "and":

            def all_of(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> bool:
                for f in fs:  # noqa: SIM110 - a plain loop is faster than all() on a generator
                    if not f(run, i, per, pv):
                        return False
                return True

            return all_of

        def any_of(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> bool:
            for f in fs:  # noqa: SIM110 - a plain loop is faster than any() on a generator
                if f(run, i, per, pv):
                    return True
            return False

        return any_of

    def c_IfElse(self, node: IfElse, group: str | None) -> Fn:
        c = self.compile(node.condition, group)
        t = self.compile(node.then, group)
        e = self.compile(node.otherwise, group)
        if node.type.kind == FLOAT:  # int branches of a float choice give floats, as arrays do
            return lambda run, i, per, pv: float(
                t(run, i, per, pv) if c(run, i, per, pv) else e(run, i, per, pv)
            )
        return lambda run, i, per, pv: (
            t(run, i, per, pv) if c(run, i, per, pv) else e(run, i, per, pv)
        )

    def c_Call(self, node: Call, group: str | None) -> Fn:
        fn = node.name
        if fn in ("sum", "count", "any", "all"):
            return self._aggregation(node)
        if fn == "date":
            value = node.args[0].value  # type: ignore[attr-defined]
            return lambda run, i, per, pv: value
        args = [self.compile(a, group) for a in node.args]
        if fn == "scale":
            path = node.args[0].resolved[1]  # type: ignore[attr-defined]
            sf, bf = args

            def scale(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> float:
                return scale_scalar(sf(run, i, per, pv), float(bf(run, i, per, pv)))

            del path
            return scale
        if fn in ("min", "max"):
            pick2 = min2 if fn == "min" else max2
            as_float = node.type.kind == FLOAT
            if len(args) == 2:
                a0, a1 = args
                if as_float:
                    return lambda run, i, per, pv: float(
                        pick2(a0(run, i, per, pv), a1(run, i, per, pv))
                    )
                return lambda run, i, per, pv: pick2(a0(run, i, per, pv), a1(run, i, per, pv))

            def pick_many(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> Any:
                result = args[0](run, i, per, pv)
                for a in args[1:]:
                    result = pick2(result, a(run, i, per, pv))
                return float(result) if as_float else result

            return pick_many
        a0 = args[0]
        if fn == "abs":
            return lambda run, i, per, pv: abs(a0(run, i, per, pv))
        if fn == "floor":
            return lambda run, i, per, pv: floor_(a0(run, i, per, pv))
        if fn == "ceil":
            return lambda run, i, per, pv: ceil_(a0(run, i, per, pv))
        if fn == "round":
            digits = node.args[1].value if len(node.args) == 2 else 0  # type: ignore[attr-defined]
            return lambda run, i, per, pv: round_half_away(a0(run, i, per, pv), digits)
        a1 = args[1]
        if fn == "years_between":
            return lambda run, i, per, pv: years_between(a0(run, i, per, pv), a1(run, i, per, pv))
        if fn == "months_between":
            return lambda run, i, per, pv: months_between(a0(run, i, per, pv), a1(run, i, per, pv))
        raise EvaluationError(f"function {fn} cannot be evaluated")  # unreachable once checked

    def _aggregation(self, node: Call) -> Fn:
        fn = node.name
        group = node.level
        assert group is not None
        args = [self.compile(a, group) for a in node.args]
        if fn == "sum":
            value = args[0]
            is_float = node.type.kind == FLOAT
            if len(args) == 2:
                cond = args[1]

                def sum_if(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> Any:
                    total = 0.0 if is_float else 0
                    for m in run.pop.members[group][i]:
                        if cond(run, m, per, pv):
                            total = total + value(run, m, per, pv)
                    return total

                return sum_if

            def sum_all(run: SingleRun, i: int, per: Period, pv: ResolvedParameters) -> Any:
                total = 0.0 if is_float else 0
                for m in run.pop.members[group][i]:
                    total = total + value(run, m, per, pv)
                return total

            return sum_all
        if fn == "count":
            if not args:
                return lambda run, i, per, pv: len(run.pop.members[group][i])
            cond = args[0]
            return lambda run, i, per, pv: sum(
                1 for m in run.pop.members[group][i] if cond(run, m, per, pv)
            )
        cond = args[0]
        if fn == "any":
            return lambda run, i, per, pv: any(
                cond(run, m, per, pv) for m in run.pop.members[group][i]
            )
        return lambda run, i, per, pv: all(cond(run, m, per, pv) for m in run.pop.members[group][i])
