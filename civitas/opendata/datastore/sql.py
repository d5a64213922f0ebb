"""datastore_search_sql: one read-only SELECT over datastore tables, checked before it runs.

The statement is parsed by DuckDB's own parser (what we check is exactly what would run):

- one statement, and it must be a SELECT (no writes, ATTACH, COPY, PRAGMA, SET, INSTALL, ...);
- every table it reads is a datastore table, named by its resource id (no schemas, no catalogs, no
  DESCRIBE/SHOW, no table functions such as ``read_csv('...')`` or ``query('...')``);
- every function it calls is on a list of pure functions (arithmetic, text, dates, aggregates,
  windows); anything else, such as ``getvariable`` or ``current_setting``, is refused by name.

It then runs on a DuckDB connection that can only read the datastore folder and whose settings are
locked, under a time limit. Each refusal says why.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import duckdb

from civitas.opendata.datastore import engine
from civitas.opendata.datastore.query import MAX_LIMIT, quote
from civitas.opendata.errors import NotAuthorized, ValidationError

ALLOWED_FUNCTIONS = frozenset(
    [
        "count",
        "count_star",
        "sum",
        "avg",
        "mean",
        "min",
        "max",
        "median",
        "mode",
        "quantile",
        "quantile_cont",
        "quantile_disc",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "variance",
        "var_pop",
        "var_samp",
        "string_agg",
        "group_concat",
        "listagg",
        "list",
        "array_agg",
        "first",
        "last",
        "any_value",
        "arg_min",
        "arg_max",
        "argmin",
        "argmax",
        "min_by",
        "max_by",
        "bool_and",
        "bool_or",
        "corr",
        "covar_pop",
        "covar_samp",
        "approx_count_distinct",
        "approx_quantile",
        "histogram",
        "entropy",
        "kurtosis",
        "skewness",
        "product",
        "fsum",
        "sumkahan",
        "favg",
        "count_if",
        "countif",
        "regr_slope",
        "regr_intercept",
        "regr_r2",
        "regr_count",
        "regr_avgx",
        "regr_avgy",
        "bit_and",
        "bit_or",
        "bit_xor",
        "row_number",
        "rank",
        "dense_rank",
        "percent_rank",
        "cume_dist",
        "ntile",
        "lag",
        "lead",
        "first_value",
        "last_value",
        "nth_value",
        "abs",
        "ceil",
        "ceiling",
        "floor",
        "round",
        "round_even",
        "trunc",
        "sign",
        "sqrt",
        "cbrt",
        "exp",
        "ln",
        "log",
        "log10",
        "log2",
        "pow",
        "power",
        "mod",
        "greatest",
        "least",
        "pi",
        "degrees",
        "radians",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "atan2",
        "isnan",
        "isinf",
        "isfinite",
        "even",
        "gcd",
        "lcm",
        "lower",
        "upper",
        "lcase",
        "ucase",
        "length",
        "len",
        "char_length",
        "character_length",
        "strlen",
        "substr",
        "substring",
        "left",
        "right",
        "trim",
        "ltrim",
        "rtrim",
        "concat",
        "concat_ws",
        "replace",
        "reverse",
        "lpad",
        "rpad",
        "position",
        "strpos",
        "instr",
        "starts_with",
        "ends_with",
        "suffix",
        "prefix",
        "contains",
        "split_part",
        "string_split",
        "str_split",
        "regexp_matches",
        "regexp_replace",
        "regexp_extract",
        "regexp_full_match",
        "format",
        "printf",
        "ascii",
        "chr",
        "unicode",
        "strip_accents",
        "nfc_normalize",
        "levenshtein",
        "jaro_winkler_similarity",
        "damerau_levenshtein",
        "hamming",
        "jaccard",
        "translate",
        "bit_length",
        "octet_length",
        "md5",
        "sha256",
        "hash",
        "like_escape",
        "ilike_escape",
        "date_part",
        "datepart",
        "date_trunc",
        "datetrunc",
        "date_diff",
        "datediff",
        "date_sub",
        "datesub",
        "extract",
        "year",
        "month",
        "day",
        "dayofweek",
        "dayofmonth",
        "dayofyear",
        "week",
        "weekofyear",
        "quarter",
        "hour",
        "minute",
        "second",
        "epoch",
        "epoch_ms",
        "strftime",
        "strptime",
        "try_strptime",
        "make_date",
        "make_time",
        "make_timestamp",
        "to_timestamp",
        "current_date",
        "today",
        "last_day",
        "monthname",
        "dayname",
        "age",
        "isodow",
        "isoyear",
        "yearweek",
        "decade",
        "century",
        "millennium",
        "to_days",
        "to_months",
        "to_years",
        "to_hours",
        "to_minutes",
        "to_seconds",
        "coalesce",
        "ifnull",
        "nullif",
        "if",
        "greatest",
        "least",
        "typeof",
        "list_value",
        "list_extract",
        "list_element",
        "array_extract",
        "array_length",
        "list_contains",
        "list_has",
        "array_contains",
        "list_sort",
        "list_distinct",
        "list_aggregate",
        "list_transform",
        "list_filter",
        "unnest",
        "struct_pack",
        "struct_extract",
        "row",
        "json_extract",
        "json_extract_string",
        "json_extract_path",
        "json_extract_path_text",
        "json_array_length",
        "json_keys",
        "json_valid",
        "json_type",
    ]
)
_TABLE_REFS = {"BASE_TABLE", "JOIN", "SUBQUERY", "EMPTY", "EXPRESSION_LIST"}
_REFUSED_REFS = {
    "TABLE_FUNCTION": "table functions (such as read_csv or read_parquet) cannot be used",
    "SHOW_REF": "DESCRIBE, SHOW and SUMMARIZE cannot be used; ask datastore_search for fields",
    "PIVOT": "PIVOT cannot be used",
    "COLUMN_DATA": "this kind of table reference cannot be used",
    "DELIM_GET": "this kind of table reference cannot be used",
}


@dataclass(frozen=True)
class Checked:
    sql: str
    tables: frozenset[str]


def _parse(sql: str) -> dict:
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise ValidationError({"query": [f"The SQL cannot be read: {_first_line(exc)}"]}) from None
    if len(statements) != 1:
        raise ValidationError({"query": ["Query is not a single statement."]})
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).rsplit(".", 1)[-1]
        raise ValidationError(
            {"query": [f"Only a SELECT statement is allowed; this is a {name} statement."]}
        )
    tree = json.loads(_parser().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error"):
        raise ValidationError({"query": [f"The SQL cannot be used: {tree.get('error_message')}"]})
    return tree


_local = threading.local()


def _parser() -> duckdb.DuckDBPyConnection:
    """A per-thread DuckDB used only to parse (opening one costs more than most queries)."""
    connection = getattr(_local, "parser", None)
    if connection is None:
        connection = _local.parser = duckdb.connect(":memory:")
    return connection


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _walk(node: Any, *, tables: set[str], ctes: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, tables=tables, ctes=ctes)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    klass = node.get("class")
    if klass is None and kind in _REFUSED_REFS:
        raise NotAuthorized(_REFUSED_REFS[kind])
    if klass is None and kind == "BASE_TABLE":
        if node.get("schema_name") or node.get("catalog_name"):
            qualified = ".".join(
                p
                for p in (node.get("catalog_name"), node.get("schema_name"), node["table_name"])
                if p
            )
            raise NotAuthorized(
                f'Not authorized to access table "{qualified}": only datastore tables, named by '
                "their resource id, can be queried"
            )
        tables.add(node["table_name"])
    if klass in {"FUNCTION", "WINDOW"} or (klass is None and kind == "FUNCTION"):
        name = str(node.get("function_name", "")).lower()
        if node.get("schema") or node.get("catalog"):
            raise NotAuthorized(f"Not authorized to call function {node.get('function_name')}")
        if not node.get("is_operator") and name not in ALLOWED_FUNCTIONS:
            raise NotAuthorized(f"Not authorized to call function {node.get('function_name')}")
    cte_map = node.get("cte_map")
    if isinstance(cte_map, dict):
        for entry in cte_map.get("map", []):
            ctes.add(entry.get("key"))
    for value in node.values():
        _walk(value, tables=tables, ctes=ctes)


def check(sql: str) -> Checked:
    """Parse and vet a query; returns the datastore tables it reads (by name)."""
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError({"sql": ["Missing value"]})
    if len(sql) > 100_000:
        raise ValidationError({"sql": ["The query is too long (at most 100,000 characters)"]})
    tree = _parse(sql)
    tables: set[str] = set()
    ctes: set[str] = set()
    _walk(tree.get("statements", []), tables=tables, ctes=ctes)
    return Checked(sql=sql, tables=frozenset(tables - ctes))


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, list):
        return [_cell(v) for v in value]
    if isinstance(value, dict):
        return {k: _cell(v) for k, v in value.items()}
    return value


_CKAN_TYPES = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "SMALLINT": "int2",
    "HUGEINT": "numeric",
    "DOUBLE": "float8",
    "FLOAT": "float4",
    "DECIMAL": "numeric",
    "BOOLEAN": "bool",
    "VARCHAR": "text",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "ENUM": "text",  # text columns with few values, as stored in the DuckDB copy
}


def run(checked: Checked, *, files: dict[str, str]) -> dict:
    """Run a checked query; ``files`` maps each table it reads to its Parquet generation."""
    missing = checked.tables - set(files)
    if missing:
        raise ValueError(f"no file for {sorted(missing)}")
    wrapped = f"SELECT * FROM ({checked.sql.strip().rstrip(';')}) AS q LIMIT {MAX_LIMIT + 1}"  # noqa: S608
    # The wrapped text is checked again: it must still be one SELECT over the same tables.
    rechecked = check(wrapped)
    if rechecked.tables - checked.tables:
        raise ValidationError({"query": ["The SQL cannot be used"]})
    connection = engine.shared_query_connection()
    for name in checked.tables:
        # the caller checked the reader may see each of these tables; point their names at the
        # current generation (views live in this thread's sandboxed connection)
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {quote(name)} AS "  # noqa: S608 - our names and paths
            f"SELECT * FROM {engine.source(connection, files[name])}"
        )
    with engine.time_limit(connection, engine.timeout_ms()):
        try:
            cursor = connection.execute(wrapped)
            rows = cursor.fetchall()
        except duckdb.InterruptException:
            raise
        except duckdb.PermissionException:
            raise NotAuthorized("the query tried to read something it may not") from None
        except duckdb.Error as exc:
            raise ValidationError({"query": [_first_line(exc)]}) from None
        description = cursor.description or []
    names = [column[0] for column in description]
    fields = [
        {"id": name, "type": _CKAN_TYPES.get(str(column[1]).split("(")[0].upper(), "text")}
        for name, column in zip(names, description, strict=True)
    ]
    result: dict[str, Any] = {
        "sql": checked.sql,
        "fields": fields,
        "records": [
            {name: _cell(value) for name, value in zip(names, row, strict=True)}
            for row in rows[:MAX_LIMIT]
        ],
    }
    if len(rows) > MAX_LIMIT:
        result["records_truncated"] = True
    return result
