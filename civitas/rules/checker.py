"""Type checker: resolves names in a parsed formula and gives every node a type
and an entity level, or raises ``ExpressionError`` at the offending offset.

Levels: a node's ``level`` is the entity whose instances it varies over
(``person``, ``household``...) or None for a value that is the same for all
(literals, parameters, period attributes). Values of different entities never
mix silently: a household formula aggregates persons with ``sum``/``count``/
``any``/``all`` and a person formula reads its household with ``household.x``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from civitas.rules.errors import ExpressionError
from civitas.rules.expressions import (
    COMPARISONS,
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
from civitas.rules.model import (
    BOOL,
    DATE,
    ENUM,
    FLOAT,
    INT,
    STR,
    T_BOOL,
    T_DATE,
    T_FLOAT,
    T_INT,
    T_STR,
    Entity,
    Parameter,
    Scale,
    ValueType,
    Variable,
)
from civitas.rules.periods import ETERNITY, SELECTORS

AGGREGATIONS = {"sum", "count", "any", "all"}
FUNCTIONS = {
    "min",
    "max",
    "abs",
    "floor",
    "ceil",
    "round",
    "years_between",
    "months_between",
    "date",
    "scale",
    *AGGREGATIONS,
}
PERIOD_ATTRS = {"start": T_DATE, "end": T_DATE, "year": T_INT, "month": T_INT}


@dataclass
class Scope:
    """What a formula can see: the programme's names and the formula's own variable."""

    entities: dict[str, Entity]
    variables: dict[str, Variable]
    parameters: dict[str, Parameter | Scale]
    variable: Variable
    reads: set[tuple[str, str | None]] = field(default_factory=set)
    params: set[str] = field(default_factory=set)

    @property
    def person_key(self) -> str:
        return next(e.key for e in self.entities.values() if e.is_person)

    @property
    def first_group(self) -> Entity | None:
        return next((e for e in self.entities.values() if not e.is_person), None)


def _err(node: Node, message: str) -> ExpressionError:
    return ExpressionError(message, node.offset, max(1, node.end - node.offset))


def _suggest(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _merge_levels(nodes: list[Node], where: Node) -> str | None:
    levels = {n.level for n in nodes if n.level is not None}
    if len(levels) > 1:
        names = " and ".join(sorted(levels))
        raise _err(
            where,
            f"mixes {names} values; from a person formula read household values with "
            "household.<name>, from a household formula aggregate persons with sum(...)",
        )
    return levels.pop() if levels else None


def unify_types(a: ValueType, b: ValueType) -> ValueType | None:
    if a == b:
        return a
    if a.numeric and b.numeric:
        return T_FLOAT
    return None


def _coerce_literal(node: Node, target: ValueType) -> None:
    """A text literal next to an enum (or role) value names one of its choices."""
    if target.kind == ENUM and isinstance(node, Literal) and isinstance(node.value, str):
        if node.value not in target.choices:
            raise _err(
                node,
                f"{node.value!r} is not one of {', '.join(target.choices)}",
            )
        node.type = target


class Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.unit = scope.variable.period_unit

    def check_formula(self, tree: Node) -> None:
        var = self.scope.variable
        self.visit(tree, var.entity, None)
        if tree.level not in (None, var.entity):
            raise _err(
                tree, f"gives a {tree.level} value but {var.name} is a {var.entity} variable"
            )
        _coerce_literal(tree, var.value_type)
        got, want = tree.type, var.value_type
        ok = got == want or (want.kind == FLOAT and got.kind == INT)
        if want.kind == ENUM and got.kind == ENUM and got.choices == want.choices:
            ok = True
        if not ok:
            hint = " (use round, floor or ceil)" if want.kind == INT and got.kind == FLOAT else ""
            if want.numeric and got.kind == BOOL:
                hint = " (write: if <condition> then <amount> else 0)"
            raise _err(tree, f"gives a {got} value but {var.name} is declared {want}{hint}")

    # -- dispatch
    def visit(self, node: Node, level: str, group: str | None) -> None:
        """``level``: entity the formula is evaluated for; ``group``: the group whose
        members an enclosing aggregation iterates over."""
        method = getattr(self, "visit_" + type(node).__name__)
        method(node, level, group)

    def visit_Literal(self, node: Literal, level: str, group: str | None) -> None:
        v = node.value
        node.type = (
            T_BOOL
            if isinstance(v, bool)
            else T_INT
            if isinstance(v, int)
            else T_FLOAT
            if isinstance(v, float)
            else T_STR
        )

    def visit_Name(self, node: Name, level: str, group: str | None) -> None:
        sc = self.scope
        parts = node.parts
        first = parts[0]
        if len(parts) == 1 and first == "role":
            if node.selector:
                raise _err(node, "role has no period; remove the [...] selector")
            grp = group or (sc.first_group.key if sc.first_group else None)
            if level != sc.person_key or grp is None:
                raise _err(node, "role is a person's role; use it inside sum/count/any/all")
            entity = sc.entities[grp]
            node.resolved = ("role", grp)
            node.type = ValueType(ENUM, tuple(r.key for r in entity.roles), f"{grp} role")
            node.level = sc.person_key
            return
        if len(parts) == 1 and first in sc.variables:
            self._resolve_variable(node, sc.variables[first], None, level)
            return
        if first == "period":
            if len(parts) != 2 or parts[1] not in PERIOD_ATTRS:
                raise _err(
                    node, "the period has: " + ", ".join(f"period.{a}" for a in PERIOD_ATTRS)
                )
            if self.unit == ETERNITY:
                raise _err(node, "a formula defined for eternity has no period to read")
            node.resolved = ("period", parts[1])
            node.type = PERIOD_ATTRS[parts[1]]
            return
        if first in sc.entities and len(parts) == 2 and not sc.entities[first].is_person:
            if level != sc.person_key:
                raise _err(node, f"{node.dotted} can only be read from a person formula")
            var = sc.variables.get(parts[1])
            if var is None:
                raise _err(
                    node, f"unknown variable {parts[1]!r}" + _suggest(parts[1], list(sc.variables))
                )
            if var.entity != first:
                raise _err(node, f"{var.name} is a {var.entity} variable, not a {first} one")
            self._resolve_variable(node, var, first, level)
            return
        path = node.dotted
        if path in sc.parameters:
            if node.selector:
                raise _err(node, "parameters take the value at the formula's date; remove [...]")
            param = sc.parameters[path]
            node.resolved = ("param", path)
            node.type = param.value_type if isinstance(param, Parameter) else ValueType("scale")
            sc.params.add(path)
            return
        if first in FUNCTIONS and len(parts) == 1:
            raise _err(node, f"{first} is a function; call it with parentheses, e.g. {first}(...)")
        prefix = path + "."
        children = sorted(
            {p[len(prefix) :].split(".")[0] for p in sc.parameters if p.startswith(prefix)}
        )
        if children:
            raise _err(
                node, f"{path} is a group of parameters; name one of: " + ", ".join(children)
            )
        if len(parts) == 1:
            raise _err(node, f"unknown variable {first!r}" + _suggest(first, list(sc.variables)))
        raise _err(node, f"unknown parameter {path!r}" + _suggest(path, list(sc.parameters)))

    def _resolve_variable(self, node: Name, var: Variable, via: str | None, level: str) -> None:
        sc = self.scope
        if via is None and var.entity != level:
            if var.entity == sc.person_key:
                raise _err(
                    node,
                    f"{var.name} is defined for each person; in a {level} formula "
                    f"aggregate it, e.g. sum({var.name}) or any({var.name} ...)",
                )
            if level == sc.person_key:
                raise _err(
                    node,
                    f"{var.name} is a {var.entity} variable; from a person formula "
                    f"write {var.entity}.{var.name}",
                )
            raise _err(
                node,
                f"{var.name} is a {var.entity} variable and cannot be read from a {level} formula",
            )
        sel = node.selector
        if sel is not None:
            if sel not in SELECTORS:
                raise _err(
                    node, f"unknown period selector {sel!r}; use one of " + ", ".join(SELECTORS)
                )
            if self.unit == ETERNITY:
                raise _err(node, "a formula defined for eternity cannot select periods")
            target_unit = SELECTORS[sel]
            if var.period_unit not in (target_unit, ETERNITY):
                raise _err(
                    node,
                    f"period mismatch: {var.name} is defined by {var.period_unit} "
                    f"but [{sel}] selects a {target_unit}",
                )
        elif var.period_unit not in (self.unit, ETERNITY):
            fix = "first_month" if var.period_unit == "month" else "this_year"
            raise _err(
                node,
                f"period mismatch: {var.name} is defined by {var.period_unit} but "
                f"{sc.variable.name} by {self.unit}; write {var.name}[{fix}] to read "
                f"another period",
            )
        node.resolved = ("var", var.name, via)
        node.type = var.value_type
        node.level = level if via is not None else var.entity
        sc.reads.add((var.name, sel))

    def visit_Unary(self, node: Unary, level: str, group: str | None) -> None:
        self.visit(node.operand, level, group)
        t = node.operand.type
        if node.op == "not":
            if t.kind != BOOL:
                raise _err(node.operand, f"'not' needs a condition but this is {t}")
            node.type = T_BOOL
        else:
            if not t.numeric:
                raise _err(node.operand, f"'-' needs a number but this is {t}")
            node.type = t
        node.level = node.operand.level

    def visit_Binary(self, node: Binary, level: str, group: str | None) -> None:
        self.visit(node.left, level, group)
        self.visit(node.right, level, group)
        lt, rt = node.left.type, node.right.type
        node.level = _merge_levels([node.left, node.right], node)
        if node.op in COMPARISONS:
            _coerce_literal(node.right, lt)
            _coerce_literal(node.left, rt)
            lt, rt = node.left.type, node.right.type
            if (
                lt.kind == ENUM
                or rt.kind == ENUM
                or lt.kind in (STR, BOOL)
                or rt.kind in (STR, BOOL)
            ):
                if lt != rt or node.op not in ("==", "!="):
                    raise _err(node, f"cannot compare {lt} with {rt} using {node.op}")
            elif not ((lt.numeric and rt.numeric) or (lt.kind == DATE and rt.kind == DATE)):
                raise _err(node, f"cannot compare {lt} with {rt}")
            node.type = T_BOOL
            return
        for side, t in ((node.left, lt), (node.right, rt)):
            if not t.numeric:
                hint = " (write: if <condition> then <amount> else 0)" if t.kind == BOOL else ""
                raise _err(side, f"'{node.op}' needs numbers but this is {t}{hint}")
        node.type = T_FLOAT if node.op == "/" or FLOAT in (lt.kind, rt.kind) else T_INT

    def visit_InList(self, node: InList, level: str, group: str | None) -> None:
        self.visit(node.operand, level, group)
        t = node.operand.type
        for item in node.items:
            if not isinstance(item, Literal):
                raise _err(item, "the list after 'in' holds literal values only")
            self.visit(item, level, group)
            _coerce_literal(item, t)
            if not (item.type == t or (item.type.numeric and t.numeric)):
                raise _err(item, f"{item.type} value in a list compared with {t}")
        node.level = node.operand.level
        node.type = T_BOOL

    def visit_BoolOp(self, node: BoolOp, level: str, group: str | None) -> None:
        for item in node.items:
            self.visit(item, level, group)
            if item.type.kind != BOOL:
                raise _err(item, f"'{node.op}' joins conditions but this is {item.type}")
        node.level = _merge_levels(node.items, node)
        node.type = T_BOOL

    def visit_IfElse(self, node: IfElse, level: str, group: str | None) -> None:
        for part in (node.condition, node.then, node.otherwise):
            self.visit(part, level, group)
        if node.condition.type.kind != BOOL:
            raise _err(node.condition, f"'if' needs a condition but this is {node.condition.type}")
        _coerce_literal(node.then, node.otherwise.type)
        _coerce_literal(node.otherwise, node.then.type)
        t = unify_types(node.then.type, node.otherwise.type)
        if t is None:
            raise _err(
                node, f"'then' gives {node.then.type} but 'else' gives {node.otherwise.type}"
            )
        node.type = t
        node.level = _merge_levels([node.condition, node.then, node.otherwise], node)

    def visit_Call(self, node: Call, level: str, group: str | None) -> None:
        fn = node.name
        if fn not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {fn!r}" + _suggest(fn, sorted(FUNCTIONS)),
                node.offset,
                node.name_end - node.offset,
            )
        args = node.args
        if fn in AGGREGATIONS:
            self._aggregation(node, level, group)
            return
        if fn == "date":
            if (
                len(args) != 1
                or not isinstance(args[0], Literal)
                or not isinstance(args[0].value, str)
            ):
                raise _err(node, "date takes one text argument, e.g. date('2024-01-31')")
            try:
                value = date.fromisoformat(args[0].value)
            except ValueError:
                raise _err(args[0], f"{args[0].value!r} is not a date YYYY-MM-DD") from None
            node.type = T_DATE
            node.args = [Literal(value, args[0].offset, args[0].end)]
            node.args[0].type = T_DATE
            return
        if fn == "scale":
            if len(args) != 2:
                raise _err(node, "scale takes two arguments: scale(<scale parameter>, <amount>)")
            self.visit(args[0], level, group)
            if not (
                isinstance(args[0], Name)
                and args[0].resolved[:1] == ("param",)
                and isinstance(self.scope.parameters[args[0].resolved[1]], Scale)
            ):
                raise _err(args[0], "the first argument of scale must name a scale parameter")
            self.visit(args[1], level, group)
            if not args[1].type.numeric:
                raise _err(args[1], f"scale needs a number but this is {args[1].type}")
            node.type = T_FLOAT
            node.level = args[1].level
            return
        for a in args:
            self.visit(a, level, group)
            if isinstance(a, Name) and a.type.kind == "scale":
                raise _err(a, "a scale parameter can only be used in scale(<scale>, <amount>)")
        node.level = _merge_levels(args, node)
        if fn in ("min", "max"):
            if len(args) < 2:
                raise _err(node, f"{fn} takes two or more numbers")
            self._numeric_args(fn, args)
            node.type = T_FLOAT if any(a.type.kind == FLOAT for a in args) else T_INT
        elif fn in ("abs", "floor", "ceil"):
            if len(args) != 1:
                raise _err(node, f"{fn} takes one number")
            self._numeric_args(fn, args)
            node.type = args[0].type if fn == "abs" else T_FLOAT
        elif fn == "round":
            if len(args) not in (1, 2):
                raise _err(node, "round takes a number and optionally a count of decimals")
            self._numeric_args(fn, args[:1])
            if len(args) == 2 and not (isinstance(args[1], Literal) and type(args[1].value) is int):
                raise _err(args[1], "the number of decimals must be a whole number, e.g. 2")
            node.type = T_FLOAT
        elif fn in ("years_between", "months_between"):
            if len(args) != 2 or any(a.type.kind != DATE for a in args):
                raise _err(node, f"{fn} takes two dates, e.g. {fn}(birth, period.start)")
            node.type = T_INT

    def _numeric_args(self, fn: str, args: list[Node]) -> None:
        for a in args:
            if not a.type.numeric:
                raise _err(a, f"{fn} needs numbers but this is {a.type}")

    def _aggregation(self, node: Call, level: str, group: str | None) -> None:
        sc = self.scope
        fn, args = node.name, node.args
        if level == sc.person_key:
            raise _err(
                node, f"{fn}(...) adds up a group's members; use it in a household (group) formula"
            )
        person = sc.person_key
        expected = {"sum": (1, 2), "count": (0, 1), "any": (1, 1), "all": (1, 1)}[fn]
        if not expected[0] <= len(args) <= expected[1]:
            usage = {
                "sum": "sum(<amount>) or sum(<amount>, <condition>)",
                "count": "count() or count(<condition>)",
                "any": "any(<condition>)",
                "all": "all(<condition>)",
            }[fn]
            raise _err(node, f"write {usage}")
        for a in args:
            self.visit(a, person, level)
        if fn == "sum":
            if not args[0].type.numeric:
                raise _err(args[0], f"sum needs a number but this is {args[0].type}")
            node.type = args[0].type
        else:
            node.type = T_INT if fn == "count" else T_BOOL
        conds = args[1:] if fn == "sum" else args
        for c in conds:
            if c.type.kind != BOOL:
                raise _err(c, f"{fn} needs a condition here but this is {c.type}")
        node.level = level
