"""The checked programme model: entities, variables, parameters, formulas.

A ``Programme`` is built only by the loader, after every file parsed and every
formula type-checked, so an evaluator never meets a half-valid model.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from civitas.rules.errors import Location

if TYPE_CHECKING:
    from civitas.rules.expressions import Node

FLOAT = "float"
INT = "int"
BOOL = "bool"
DATE = "date"
STR = "str"
ENUM = "enum"
VALUE_KINDS = (FLOAT, INT, BOOL, DATE, STR, ENUM)


@dataclass(frozen=True, slots=True)
class ValueType:
    """The type of a variable or expression; ``choices`` lists an enum's names in order."""

    kind: str
    choices: tuple[str, ...] = ()
    enum_name: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in (FLOAT, INT)

    def __str__(self) -> str:
        if self.kind == ENUM:
            return f"enum {self.enum_name or '/'.join(self.choices)}"
        return self.kind


T_FLOAT = ValueType(FLOAT)
T_INT = ValueType(INT)
T_BOOL = ValueType(BOOL)
T_DATE = ValueType(DATE)
T_STR = ValueType(STR)

ZERO_DEFAULTS: dict[str, Any] = {FLOAT: 0.0, INT: 0, BOOL: False, DATE: date(1970, 1, 1), STR: ""}


@dataclass(frozen=True, slots=True)
class Role:
    key: str
    plural: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    """``person`` is the single individual entity; groups (e.g. household) have roles."""

    key: str
    plural: str
    label: str = ""
    roles: tuple[Role, ...] = ()
    is_person: bool = False

    def role(self, key: str) -> Role | None:
        return next((r for r in self.roles if r.key == key), None)

    def role_by_plural(self, plural: str) -> Role | None:
        return next((r for r in self.roles if r.plural == plural), None)


@dataclass(slots=True)
class FormulaVersion:
    """One dated formula of a variable, valid from ``start`` through ``end`` (inclusive)."""

    source: str
    location: Location
    start: date | None = None
    end: date | None = None
    tree: Node | None = None  # typed syntax tree, set by the checker
    parameters: tuple[str, ...] = ()  # parameter paths the formula reads, resolved at entry
    reads: tuple[tuple[str, str | None], ...] = ()  # (variable, selector) read by the formula

    def applies(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(slots=True)
class Variable:
    name: str
    entity: str
    value_type: ValueType
    period_unit: str
    location: Location
    label: str = ""
    description: str = ""
    reference: str = ""
    unit: str = ""
    default: Any = None
    set_input: str = ""  # "divide": a year value given for a month variable is spread evenly
    end: date | None = None  # after this day the variable takes its default value
    formulas: list[FormulaVersion] = field(default_factory=list)

    @property
    def is_input(self) -> bool:
        return not self.formulas

    def formula_at(self, day: date) -> FormulaVersion | None:
        """The formula in force on ``day``: the latest one started, unless it has ended."""
        if self.end is not None and day > self.end:
            return None
        chosen = None
        for version in self.formulas:  # sorted by start; None (no start) first
            if version.start is None or version.start <= day:
                chosen = version
        if chosen is not None and chosen.end is not None and day > chosen.end:
            return None
        return chosen


@dataclass(frozen=True, slots=True)
class DatedValue:
    """A parameter value from ``start``; ``value`` None means the parameter stops existing."""

    start: date
    value: Any
    reference: str
    location: Location


class Parameter:
    """A scalar parameter with values by start date, each with its legal reference."""

    kind = "value"

    def __init__(
        self,
        path: str,
        values: list[DatedValue],
        location: Location,
        *,
        description: str = "",
        unit: str = "",
        reference: str = "",
    ) -> None:
        self.path = path
        self.values = sorted(values, key=lambda v: v.start)
        self._starts = [v.start for v in self.values]
        self.location = location
        self.description = description
        self.unit = unit
        self.reference = reference
        kinds = {type(v.value) for v in self.values if v.value is not None}
        if kinds == {bool}:
            self.value_type = T_BOOL
        elif kinds <= {int}:
            self.value_type = T_INT
        else:
            self.value_type = T_FLOAT

    def entry_at(self, day: date) -> DatedValue | None:
        """The dated value in force on ``day``, or None where the parameter does not exist."""
        i = bisect.bisect_right(self._starts, day) - 1
        if i < 0 or self.values[i].value is None:
            return None
        return self.values[i]

    def first_start(self) -> date | None:
        return self._starts[0] if self._starts else None


@dataclass(slots=True)
class Bracket:
    threshold: Parameter
    rate: Parameter | None = None
    amount: Parameter | None = None


MARGINAL_RATE = "marginal_rate"
SINGLE_AMOUNT = "single_amount"
MARGINAL_AMOUNT = "marginal_amount"
LINEAR_AVERAGE_RATE = "linear_average_rate"  # average rates at thresholds, linear in between
SCALE_KINDS = (MARGINAL_RATE, SINGLE_AMOUNT, MARGINAL_AMOUNT, LINEAR_AVERAGE_RATE)
RATE_KINDS = (MARGINAL_RATE, LINEAR_AVERAGE_RATE)  # brackets hold rates, not amounts


@dataclass(frozen=True, slots=True)
class ScaleAt:
    """A scale's brackets in force on one day, with the references of their values."""

    kind: str
    thresholds: tuple[float, ...]
    values: tuple[float, ...]  # rates or amounts
    references: tuple[str, ...]


class Scale:
    """A bracket scale: marginal rates, a single amount by bracket, or added amounts."""

    value_type = T_FLOAT

    def __init__(
        self,
        path: str,
        kind: str,
        brackets: list[Bracket],
        location: Location,
        *,
        description: str = "",
        unit: str = "",
        reference: str = "",
    ) -> None:
        self.path = path
        self.kind = kind
        self.brackets = brackets
        self.location = location
        self.description = description
        self.unit = unit
        self.reference = reference

    def at(self, day: date) -> ScaleAt:
        """Brackets whose threshold and rate (or amount) both exist on ``day``, by threshold."""
        rows: list[tuple[float, float, str]] = []
        for bracket in self.brackets:
            t = bracket.threshold.entry_at(day)
            v_param = bracket.rate if self.kind in RATE_KINDS else bracket.amount
            v = v_param.entry_at(day) if v_param is not None else None
            if t is None or v is None:
                continue
            rows.append((float(t.value), float(v.value), v.reference or t.reference))
        rows.sort(key=lambda r: r[0])
        # Equal thresholds add up, as a bracket list written in two parts would.
        merged: list[list[Any]] = []
        for t_, v_, r_ in rows:
            if merged and merged[-1][0] == t_:
                merged[-1][1] += v_
            else:
                merged.append([t_, v_, r_])
        return ScaleAt(
            self.kind,
            tuple(m[0] for m in merged),
            tuple(m[1] for m in merged),
            tuple(m[2] for m in merged),
        )

    def first_start(self) -> date | None:
        starts = [b.threshold.first_start() for b in self.brackets]
        known = [s for s in starts if s is not None]
        return min(known) if known else None


@dataclass(slots=True)
class Settings:
    """Programme-wide options. ``float_storage`` float32 rounds every stored float to
    single precision, as OpenFisca does, so results agree with it to the cent."""

    float_storage: str = "float64"
    require_references: bool = False
    currency: str = ""


@dataclass(slots=True)
class Programme:
    """A loaded, checked programme: the only thing evaluators accept."""

    name: str
    label: str
    version: str
    description: str
    entities: dict[str, Entity]
    variables: dict[str, Variable]
    parameters: dict[str, Parameter | Scale]
    settings: Settings
    outputs: tuple[str, ...]
    sources: dict[str, str]  # relative file name -> text, so a programme can be stored as-is
    test_files: tuple[str, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def person_entity(self) -> Entity:
        return next(e for e in self.entities.values() if e.is_person)

    @property
    def group_entities(self) -> list[Entity]:
        return [e for e in self.entities.values() if not e.is_person]

    def entity_by_plural(self, plural: str) -> Entity | None:
        return next((e for e in self.entities.values() if e.plural == plural), None)

    def input_variables(self) -> list[Variable]:
        return [v for v in self.variables.values() if v.is_input]

    def dependencies(self, names: list[str]) -> list[str]:
        """Every variable ``names`` may read, under any formula version, in dependency order."""
        seen: dict[str, None] = {}

        def visit(name: str) -> None:
            if name in seen:
                return
            for version in self.variables[name].formulas:
                for dep, _sel in version.reads:
                    visit(dep)
            seen[name] = None

        for n in names:
            visit(n)
        return list(seen)
