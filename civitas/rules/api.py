"""Single-situation entry points: compute values and explain them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from civitas.rules.errors import SituationError
from civitas.rules.explanation import PARAMETER, Explanation, json_value
from civitas.rules.model import Programme
from civitas.rules.openfisca_json import Request, fill_response, parse_situation
from civitas.rules.periods import Period, parse_period, period_for_unit
from civitas.rules.single import SingleRun


@dataclass
class Determination:
    """The values worked out for one situation and, when asked, why.

    ``values[variable][entity_id]`` holds each computed value; ``explanation`` has
    one root node per computed (variable, entity instance).
    """

    programme: str
    version: str
    period: str
    values: dict[str, dict[str, Any]]
    explanation: list[Explanation]
    requests: dict[Request, Any]

    def value(self, variable: str, entity_id: str | None = None) -> Any:
        """The value of ``variable``; ``entity_id`` may be left out when there is one."""
        by_id = self.values[variable]
        if entity_id is None:
            if len(by_id) != 1:
                raise KeyError(f"{variable} was computed for {len(by_id)} entities; name one")
            return next(iter(by_id.values()))
        return by_id[entity_id]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready. What never changes for a variable or parameter (label, legal
        reference of a variable, unit, formula) is written once under ``definitions``;
        each node carries its value, kind, entity id, period and, for a parameter, the
        legal reference of the value in force. A node met again is written as
        ``{"variable", "value", "kind", ..., "repeated": true}`` without children. A node's
        ``period`` is written only when it differs from the determination's period."""
        definitions: dict[str, dict[str, Any]] = {}
        walk = _compactor(definitions, parse_period(self.period))
        return {
            "programme": self.programme,
            "version": self.version,
            "period": self.period,
            "values": {
                v: {k: x if type(x) in _PLAIN else json_value(x) for k, x in ids.items()}
                for v, ids in self.values.items()
            },
            "explanation": [walk(n) for n in self.explanation],
            "definitions": definitions,
        }

    def to_json(self) -> bytes:
        """``to_dict()`` as UTF-8 JSON text, as the HTTP API sends it (orjson: the tree of
        a household has about a hundred nodes, and the standard library's encoder would
        take most of the time of an explained decision)."""
        return orjson.dumps(self.to_dict())


_PLAIN = frozenset((float, int, str, bool, type(None)))


def _compactor(
    definitions: dict[str, dict[str, Any]], period: Period
) -> Callable[[Explanation], dict[str, Any]]:
    """The function that writes one node (and, the first time, its children) in the
    compact form of ``Determination.to_dict``. A closure, so the hundred or so calls per
    determination read their state from locals."""
    seen: set[int] = set()
    plain = _PLAIN

    def walk(node: Explanation) -> dict[str, Any]:
        value = node.value
        out: dict[str, Any] = {
            "variable": node.variable,
            "value": value if type(value) in plain else json_value(value),
            "kind": node.kind,
        }
        if node.entity_id:
            out["entity_id"] = node.entity_id
        at = node.period
        if at is not None and at is not period and at != period:
            out["period"] = str(at)
        name = node.variable
        if node.kind == PARAMETER:
            if node.reference:
                out["reference"] = node.reference
            if name not in definitions:
                definitions[name] = _definition(node, with_reference=False)
        elif node.entity:
            known = definitions.get(name)
            if known is None:
                definitions[name] = _definition(node, with_reference=True)
            elif node.formula and known.get("formula") != node.formula:
                out["formula"] = node.formula  # another dated version of the formula
        if node.defaulted:
            out["defaulted"] = True
        children = node.children
        if children:
            key = id(node)
            if key in seen:
                out["repeated"] = True
            else:
                seen.add(key)
                out["children"] = [walk(c) for c in children]
        return out

    return walk


def _definition(node: Explanation, *, with_reference: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if node.label:
        found["label"] = node.label
    if with_reference and node.reference:
        found["reference"] = node.reference
    if node.unit:
        found["unit"] = node.unit
    if node.entity:
        found["entity"] = node.entity
    if node.formula:
        found["formula"] = node.formula
    return found


def _as_period(period: str | Period) -> Period:
    if isinstance(period, Period):
        return period
    try:
        return parse_period(period)
    except ValueError as exc:
        raise SituationError(str(exc)) from None


def explain(
    programme: Programme,
    situation: Mapping[str, Any],
    period: str | Period,
    variables: Sequence[str] | None = None,
    *,
    trace: bool = True,
) -> Determination:
    """Compute ``variables`` (default: values the situation asks for with null, else the
    programme's outputs) for every instance of their entity, with an explanation tree."""
    per = _as_period(period)
    pop, requested = parse_situation(programme, situation, default_period=per)
    if variables is not None or not requested:
        names = list(variables) if variables is not None else list(programme.outputs)
        if not names:
            raise SituationError(
                "no variables to compute: name them, or declare the programme's outputs"
            )
        requested = []
        for name in names:
            var = programme.variables.get(name)
            if var is None:
                raise SituationError(f"unknown variable {name!r}")
            p = period_for_unit(per, var.period_unit)
            requested.extend((name, var.entity, i, p) for i in range(len(pop.ids[var.entity])))
    run = SingleRun(programme, pop, trace)
    roots: list[Explanation] = []
    results: dict[Request, Any] = {}
    values: dict[str, dict[str, Any]] = {}
    for req in requested:
        name, entity, index, p = req
        run.frame = roots if trace else None
        value = run.get(name, index, p)
        results[req] = value
        values.setdefault(name, {})[pop.ids[entity][index]] = value
    run.frame = None
    return Determination(programme.name, programme.version, str(per), values, roots, results)


def evaluate(
    programme: Programme,
    situation: Mapping[str, Any],
    period: str | Period,
    variables: Sequence[str] | None = None,
) -> Determination:
    """Like ``explain`` without building the explanation (faster)."""
    return explain(programme, situation, period, variables, trace=False)


def calculate_response(
    programme: Programme, situation: Mapping[str, Any], period: str | Period | None = None
) -> dict[str, Any]:
    """OpenFisca ``/calculate``: the situation with its null values computed."""
    per = _as_period(period) if period is not None else None
    pop, requested = parse_situation(programme, situation, default_period=per)
    run = SingleRun(programme, pop, False)
    results = {req: run.get(req[0], req[2], req[3]) for req in requested}
    return fill_response(situation, programme, results)
