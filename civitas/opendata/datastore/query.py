"""datastore_search: filters, full-text ``q``, fields, sort, paging and totals over one table.

The SQL is ours: identifiers come from the table's schema (checked on the way in), values are
bound as parameters. Without an explicit sort, rows come back in ``_id`` order without sorting:
tables are written in that order and DuckDB keeps the order of a plain scan, so a filtered first
page stops reading as soon as it has its rows. Queries read the generation's native DuckDB copy
(see ``engine.source``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from civitas.opendata.datastore import engine
from civitas.opendata.datastore.schema import CONVERTERS, BadValue, as_list, ckan_type
from civitas.opendata.errors import ValidationError

DEFAULT_LIMIT = 100
MAX_LIMIT = 32_000
_OPERATORS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_SORT = re.compile(
    r'^\s*(?:"(?P<quoted>[^"]+)"|(?P<plain>[^\s"]+))'
    r"(?:\s+(?P<direction>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Table:
    """What a query needs to know of a datastore table."""

    resource_id: str
    file_name: str
    schema: dict
    row_count: int

    @property
    def fields(self) -> list[dict]:
        return [{"name": "_id", "type": "integer"}, *self.schema.get("fields", [])]

    def field(self, name: str) -> dict | None:
        return next((f for f in self.fields if f["name"] == name), None)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _int_param(data: dict, key: str, default: int | None, *, maximum: int | None = None) -> int:
    value = data.get(key, default)
    if value is None or value == "":
        value = default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({key: ["Invalid integer"]}) from None
    if number < 0:
        raise ValidationError({key: ["Must be a natural number"]})
    return min(number, maximum) if maximum is not None else number


def bool_param(data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    raise ValidationError({key: ["Must be true or false"]})


def json_param(data: dict, key: str) -> Any:
    """A parameter that may arrive as JSON text (GET requests) or as a structure (POST)."""
    value = data.get(key)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                return json.loads(text)
            except ValueError:
                raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
    return value


def _typed(table: Table, field: dict, value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        return CONVERTERS[field["type"]](value)
    except BadValue as exc:
        raise ValidationError(
            {where: [f'the value {json.dumps(value, default=str)} for "{field["name"]}" {exc}']}
        ) from None


def _where(table: Table, data: dict) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    filters = json_param(data, "filters")
    if filters not in (None, "", {}):
        if not isinstance(filters, dict):
            raise ValidationError({"filters": ["Filters must be defined as a dict"]})
        for name, condition in filters.items():
            field = table.field(name)
            if field is None:
                raise ValidationError({"filters": [f"Unknown field: {name}"]})
            column = quote(name)
            if isinstance(condition, list):
                if not condition:
                    raise ValidationError({"filters": [f'"{name}": the list of values is empty']})
                values = [_typed(table, field, v, "filters") for v in condition]
                clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
            elif isinstance(condition, dict):
                if not condition:
                    raise ValidationError({"filters": [f'"{name}": no condition given']})
                for op, value in condition.items():
                    if op not in _OPERATORS:
                        raise ValidationError(
                            {
                                "filters": [
                                    f'"{name}": unknown operator "{op}" (use one of '
                                    f"{', '.join(_OPERATORS)})"
                                ]
                            }
                        )
                    clauses.append(f"{column} {_OPERATORS[op]} ?")
                    params.append(_typed(table, field, value, "filters"))
            elif condition is None:
                clauses.append(f"{column} IS NULL")
            else:
                clauses.append(f"{column} = ?")
                params.append(_typed(table, field, condition, "filters"))
    q = json_param(data, "q")
    if isinstance(q, dict):
        for name, text in q.items():
            if table.field(name) is None:
                raise ValidationError({"q": [f"Unknown field: {name}"]})
            clauses.append(f"CAST({quote(name)} AS VARCHAR) ILIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(str(text))}%")
    elif q not in (None, ""):
        if not isinstance(q, str):
            raise ValidationError({"q": ["must be text or an object of field: text"]})
        columns = [f["name"] for f in table.schema.get("fields", [])]
        for word in q.split():
            ors = [f"CAST({quote(c)} AS VARCHAR) ILIKE ? ESCAPE '\\'" for c in columns]
            clauses.append("(" + " OR ".join(ors) + ")")
            params.extend([f"%{_escape_like(word)}%"] * len(columns))
    return clauses, params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(table: Table, data: dict) -> list[str]:
    order = []
    for item in as_list(data.get("sort"), "sort"):
        match = _SORT.match(item)
        name = match and (match.group("quoted") or match.group("plain"))
        if not match or table.field(name) is None:
            raise ValidationError({"sort": [f'field "{name or item}" not in resource']})
        part = f"{quote(name)} {(match.group('direction') or 'asc').upper()}"
        if match.group("nulls"):
            part += f" NULLS {match.group('nulls').upper()}"
        order.append(part)
    return order


def _jsonable(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "object":
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def result_fields(table: Table, names: list[str]) -> list[dict]:
    out = []
    for name in names:
        field = table.field(name)
        entry: dict[str, Any] = {"id": name, "type": ckan_type(field["type"])}
        info = {}
        if field.get("title"):
            info["label"] = field["title"]
        if field.get("description"):
            info["notes"] = field["description"]
        if info:
            entry["info"] = info
        out.append(entry)
    return out


def search(table: Table, data: dict) -> dict:
    limit = _int_param(data, "limit", DEFAULT_LIMIT, maximum=MAX_LIMIT)
    offset = _int_param(data, "offset", 0)
    include_total = bool_param(data, "include_total", True)
    distinct = bool_param(data, "distinct", False)
    records_format = data.get("records_format") or "objects"
    if records_format not in {"objects", "lists", "csv", "tsv"}:
        raise ValidationError(
            {"records_format": ["Value must be one of: objects; lists; csv; tsv"]}
        )
    names = as_list(data.get("fields"), "fields") or [f["name"] for f in table.fields]
    for name in names:
        if table.field(name) is None:
            raise ValidationError({"fields": [f'field "{name}" not in resource']})
    clauses, params = _where(table, data)
    order = _order(table, data)
    select = ", ".join(quote(n) for n in names)
    connection = engine.shared_query_connection()
    source = engine.source(connection, table.file_name)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    body = f"SELECT {'DISTINCT ' if distinct else ''}{select} FROM {source}{where}"  # noqa: S608
    page = body + (f" ORDER BY {', '.join(order)}" if order else "") + " LIMIT ? OFFSET ?"
    with engine.time_limit(connection, engine.timeout_ms()):
        rows = connection.execute(page, [*params, limit, offset]).fetchall()
        total = None
        if include_total:
            if clauses or distinct:
                total = connection.execute(
                    f"SELECT count(*) FROM ({body})",  # noqa: S608 - values are bound parameters
                    params,
                ).fetchone()[0]
            else:
                total = table.row_count
    kinds = [table.field(n)["type"] for n in names]
    result: dict[str, Any] = {
        "resource_id": table.resource_id,
        "fields": result_fields(table, names),
        "limit": limit,
        "records_format": records_format,
        "include_total": include_total,
        "total_was_estimated": False,
    }
    if records_format == "objects":
        result["records"] = [
            {n: _jsonable(v, k) for n, v, k in zip(names, row, kinds, strict=True)} for row in rows
        ]
    elif records_format == "lists":
        result["records"] = [
            [_jsonable(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows
        ]
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if records_format == "csv" else "\t")
        for row in rows:
            writer.writerow(
                ["" if v is None else _jsonable(v, k) for v, k in zip(row, kinds, strict=True)]
            )
        result["records"] = buffer.getvalue()
    if total is not None:
        result["total"] = total
    for key in ("filters", "q", "sort", "distinct"):
        if data.get(key) not in (None, ""):
            result[key] = json_param(data, key)
    if offset:
        result["offset"] = offset
    result["_links"] = {
        "start": f"/api/3/action/datastore_search?resource_id={table.resource_id}",
        "next": f"/api/3/action/datastore_search?offset={offset + limit}"
        f"&resource_id={table.resource_id}",
    }
    return result


def preview(table: Table, *, rows: int = 10) -> tuple[list[dict], list[list[Any]]]:
    """The first rows of a table for the dataset page (without ``_id``)."""
    fields = table.schema.get("fields", [])
    names = [f["name"] for f in fields]
    if not names:
        return [], []
    select = ", ".join(quote(n) for n in names)
    connection = engine.shared_query_connection()
    source = engine.source(connection, table.file_name)
    with engine.time_limit(connection, engine.timeout_ms()):
        found = connection.execute(
            f"SELECT {select} FROM {source} LIMIT ?",  # noqa: S608
            [rows],
        ).fetchall()
    kinds = [f["type"] for f in fields]
    return fields, [[_jsonable(v, k) for v, k in zip(row, kinds, strict=True)] for row in found]


def column_summary(table: Table, column: str, *, by: str | None, limit: int = 12) -> list[tuple]:
    """Sum of a numeric column by the values of another (for the page's chart)."""
    connection = engine.shared_query_connection()
    source = engine.source(connection, table.file_name)
    with engine.time_limit(connection, engine.timeout_ms()):
        if by:
            return connection.execute(
                f"SELECT CAST({quote(by)} AS VARCHAR) AS label, sum({quote(column)}) AS value "  # noqa: S608
                f"FROM {source} GROUP BY 1 ORDER BY 1 LIMIT ?",
                [limit],
            ).fetchall()
        return connection.execute(
            f"SELECT CAST(_id AS VARCHAR), {quote(column)} FROM {source} ORDER BY _id LIMIT ?",  # noqa: S608
            [limit],
        ).fetchall()
