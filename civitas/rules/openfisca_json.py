"""Situations and responses in the shape of OpenFisca's web API.

A situation names persons and groups (``persons``, ``households``...); a group
lists its members by role plural (``adults``, ``children``); each variable
holds a value, or values by period (``{"2017-01": 4000}``), or ``null`` for a
value the client asks to be computed. The response is the same document with
the nulls filled in, so clients written for OpenFisca's ``/calculate`` work.

Within this engine a bare value (not keyed by period) holds for every period.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from civitas.rules.errors import SituationError
from civitas.rules.explanation import json_value
from civitas.rules.loader import coerce_value
from civitas.rules.model import Programme, Variable
from civitas.rules.periods import ETERNAL, ETERNITY, MONTH, YEAR, Period, parse_period
from civitas.rules.single import SinglePopulation

# (variable, entity key, entity index, period) of a value the client asked for
Request = tuple[str, str, int, Period]


def parse_situation(
    programme: Programme,
    data: Any,
    default_period: Period | None = None,
    bare_values_period: Period | None = None,
) -> tuple[SinglePopulation, list[Request]]:
    """Build a population from an OpenFisca-style situation.

    ``bare_values_period``: when set (YAML tests), a value not keyed by period holds
    for that period only, as in OpenFisca's test runner; otherwise for every period.
    """
    if not isinstance(data, Mapping):
        raise SituationError("the situation must be a JSON object with persons and households")
    person = programme.person_entity
    groups = programme.group_entities
    known = {person.plural} | {g.plural for g in groups}
    for key in data:
        if key not in known:
            raise SituationError(
                f"unknown entity {key!r} in the situation; expected " + ", ".join(sorted(known))
            )
    persons = data.get(person.plural)
    if not isinstance(persons, Mapping) or not persons:
        raise SituationError(f"the situation needs at least one person under {person.plural!r}")
    ids: dict[str, list[str]] = {person.key: [str(p) for p in persons]}
    p_index = {pid: i for i, pid in enumerate(ids[person.key])}
    pop = SinglePopulation(ids=ids, group_of={}, role_of={}, members={})
    requested: list[Request] = []
    for g in groups:
        instances = data.get(g.plural) or {}
        if not isinstance(instances, Mapping):
            raise SituationError(f"{g.plural} must map ids to {g.key} descriptions")
        g_ids: list[str] = []
        group_of = [-1] * len(p_index)
        role_of = [""] * len(p_index)
        members: list[list[int]] = []
        bodies: list[tuple[int, str, Mapping[str, Any]]] = []
        roles = {r.plural: r for r in g.roles} | {r.key: r for r in g.roles}
        for gid, body in instances.items():
            if not isinstance(body, Mapping):
                raise SituationError(f"{g.plural}.{gid} must be an object")
            gi = len(g_ids)
            g_ids.append(str(gid))
            for key, value in body.items():
                role = roles.get(key)
                if role is None:
                    continue
                names = value if isinstance(value, list) else [value]
                for name in names:
                    pi = p_index.get(str(name))
                    if pi is None:
                        raise SituationError(
                            f"{g.plural}.{gid}.{key} names {name!r}, who is not "
                            f"among {person.plural}"
                        )
                    if group_of[pi] != -1:
                        raise SituationError(
                            f"{name!r} is in two {g.plural}: {g_ids[group_of[pi]]!r} and {gid!r}"
                        )
                    group_of[pi] = gi
                    role_of[pi] = role.key
            bodies.append((gi, str(gid), body))
        for pi, gi in enumerate(group_of):  # a person in no group lives alone
            if gi == -1:
                group_of[pi] = len(g_ids)
                role_of[pi] = g.roles[0].key
                g_ids.append(ids[person.key][pi])
        for _ in g_ids:
            members.append([])
        for pi, gi in enumerate(group_of):
            members[gi].append(pi)
        ids[g.key] = g_ids
        pop.group_of[g.key] = group_of
        pop.role_of[g.key] = role_of
        pop.members[g.key] = members
        for gi, gid, body in bodies:
            variables = {k: v for k, v in body.items() if k not in roles}
            _read_values(
                programme,
                pop,
                requested,
                g.key,
                gi,
                f"{g.plural}.{gid}",
                variables,
                default_period,
                bare_values_period,
            )
    for pid, body in persons.items():
        if not isinstance(body, Mapping):
            raise SituationError(f"{person.plural}.{pid} must be an object")
        _read_values(
            programme,
            pop,
            requested,
            person.key,
            p_index[str(pid)],
            f"{person.plural}.{pid}",
            body,
            default_period,
            bare_values_period,
        )
    return pop, requested


def _read_values(
    programme: Programme,
    pop: SinglePopulation,
    requested: list[Request],
    entity: str,
    index: int,
    path: str,
    body: Mapping[str, Any],
    default_period: Period | None,
    bare_period: Period | None,
) -> None:
    variables = programme.variables
    inputs = pop.inputs
    for name, raw in body.items():
        var = variables.get(name)
        if var is None:
            raise SituationError(f"{path}: unknown variable {name!r}")
        if var.entity != entity:
            raise SituationError(f"{path}: {name} is a {var.entity} variable, not a {entity} one")
        if type(raw) is dict or isinstance(raw, Mapping):
            values: dict[Period, Any] = {}
            for pkey, pval in raw.items():
                try:
                    per = parse_period(pkey)
                except ValueError as exc:
                    raise SituationError(f"{path}.{name}: {exc}") from None
                if pval is None:
                    requested.append((name, entity, index, _fit(var, per, path)))
                    continue
                if var.period_unit != per.unit:
                    per = _fit_input(var, per, path)
                values[per] = _coerce(var, pval, path, pkey)
            if values:
                if var.period_unit == ETERNITY:
                    inputs.setdefault(name, {})[index] = next(iter(values.values()))
                else:
                    inputs.setdefault(name, {})[index] = values
        elif raw is None:
            if default_period is None:
                raise SituationError(
                    f'{path}.{name}: give the period to compute, e.g. {{"2024-01": null}}'
                )
            requested.append((name, entity, index, _fit(var, default_period, path)))
        elif isinstance(raw, list):
            raise SituationError(f"{path}.{name}: a list of values is only allowed in YAML tests")
        else:
            value = _coerce(var, raw, path)
            if bare_period is not None and var.period_unit != ETERNITY:
                per = _fit_input(var, bare_period, path)
                inputs.setdefault(name, {})[index] = {per: value}
            else:
                inputs.setdefault(name, {})[index] = value


def _coerce(var: Variable, raw: Any, path: str, period_key: Any = None) -> Any:
    kind = var.value_type.kind
    t = type(raw)
    if kind == "float" and (t is float or t is int):
        return float(raw)  # the common case, without the general checks
    if kind == "int" and t is int:
        return raw
    if kind == "bool" and t is bool:
        return raw
    try:
        return coerce_value(raw, var.value_type)
    except ValueError as exc:
        where = f"{path}.{var.name}" + (f".{period_key}" if period_key is not None else "")
        raise SituationError(f"{where}: {exc}") from None


def _fit(var: Variable, per: Period, path: str) -> Period:
    """The period of a requested value, in the variable's own unit."""
    where = f"{path}.{var.name}"
    if var.period_unit == ETERNITY:
        return ETERNAL
    if per.unit == ETERNITY:
        raise SituationError(
            f"{where}: {var.name} is defined by {var.period_unit}; give a period, not ETERNITY"
        )
    if var.period_unit == YEAR and per.unit == MONTH:
        raise SituationError(
            f"{where}: {var.name} is defined by year; ask for {per.year}, not {per}"
        )
    if var.period_unit == MONTH and per.unit == YEAR:
        raise SituationError(
            f"{where}: {var.name} is defined by month; ask for a month such as {per.year}-01"
        )
    return per


def _fit_input(var: Variable, per: Period, path: str) -> Period:
    where = f"{path}.{var.name}"
    if var.period_unit == ETERNITY:
        return ETERNAL
    if per.unit == ETERNITY:
        raise SituationError(
            f"{where}: {var.name} is defined by {var.period_unit}; give its value by period"
        )
    if var.period_unit == MONTH and per.unit == YEAR and var.set_input != "divide":
        raise SituationError(f"{where}: {var.name} is defined by month; give monthly values")
    if var.period_unit == YEAR and per.unit == MONTH:
        raise SituationError(f"{where}: {var.name} is defined by year; give a yearly value")
    return per


def fill_response(
    data: Mapping[str, Any], programme: Programme, values: dict[Request, Any]
) -> dict[str, Any]:
    """The situation with every requested (null) value replaced by its result."""
    out = copy.deepcopy(dict(data))
    entities = {e.key: e for e in programme.entities.values()}
    ids_by_entity: dict[str, list[str]] = {}
    for (name, entity, index, per), value in values.items():
        plural = entities[entity].plural
        if entity not in ids_by_entity:
            ids_by_entity[entity] = [str(k) for k in out[plural]]
        ident = ids_by_entity[entity][index] if index < len(ids_by_entity[entity]) else None
        if ident is None:
            continue
        body = out[plural][_original_key(out[plural], ident)]
        slot = body.get(name)
        if isinstance(slot, dict):
            key = next((k for k in slot if _same_period(k, per)), str(per))
            slot[key] = json_value(value)
        else:
            body[name] = {str(per): json_value(value)}
    return out


def _original_key(mapping: Mapping[Any, Any], ident: str) -> Any:
    return next(k for k in mapping if str(k) == ident)


def _same_period(key: Any, per: Period) -> bool:
    try:
        parsed = parse_period(key)
    except ValueError:
        return False
    return parsed == per or (per.unit == ETERNITY and parsed.unit != ETERNITY)
