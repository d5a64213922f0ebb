"""The explanation tree a single determination returns.

Each node says what was worked out (a variable, a condition in a formula, or a
parameter), its value, a label and legal reference where the programme gives
them, and the nodes it was worked out from. The structure is meant for a
portal to render in plain language: conditions that held or failed, amounts
with their legal basis, intermediate values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

COMPUTATION = "computation"  # a variable worked out by a formula
CONDITION = "condition"  # a true/false variable, or a comparison inside a formula
PARAMETER = "parameter"  # a value set by law, with its legal reference
INPUT = "input"  # a value given in the situation (or its default when not given)


@dataclass(slots=True, eq=False)
class Explanation:
    variable: str  # variable name, parameter path, or the text of a condition
    value: Any
    kind: str
    label: str = ""
    reference: str = ""
    period: Any = None  # a Period, shown as YYYY-MM / YYYY / ETERNITY
    entity: str = ""
    entity_id: str = ""
    formula: str = ""
    unit: str = ""
    defaulted: bool = False  # an input that was not given, so its default applied
    # what the value was worked out from (an empty tuple for given values)
    children: Sequence[Explanation] = field(default_factory=list)

    @property
    def held(self) -> bool | None:
        """For a condition: whether it held."""
        return bool(self.value) if self.kind == CONDITION else None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, variable: str) -> Explanation | None:
        return next((n for n in self.walk() if n.variable == variable), None)

    def to_dict(self, _seen: set[int] | None = None) -> dict[str, Any]:
        """A JSON-ready dict. A node already written in full earlier in the same tree
        (a value used in several places) is written again without its children,
        marked ``"repeated": true``."""
        seen = set() if _seen is None else _seen
        out: dict[str, Any] = {
            "variable": self.variable,
            "value": json_value(self.value),
            "kind": self.kind,
        }
        for key in ("label", "reference", "entity", "entity_id", "formula", "unit"):
            v = getattr(self, key)
            if v:
                out[key] = v
        if self.period is not None:
            out["period"] = str(self.period)
        if self.defaulted:
            out["defaulted"] = True
        if self.children:
            if id(self) in seen:
                out["repeated"] = True
            else:
                seen.add(id(self))
                out["children"] = [c.to_dict(seen) for c in self.children]
        return out


def json_value(value: Any) -> Any:
    """A value as JSON can carry it: dates as ISO text, numpy scalars as Python ones."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
