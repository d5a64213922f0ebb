"""Parameter values in force at a date, resolved once per formula and date.

A formula reads parameters at the start of the period it is computed for. All
the parameters a formula version names are resolved when it starts, so both
evaluators fail in the same cases (a parameter missing at that date) whatever
branch of the formula a situation takes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civitas.rules.errors import EvaluationError
from civitas.rules.explanation import PARAMETER, Explanation
from civitas.rules.model import FormulaVersion, Parameter, Programme, Scale, ScaleAt, Variable


class ResolvedParameters:
    """Values (and explanation nodes) of one formula's parameters on one date."""

    __slots__ = ("nodes", "values")

    def __init__(self, values: dict[str, Any], nodes: dict[str, Explanation]) -> None:
        self.values = values
        self.nodes = nodes


def resolve(
    programme: Programme, variable: Variable, version: FormulaVersion, day: date
) -> ResolvedParameters:
    cache: dict[tuple[int, date], ResolvedParameters] = programme._cache.setdefault("params", {})
    key = (id(version), day)
    found = cache.get(key)
    if found is not None:
        return found
    values: dict[str, Any] = {}
    nodes: dict[str, Explanation] = {}
    for path in version.parameters:
        param = programme.parameters[path]
        value, reference = value_at(param, day, variable, version)
        values[path] = value
        nodes[path] = Explanation(
            variable=path,
            value=_node_value(value),
            kind=PARAMETER,
            label=param.description,
            reference=reference,
            unit=param.unit,
        )
    found = ResolvedParameters(values, nodes)
    cache[key] = found
    return found


def value_at(
    param: Parameter | Scale,
    day: date,
    variable: Variable | None = None,
    version: FormulaVersion | None = None,
) -> tuple[Any, str]:
    """The value of ``param`` on ``day`` and its legal reference, or an EvaluationError."""
    if isinstance(param, Scale):
        at = param.at(day)
        if not at.thresholds:
            raise _missing(param, day, variable, version)
        refs = [r for r in dict.fromkeys(at.references) if r] or [param.reference]
        return at, "; ".join(r for r in refs if r)
    entry = param.entry_at(day)
    if entry is None:
        raise _missing(param, day, variable, version)
    value = entry.value
    if param.value_type.kind == "float":
        value = float(value)
    return value, entry.reference or param.reference


def _node_value(value: Any) -> Any:
    if isinstance(value, ScaleAt):
        return [
            {"threshold": t, ("rate" if value.kind == "marginal_rate" else "amount"): v}
            for t, v in zip(value.thresholds, value.values, strict=True)
        ]
    return value


def _missing(
    param: Parameter | Scale, day: date, variable: Variable | None, version: FormulaVersion | None
) -> EvaluationError:
    first = param.first_start()
    if first is None or day < first:
        when = f"its first value starts on {first}" if first else "it has no values"
    else:
        when = "it was ended before that date"
    where = f"{version.location}: {variable.name} " if version and variable else ""
    return EvaluationError(
        f"{where}needs parameter {param.path} on {day.isoformat()}, but {when} ({param.location})"
    )
