"""Typed columns for datastore tables: Frictionless Table Schema, and CKAN's datastore type names.

A table's schema is stored as a Table Schema (``{"fields": [...], "primaryKey": [...]}``); the CKAN
API speaks its own type names (``text``, ``int``, ``numeric``, ...), translated both ways here.
Values are converted and checked row by row, and every problem is reported with its row, field and
value, so a publisher can fix the file instead of guessing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from civitas.opendata.errors import ValidationError

# Table Schema type -> Arrow type of the Parquet column
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "object": pa.string(),  # JSON text
}

# CKAN datastore type names (and common synonyms) -> Table Schema type
_FROM_CKAN = {
    "text": "string",
    "string": "string",
    "varchar": "string",
    "int": "integer",
    "int4": "integer",
    "int8": "integer",
    "bigint": "integer",
    "integer": "integer",
    "smallint": "integer",
    "float": "number",
    "float4": "number",
    "float8": "number",
    "double": "number",
    "numeric": "number",
    "number": "number",
    "decimal": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "datetime",
    "datetime": "datetime",
    "json": "object",
    "object": "object",
}
_TO_CKAN = {
    "string": "text",
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "object": "json",
}
_NAME = re.compile(r"^[^\"%_\x00-\x1f][^\"%\x00-\x1f]{0,62}$")
MAX_REPORTED_ERRORS = 100


def ckan_type(table_schema_type: str) -> str:
    return _TO_CKAN.get(table_schema_type, "text")


def _check_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or name.strip() != name:
        raise ValidationError(
            {
                where: [
                    f'"{name}" is not a valid field name: up to 63 characters, not starting with '
                    '"_", without double quotes or "%"'
                ]
            }
        )
    return name


def normalise_fields(fields: Any) -> list[dict]:
    """Accept CKAN ``fields`` ([{"id", "type", "info"}]) or Table Schema ``fields`` ([{"name",
    "type", ...}]) and return Table Schema fields; errors name the offending field."""
    if not isinstance(fields, list) or not fields:
        raise ValidationError({"fields": ["fields must be a non-empty list of field definitions"]})
    out: list[dict] = []
    seen: set[str] = set()
    for position, field in enumerate(fields):
        if not isinstance(field, dict):
            raise ValidationError({"fields": [f"field {position + 1} is not an object"]})
        name = _check_name(field.get("name", field.get("id")), "fields")
        if name.lower() in seen:
            raise ValidationError({"fields": [f'field "{name}" is defined twice']})
        seen.add(name.lower())
        raw_type = str(field.get("type") or "text").strip().lower()
        kind = _FROM_CKAN.get(raw_type)
        if kind is None:
            raise ValidationError({"fields": [f'field "{name}" has an unknown type "{raw_type}"']})
        entry: dict[str, Any] = {"name": name, "type": kind}
        info = field.get("info") if isinstance(field.get("info"), dict) else {}
        for key in ("title", "description"):
            value = field.get(key) or info.get({"title": "label", "description": "notes"}[key])
            if value:
                entry[key] = str(value)[:1000]
        constraints = field.get("constraints")
        if constraints is not None:
            if not isinstance(constraints, dict):
                raise ValidationError(
                    {"fields": [f'field "{name}": constraints must be an object']}
                )
            entry["constraints"] = _check_constraints(name, kind, constraints)
        out.append(entry)
    return out


_CONSTRAINTS = {"required", "unique", "minimum", "maximum", "minLength", "maxLength", "enum"}


def _check_constraints(name: str, kind: str, constraints: dict) -> dict:
    unknown = set(constraints) - _CONSTRAINTS - {"pattern"}
    if unknown:
        raise ValidationError(
            {"fields": [f'field "{name}": unknown constraint(s) {", ".join(sorted(unknown))}']}
        )
    checked = dict(constraints)
    if "pattern" in checked:
        try:
            re.compile(str(checked["pattern"]))
        except re.error as exc:
            raise ValidationError(
                {"fields": [f'field "{name}": pattern is not a valid regular expression ({exc})']}
            ) from None
    if "enum" in checked and not isinstance(checked["enum"], list):
        raise ValidationError({"fields": [f'field "{name}": enum must be a list']})
    return checked


def table_schema(fields: list[dict], primary_key: Iterable[str] | None = None) -> dict:
    names = {f["name"] for f in fields}
    keys = [k for k in (primary_key or []) if k]
    for key in keys:
        if key not in names:
            raise ValidationError({"primary_key": [f'"{key}" is not a field of this table']})
    schema: dict[str, Any] = {"fields": fields}
    if keys:
        schema["primaryKey"] = keys
    return schema


def as_list(value: Any, where: str) -> list[str]:
    """CKAN accepts lists or comma-separated strings for fields, sort and primary_key."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise ValidationError({where: ["must be a list of strings or a comma-separated string"]})


# --- values --------------------------------------------------------------------------------------

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_INT = re.compile(r"^[+-]?\d+$")


class BadValue(Exception):
    pass


def _to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue("is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace("_", "")
    if not _INT.match(text):
        raise BadValue("is not a whole number")
    number = int(text)
    if not -(2**63) <= number < 2**63:
        raise BadValue("is too large")
    return number


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue("is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(Decimal(str(value).strip()))
        except (InvalidOperation, ValueError):
            raise BadValue("is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise BadValue("is not a finite number")
    return number


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("is not true or false")


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadValue("is not a date (YYYY-MM-DD)") from None


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _naive_utc(value)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue("is not a date and time (YYYY-MM-DDTHH:MM:SS)") from None
    return _naive_utc(parsed) if parsed.tzinfo else parsed


def _naive_utc(value: datetime) -> datetime:
    from datetime import UTC

    return value.astimezone(UTC).replace(tzinfo=None)


def _to_object(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    try:
        json.loads(str(value))
    except ValueError:
        raise BadValue("is not valid JSON") from None
    return str(value)


def _to_string(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


CONVERTERS = {
    "string": _to_string,
    "integer": _to_integer,
    "number": _to_number,
    "boolean": _to_boolean,
    "date": _to_date,
    "datetime": _to_datetime,
    "object": _to_object,
}


def convert_value(field: dict, value: Any) -> Any:
    """One value converted to the field's type and checked against its constraints; raises
    BadValue with a message that completes "the value ..."."""
    constraints = field.get("constraints") or {}
    if value is None or (isinstance(value, str) and value.strip() == ""):
        # an empty cell is a missing value, whatever the column's type
        if constraints.get("required"):
            raise BadValue("is missing, and this field is required")
        return None
    converted = CONVERTERS[field["type"]](value)
    if "enum" in constraints and converted not in [
        CONVERTERS[field["type"]](item) for item in constraints["enum"]
    ]:
        raise BadValue("is not one of the allowed values")
    if "minimum" in constraints and converted < CONVERTERS[field["type"]](constraints["minimum"]):
        raise BadValue(f"is below the minimum {constraints['minimum']}")
    if "maximum" in constraints and converted > CONVERTERS[field["type"]](constraints["maximum"]):
        raise BadValue(f"is above the maximum {constraints['maximum']}")
    if isinstance(converted, str):
        if "minLength" in constraints and len(converted) < int(constraints["minLength"]):
            raise BadValue(f"is shorter than {constraints['minLength']} characters")
        if "maxLength" in constraints and len(converted) > int(constraints["maxLength"]):
            raise BadValue(f"is longer than {constraints['maxLength']} characters")
        if "pattern" in constraints and not re.fullmatch(str(constraints["pattern"]), converted):
            raise BadValue("does not match the expected pattern")
    return converted


class Report:
    """The validation report of one upload: counts, and the first problems found."""

    def __init__(self) -> None:
        self.rows = 0
        self.error_count = 0
        self.errors: list[dict] = []

    def add(self, *, row: int, field: str | None, value: Any, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            shown = value if value is None or isinstance(value, int | float | bool) else str(value)
            if isinstance(shown, str) and len(shown) > 100:
                shown = shown[:100] + "…"
            self.errors.append({"row": row, "field": field, "value": shown, "message": message})

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "rows": self.rows,
            "error_count": self.error_count,
            "errors": self.errors,
            "errors_truncated": self.error_count > len(self.errors),
        }


def convert_records(
    fields: list[dict], records: Iterable[dict], *, report: Report, first_row: int = 1
) -> dict[str, list]:
    """Columns of converted values from record dicts; problems go to ``report``. Unknown keys in a
    record are reported too (they would otherwise be silently dropped)."""
    names = [f["name"] for f in fields]
    known = set(names)
    columns: dict[str, list] = {name: [] for name in names}
    for offset, record in enumerate(records):
        row = first_row + offset
        report.rows += 1
        if not isinstance(record, dict):
            report.add(row=row, field=None, value=None, message="the record is not an object")
            continue
        for key in record:
            if key not in known and key != "_id":
                report.add(
                    row=row,
                    field=str(key),
                    value=record[key],
                    message=f'"{key}" is not a field of this table',
                )
        for field in fields:
            value = record.get(field["name"])
            try:
                columns[field["name"]].append(convert_value(field, value))
            except BadValue as exc:
                columns[field["name"]].append(None)
                report.add(row=row, field=field["name"], value=value, message=f"the value {exc}")
    return columns


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def infer_fields(header: list[str], rows: list[list[str]]) -> list[dict]:
    """Guess a type per column from sample rows of text (a CSV without a schema)."""
    fields = []
    for index, name in enumerate(header):
        values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        kind = "string"
        if values:
            if all(_INT.match(v) for v in values):
                kind = "integer"
            elif all(_NUMBER.match(v) for v in values):
                kind = "number"
            elif all(v.lower() in {"true", "false"} for v in values):
                kind = "boolean"
            elif all(_DATE.match(v) for v in values):
                kind = "date"
            elif all(_DATETIME.match(v) for v in values):
                kind = "datetime"
        fields.append({"name": name, "type": kind})
    return fields
