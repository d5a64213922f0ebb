"""The vectorised evaluator: whole populations with numpy arrays.

The same checked syntax trees as the single evaluator are compiled into
closures that each run one numpy operation over every instance of an entity.
Household aggregations use ``np.bincount`` over each person's household row,
which adds members in person order, exactly as the single evaluator does, so
both give identical values. Large populations are cut into blocks of whole
households that fit in the processor's cache; each block is computed in turn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from civitas.rules.errors import EvaluationError
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
from civitas.rules.model import BOOL, DATE, ENUM, FLOAT, INT, STR, Programme, ValueType, Variable
from civitas.rules.parameters import ResolvedParameters, resolve
from civitas.rules.periods import ETERNAL, ETERNITY, Period
from civitas.rules.scales import scale_array

VFn = Callable[["Block", Period, ResolvedParameters], Any]


@dataclass
class Block:
    """A slice of the population: whole households with their persons.

    ``group_index[g]`` gives, for each person of the block, the row of its group
    within the block; ``inputs`` holds block slices of the input arrays.
    """

    programme: Programme
    counts: dict[str, int]
    group_index: dict[str, np.ndarray]
    role_code: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        # Every array the block keeps is read-only; an operation may then overwrite any
        # writeable array a sub-expression hands it, since that one is a temporary nobody
        # else holds (fewer allocations, and fewer pages the system must hand out again).
        for held in (*self.inputs.values(), *self.role_code.values()):
            held.flags.writeable = False
        self.cache: dict[tuple[str, Period], np.ndarray] = {}
        self.sizes: dict[str, np.ndarray] = {}
        self.aggregates: dict[tuple[Any, Period], np.ndarray] = {}
        self.plans: dict[tuple[str, Period], _VPlan] = self.programme._cache.setdefault(
            "vplans", {}
        )
        self.float32 = self.programme.settings.float_storage == "float32"
        self._buffer: np.ndarray | None = None

    def get(self, name: str, per: Period) -> np.ndarray:
        key = (name, per)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._compute(name, per)
            found.flags.writeable = False
        return found

    def _compute(self, name: str, per: Period) -> np.ndarray:
        plan = self.plans.get((name, per))
        if plan is None:
            plan = self.plans[(name, per)] = _VPlan(
                self.programme, self.programme.variables[name], per
            )
        var = plan.var
        n = self.counts[var.entity]
        given = self.inputs.get(name)
        if given is not None:
            return given
        if plan.fn is None:
            return np.full(n, plan.default, dtype=plan.dtype)
        result = plan.fn(self, per, plan.params)
        result = np.asarray(result)
        if result.ndim == 0:
            result = np.full(n, result[()], dtype=plan.dtype)
        elif result.dtype != plan.dtype:
            result = result.astype(plan.dtype)
        if self.float32 and plan.dtype == np.float64:
            result = self.round_to_float32(result)
        return result

    def round_to_float32(self, values: np.ndarray) -> np.ndarray:
        """Values rounded to single precision, kept as float64, in place through a
        reused buffer. In place is safe: a float64 array a formula returns is new, or
        shared and read-only (aggregations), or already rounded (inputs are rounded when
        the block is made, variables when stored), and rounding twice changes nothing."""
        if not values.flags.writeable or not values.flags.c_contiguous:
            return values.astype(np.float32).astype(np.float64)
        size = len(values)
        if self._buffer is None or len(self._buffer) < size:
            self._buffer = np.empty(size, dtype=np.float32)
        buffer = self._buffer[:size]
        np.copyto(buffer, values, casting="same_kind")
        np.copyto(values, buffer)
        return values

    def group_sizes(self, group: str) -> np.ndarray:
        found = self.sizes.get(group)
        if found is None:
            found = self.sizes[group] = np.bincount(
                self.group_index[group], minlength=self.counts[group]
            )
            found.flags.writeable = False
        return found


def dtype_of(vtype: ValueType) -> Any:
    return {
        FLOAT: np.float64,
        INT: np.int64,
        BOOL: np.bool_,
        DATE: "datetime64[D]",
        ENUM: np.int16,
        STR: object,
    }[vtype.kind]


def array_default(var: Variable) -> Any:
    """A variable's default value in array form (enum names become codes)."""
    if var.value_type.kind == ENUM:
        return var.value_type.choices.index(var.default)
    if var.value_type.kind == DATE:
        return np.datetime64(var.default, "D")
    return var.default


class _VPlan:
    __slots__ = ("default", "dtype", "fn", "params", "var")

    def __init__(self, programme: Programme, var: Variable, per: Period) -> None:
        self.var = var
        version = var.formula_at(per.start) if var.formulas else None
        self.fn: VFn | None = None
        self.params: ResolvedParameters | None = None
        if version is not None:
            self.params = resolve(programme, var, version, per.start)
            self.fn = compiled_vector(programme)[id(version)]
        self.dtype = np.dtype(dtype_of(var.value_type))
        self.default = array_default(var)


def compiled_vector(programme: Programme) -> dict[int, VFn]:
    found = programme._cache.get("vector")
    if found is None:
        found = {}
        for var in programme.variables.values():
            for version in var.formulas:
                assert version.tree is not None
                found[id(version)] = _VCompiler(programme, version.source).compile(version.tree)
        programme._cache["vector"] = found
    return found


# ------------------------------------------------------------------ helpers


_SPAN = 36_525  # date lookup tables cover whole centuries of days


def _days(value: Any) -> Any:
    """Days since 1970-01-01: an int64 view of a date array, or an int for one date."""
    if isinstance(value, np.ndarray):
        return value.view(np.int64) if value.dtype.kind == "M" else value
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[D]").astype(np.int64))
    return (value - date(1970, 1, 1)).days


def _civil_keys(days: np.ndarray) -> np.ndarray:
    """yyyymmdd for each day number (proleptic Gregorian calendar)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year * 10_000 + month * 100 + day


@functools.lru_cache(maxsize=64)
def _key_table(lo: int, spans: int) -> np.ndarray:
    return _civil_keys(np.arange(lo, lo + spans * _SPAN, dtype=np.int64))


def _key_of_day(day: int) -> int:
    d = date.fromordinal(day + date(1970, 1, 1).toordinal())
    return d.year * 10_000 + d.month * 100 + d.day


def _between(kind: str, a_key: Any, b_key: Any) -> Any:
    if kind == "years":
        return (b_key - a_key) // 10_000
    return (
        ((b_key // 10_000) * 12 + (b_key // 100) % 100)
        - ((a_key // 10_000) * 12 + (a_key // 100) % 100)
        - ((b_key % 100) < (a_key % 100))
    )


@functools.lru_cache(maxsize=1024)
def _between_table(kind: str, lo: int, spans: int, other_key: int, array_first: bool) -> np.ndarray:
    """Result of years/months_between for every day of whole centuries against one date."""
    keys = _key_table(lo, spans)
    return _between(kind, keys, other_key) if array_first else _between(kind, other_key, keys)


def _lookup(kind: str, days: np.ndarray, other_key: int, array_first: bool) -> np.ndarray:
    """years/months_between of a date array against one date by table lookup: one
    gather instead of a dozen integer passes over the array."""
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    lo = int(days.min()) // _SPAN * _SPAN
    spans = (int(days.max()) - lo) // _SPAN + 1
    if spans > 8:  # dates over more than eight centuries: compute directly
        keys = _civil_keys(days)
        return _between(kind, keys, other_key) if array_first else _between(kind, other_key, keys)
    return _between_table(kind, lo, spans, other_key, array_first)[days - lo]


def between_array(kind: str, a: Any, b: Any) -> Any:
    """years_between / months_between for dates given as arrays or single dates."""
    da, db = _days(a), _days(b)
    a_arr, b_arr = isinstance(da, np.ndarray), isinstance(db, np.ndarray)
    if a_arr and not b_arr:
        return _lookup(kind, da, _key_of_day(db), True)
    if b_arr and not a_arr:
        return _lookup(kind, db, _key_of_day(da), False)
    if not a_arr:
        return _between(kind, _key_of_day(da), _key_of_day(db))
    return _between(kind, _civil_keys(da), _civil_keys(db))


_F64 = np.dtype(np.float64)
_BOOL = np.dtype(np.bool_)


def _scratch(value: Any, dtype: np.dtype) -> bool:
    """Whether ``value`` is a temporary array of ``dtype`` that may be overwritten:
    arrays the block keeps are read-only (see ``Block``)."""
    return type(value) is np.ndarray and value.dtype == dtype and value.flags.writeable


def _in_place(ufunc: Any, left: Any, right: Any, dtype: np.dtype) -> Any:
    """``ufunc(left, right)`` written over an operand when one is a temporary of the
    result's type and shape. The values are the same as without ``out``."""
    if _scratch(left, dtype) and (np.ndim(right) == 0 or right.shape == left.shape):
        return ufunc(left, right, out=left)
    if _scratch(right, dtype) and (np.ndim(left) == 0 or left.shape == right.shape):
        return ufunc(left, right, out=right)
    return ufunc(left, right)


_BITS = {8: np.int64, 4: np.int32, 2: np.int16, 1: np.int8}


def select(cond: Any, then: Any, otherwise: Any, dtype: Any) -> Any:
    """``np.where`` without branches: numpy's where is slow on irregular masks, so pick
    the bits of each value with an integer mask instead. Exact for every value."""
    cond = np.asarray(cond)
    if cond.ndim == 0:
        return then if bool(cond) else otherwise
    dtype = np.dtype(dtype)
    if dtype.kind in "USO" or dtype.itemsize not in _BITS:
        return np.where(cond, then, otherwise)
    if dtype.kind == "b":
        return (cond & then) | (~cond & otherwise)
    if (
        dtype.kind == "f"
        and np.ndim(then) == 0
        and np.ndim(otherwise) == 0
        and otherwise == 0
        and 0 <= then < np.inf
    ):
        # "if c then amount else 0" with a finite, non-negative amount: one multiplication.
        return np.multiply(cond, float(then), dtype=np.float64)
    ints = _BITS[dtype.itemsize]
    mask = np.negative(cond.view(np.int8), dtype=np.int8)
    if ints is not np.int8:
        mask = mask.astype(ints)
    t = np.asarray(then, dtype=dtype).view(ints)
    e = np.asarray(otherwise, dtype=dtype).view(ints)
    if e.ndim == 0 and e == 0:
        return (t & mask).view(dtype)
    if t.ndim == 0 and t == 0:
        return (e & ~mask).view(dtype)
    return ((t & mask) | (e & ~mask)).view(dtype)


def _round_half_away(x: Any, digits: int) -> Any:
    factor = 10.0**digits
    return np.copysign(np.floor(np.abs(x) * factor + 0.5) / factor, x)


def _as_numpy_literal(value: Any, vtype: ValueType) -> Any:
    if vtype.kind == ENUM:
        return vtype.choices.index(value)
    if isinstance(value, date):
        return np.datetime64(value, "D")
    return value


# ------------------------------------------------------------------ compilation


class _VCompiler:
    def __init__(self, programme: Programme, source: str) -> None:
        self.programme = programme
        self.source = source

    def compile(self, node: Node) -> VFn:
        return getattr(self, "c_" + type(node).__name__)(node)

    def c_Literal(self, node: Literal) -> VFn:
        value = _as_numpy_literal(node.value, node.type)
        return lambda b, per, pv: value

    def c_Name(self, node: Name) -> VFn:
        what = node.resolved[0]
        if what == "param":
            path = node.resolved[1]
            return lambda b, per, pv: pv.values[path]
        if what == "period":
            attr = node.resolved[1]
            if attr == "start":
                return lambda b, per, pv: np.datetime64(per.start, "D")
            if attr == "end":
                return lambda b, per, pv: np.datetime64(per.end, "D")
            if attr == "year":
                return lambda b, per, pv: per.year
            return lambda b, per, pv: per.month or 1
        if what == "role":
            g = node.resolved[1]
            return lambda b, per, pv: b.role_code[g]
        _, name, via = node.resolved
        var = self.programme.variables[name]
        sel = node.selector
        if var.period_unit == ETERNITY:

            def at(per: Period) -> Period:
                return ETERNAL
        elif sel:

            def at(per: Period) -> Period:
                return per.select(sel)
        else:

            def at(per: Period) -> Period:
                return per

        if via is not None:
            return lambda b, per, pv: b.get(name, at(per))[b.group_index[via]]
        return lambda b, per, pv: b.get(name, at(per))

    def c_Unary(self, node: Unary) -> VFn:
        f = self.compile(node.operand)
        ufunc, own = (np.logical_not, _BOOL) if node.op == "not" else (np.negative, _F64)

        def unary(b: Block, per: Period, pv: ResolvedParameters) -> Any:
            x = f(b, per, pv)
            return ufunc(x, out=x) if _scratch(x, own) else ufunc(x)

        return unary

    def c_Binary(self, node: Binary) -> VFn:
        lf, rf = self.compile(node.left), self.compile(node.right)
        ufunc = {
            "+": np.add,
            "-": np.subtract,
            "*": np.multiply,
            "/": np.true_divide,
            "==": np.equal,
            "!=": np.not_equal,
            "<": np.less,
            "<=": np.less_equal,
            ">": np.greater,
            ">=": np.greater_equal,
        }[node.op]
        if node.op in ("+", "-", "*", "/") and node.type.kind == FLOAT:
            # A float result: any temporary float64 operand can take it.
            return lambda b, per, pv: _in_place(ufunc, lf(b, per, pv), rf(b, per, pv), _F64)
        return lambda b, per, pv: ufunc(lf(b, per, pv), rf(b, per, pv))

    def c_InList(self, node: InList) -> VFn:
        f = self.compile(node.operand)
        items = [_as_numpy_literal(i.value, i.type) for i in node.items]
        negated = node.negated

        def member(b: Block, per: Period, pv: ResolvedParameters) -> Any:
            x = f(b, per, pv)
            out = np.equal(x, items[0])
            for item in items[1:]:
                out = out | np.equal(x, item)
            return np.logical_not(out) if negated else out

        return member

    def c_BoolOp(self, node: BoolOp) -> VFn:
        fs = [self.compile(i) for i in node.items]
        ufunc = np.logical_and if node.op == "and" else np.logical_or

        def combine(b: Block, per: Period, pv: ResolvedParameters) -> Any:
            acc = fs[0](b, per, pv)
            for f in fs[1:]:
                acc = _in_place(ufunc, acc, f(b, per, pv), _BOOL)
            return acc

        return combine

    def c_IfElse(self, node: IfElse) -> VFn:
        c, t, e = (self.compile(n) for n in (node.condition, node.then, node.otherwise))
        dtype = dtype_of(node.type)
        return lambda b, per, pv: select(c(b, per, pv), t(b, per, pv), e(b, per, pv), dtype)

    def c_Call(self, node: Call) -> VFn:
        fn = node.name
        if fn in ("sum", "count", "any", "all"):
            return self._aggregation(node)
        if fn == "date":
            value = np.datetime64(node.args[0].value, "D")  # type: ignore[attr-defined]
            return lambda b, per, pv: value
        args = [self.compile(a) for a in node.args]
        if fn == "scale":
            sf, bf = args
            return lambda b, per, pv: scale_array(sf(b, per, pv), bf(b, per, pv))
        if fn in ("min", "max"):
            ufunc = np.minimum if fn == "min" else np.maximum
            as_float = node.type.kind == FLOAT

            def pick(b: Block, per: Period, pv: ResolvedParameters) -> Any:
                out = functools.reduce(ufunc, (a(b, per, pv) for a in args))
                return np.asarray(out, dtype=np.float64) if as_float else out

            return pick
        a0 = args[0]
        if fn == "abs":
            return lambda b, per, pv: np.abs(a0(b, per, pv))
        if fn == "floor":
            return lambda b, per, pv: np.floor(np.asarray(a0(b, per, pv), dtype=np.float64))
        if fn == "ceil":
            return lambda b, per, pv: np.ceil(np.asarray(a0(b, per, pv), dtype=np.float64))
        if fn == "round":
            digits = node.args[1].value if len(node.args) == 2 else 0  # type: ignore[attr-defined]
            return lambda b, per, pv: _round_half_away(
                np.asarray(a0(b, per, pv), dtype=np.float64), digits
            )
        a1 = args[1]
        if fn == "years_between":
            return lambda b, per, pv: between_array("years", a0(b, per, pv), a1(b, per, pv))
        if fn == "months_between":
            return lambda b, per, pv: between_array("months", a0(b, per, pv), a1(b, per, pv))
        raise EvaluationError(f"function {fn} cannot be evaluated")

    def _aggregation(self, node: Call) -> VFn:
        fn, group = node.name, node.level
        assert group is not None
        args = [self.compile(a) for a in node.args]
        is_int = node.type.kind == INT
        person = self.programme.person_entity.key
        # The same aggregation text means the same values in any formula of the
        # programme at a given period, so blocks compute it once (a.k.a. CSE).
        signature = (group, " ".join(self.source[node.offset : node.end].split()))

        def persons_array(b: Block, value: Any) -> np.ndarray:
            arr = np.asarray(value, dtype=np.float64)
            if arr.ndim == 0:
                return np.full(b.counts[person], arr[()])
            return arr

        def count_where(b: Block, cond: Any) -> np.ndarray:
            cond = np.asarray(cond)
            if cond.ndim == 0:
                sizes = b.group_sizes(group)
                return sizes if bool(cond) else np.zeros_like(sizes)
            # Counting by weights avoids boolean indexing, slow on irregular masks. The
            # counts stay float64 (exact): they are compared or multiplied, and a count
            # stored as a variable is converted to int when stored.
            return np.bincount(
                b.group_index[group], weights=cond.view(np.uint8), minlength=b.counts[group]
            )

        def shared(compute: VFn) -> VFn:
            def cached(b: Block, per: Period, pv: ResolvedParameters) -> Any:
                key = (signature, per)
                found = b.aggregates.get(key)
                if found is None:
                    found = b.aggregates[key] = compute(b, per, pv)
                    found.flags.writeable = False  # shared between formulas: never in place
                return found

            return cached

        if fn == "sum":
            value = args[0]
            cond_f = args[1] if len(args) == 2 else None

            def total(b: Block, per: Period, pv: ResolvedParameters) -> np.ndarray:
                x = persons_array(b, value(b, per, pv))
                if cond_f is not None:
                    x = select(cond_f(b, per, pv), x, 0.0, np.float64)
                # Members added one by one in person order, as np.bincount and the single
                # evaluator do; add.at into a reused (not freshly zeroed) block of memory
                # is the faster of the two.
                out = np.empty(b.counts[group])
                out.fill(0.0)
                np.add.at(out, b.group_index[group], x)
                return out.astype(np.int64) if is_int else out

            return shared(total)
        if fn == "count":
            if not args:
                return lambda b, per, pv: b.group_sizes(group)
            cf = args[0]
            return shared(lambda b, per, pv: count_where(b, cf(b, per, pv)))
        cf = args[0]
        if fn == "any":
            return shared(lambda b, per, pv: count_where(b, cf(b, per, pv)) > 0)
        return shared(lambda b, per, pv: count_where(b, np.logical_not(cf(b, per, pv))) == 0)
