"""Parquet files and DuckDB: how datastore tables are written and read.

Each table generation is one Parquet file ``<resource id>/<generation>.parquet`` under the
datastore folder, rows in ``_id`` order. A write makes a new generation and readers switch to it
when the transaction that recorded it commits, so a reader never sees half a write.

Next to each generation sits a native DuckDB copy, ``<generation>.duckdb``, made once (when the
generation is written, or by the first query that finds it missing) and attached read-only to the
query connections. DuckDB scans its own format several times faster than Parquet (lightweight
compression instead of zstd pages, zone maps per row group), and text columns with few distinct
values are stored there as ENUMs, so grouping and filtering on them compare small integers. The
Parquet file stays the generation's record (downloads, upserts and rebuilding the copy read it).

Queries run on DuckDB connections that can read only the datastore folder: file access elsewhere,
extensions and configuration changes are switched off before any query is accepted, and each query
is interrupted when it passes its time limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from civitas.opendata.errors import ValidationError

# Small enough that a filtered first page decodes little, large enough for fast full scans.
ROW_GROUP_SIZE = 32_768
# A text column with at most this many distinct values is stored as an ENUM in the DuckDB copy.
ENUM_MAX_VALUES = 4096
CACHE_SUFFIX = ".duckdb"
CACHE_TABLE = "rows"
# How many generations one connection keeps attached (least recently used are detached).
ATTACHED_MAX = 64

logger = logging.getLogger(__name__)


_made: dict[str, Path] = {}


def root() -> Path:
    configured = str(settings.OPENDATA_DATASTORE_DIR)
    folder = _made.get(configured)
    if folder is None or not folder.is_dir():
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        folder = _made[configured] = path.resolve()
    return folder


def table_path(file_name: str) -> Path:
    path = (root() / file_name).resolve()
    if root() not in path.parents:
        raise ValueError(f"datastore file outside the datastore folder: {file_name}")
    return path


def sql_path(file_name: str) -> str:
    """A datastore file as a SQL string literal (our own names: uuid/number.parquet)."""
    return "'" + str(table_path(file_name)).replace("'", "''") + "'"


def write_generation(resource_id: str, generation: int, table: pa.Table) -> str:
    """Write one generation of a table; returns its file name relative to the datastore folder."""
    file_name = f"{resource_id}/{generation}.parquet"
    path = table_path(file_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        pq.write_table(
            table,
            temporary,
            compression="zstd",
            row_group_size=ROW_GROUP_SIZE,
            write_statistics=True,
        )
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    build_cache(file_name)
    return file_name


def cache_name(file_name: str) -> str:
    return str(Path(file_name).with_suffix(CACHE_SUFFIX))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_cache(file_name: str) -> bool:
    """Make the native DuckDB copy of a generation (atomically; a no-op when it exists).

    Returns False when it could not be made; queries then read the Parquet file itself."""
    path = table_path(cache_name(file_name))
    if path.exists():
        return True
    source = sql_path(file_name)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    os.unlink(temporary)  # DuckDB creates the file itself
    try:
        connection = duckdb.connect(temporary)
        try:
            described = {
                row[0]: row[1]
                for row in connection.execute(
                    f"DESCRIBE SELECT * FROM read_parquet({source})"  # noqa: S608
                ).fetchall()
            }
            texts = [name for name in described if described[name] == "VARCHAR"]
            select = []
            if texts:
                counts = connection.execute(
                    "SELECT "  # noqa: S608 - our column names, quoted
                    + ", ".join(f"approx_count_distinct({_quote(n)})" for n in texts)
                    + f" FROM read_parquet({source})"
                ).fetchone()
            enums: dict[str, list[str]] = {}
            for name, approx in zip(texts, counts if texts else (), strict=False):
                if approx is None or approx > ENUM_MAX_VALUES * 2:
                    continue
                values = [
                    row[0]
                    for row in connection.execute(
                        f"SELECT DISTINCT {_quote(name)} FROM read_parquet({source}) "  # noqa: S608
                        f"WHERE {_quote(name)} IS NOT NULL LIMIT {ENUM_MAX_VALUES + 1}"
                    ).fetchall()
                ]
                if len(values) <= ENUM_MAX_VALUES:
                    # sorted by code point, which is the order DuckDB sorts text in
                    enums[name] = sorted(values)
            for name in described:
                if name in enums:
                    literal = ", ".join("'" + v.replace("'", "''") + "'" for v in enums[name])
                    select.append(f"CAST({_quote(name)} AS ENUM({literal})) AS {_quote(name)}")
                else:
                    select.append(_quote(name))
            connection.execute(
                f"CREATE TABLE {CACHE_TABLE} AS SELECT {', '.join(select)} "  # noqa: S608
                f"FROM read_parquet({source})"
            )
            connection.execute("CHECKPOINT")
        finally:
            connection.close()
        os.replace(temporary, path)
        return True
    except (duckdb.Error, OSError):
        logger.warning("could not make the DuckDB copy of %s", file_name, exc_info=True)
        return False
    finally:
        for leftover in (temporary, temporary + ".wal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


def source(connection: duckdb.DuckDBPyConnection, file_name: str) -> str:
    """The SQL table reference for a generation on one of our query connections: its DuckDB copy,
    attached read-only (made first if missing), or the Parquet file if no copy can be had."""
    attached: dict[str, str] = _attached(connection)
    alias = attached.pop(file_name, None)
    if alias is None:
        if not build_cache(file_name):
            return f"read_parquet({sql_path(file_name)})"
        alias = "g_" + hashlib.sha256(file_name.encode()).hexdigest()[:20]
        try:
            connection.execute(f"ATTACH {sql_path(cache_name(file_name))} AS {alias} (READ_ONLY)")
        except duckdb.Error:
            logger.warning("could not attach the DuckDB copy of %s", file_name, exc_info=True)
            return f"read_parquet({sql_path(file_name)})"
        while len(attached) >= ATTACHED_MAX:
            oldest = next(iter(attached))
            with contextlib.suppress(duckdb.Error):
                connection.execute(f"DETACH {attached.pop(oldest)}")
    attached[file_name] = alias  # most recently used last
    return f"{alias}.{CACHE_TABLE}"


_attachments: dict[int, dict[str, str]] = {}


def _attached(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return _attachments.setdefault(id(connection), {})


def read_generation(file_name: str) -> pa.Table:
    return pq.read_table(table_path(file_name))


def remove_generations(resource_id: str, *, keep: str | None = None) -> None:
    """Delete a table's files except ``keep`` (called after the commit that stopped using them)."""
    folder = root() / resource_id
    if not folder.is_dir():
        return
    kept = Path(keep).stem if keep is not None else None
    for path in folder.iterdir():
        if keep is None or path.stem != kept or path.suffix == ".tmp":
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    if keep is None:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _sandboxed(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    folder = str(root()) + os.sep
    connection.execute("SET temp_directory = ''")
    # generations are never rewritten in place, so their footers can be cached safely
    connection.execute("SET parquet_metadata_cache = true")
    connection.execute("SET memory_limit = '1GB'")
    connection.execute("SET allowed_directories = [?]", [folder])
    connection.execute("SET enable_external_access = false")
    connection.execute("SET autoinstall_known_extensions = false")
    connection.execute("SET autoload_known_extensions = false")
    connection.execute("SET lock_configuration = true")
    return connection


def new_query_connection() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB that can read the datastore folder and nothing else."""
    connection = _sandboxed(duckdb.connect(":memory:"))
    _attachments[id(connection)] = {}
    return connection


_local = threading.local()


def shared_query_connection() -> duckdb.DuckDBPyConnection:
    """A per-thread sandboxed connection for queries we build ourselves (datastore_search)."""
    connection = getattr(_local, "connection", None)
    folder = getattr(_local, "folder", None)
    if connection is None or folder != str(root()):
        connection = new_query_connection()
        _local.connection, _local.folder = connection, str(root())
    return connection


@contextlib.contextmanager
def time_limit(connection: duckdb.DuckDBPyConnection, milliseconds: int) -> Iterator[None]:
    """Interrupt the connection's running query once the limit passes; raise a ValidationError
    saying so, as CKAN does."""
    timer = threading.Timer(milliseconds / 1000, connection.interrupt)
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        raise ValidationError(
            {"query": [f"Query took too long (the limit is {milliseconds / 1000:g} s)"]}
        ) from None
    finally:
        timer.cancel()


def timeout_ms() -> int:
    return int(settings.OPENDATA_QUERY_TIMEOUT_MS)


def export(file_name: str, fmt: str) -> Path:
    """Write a generation out as CSV, JSON or Parquet to a temporary file (the caller moves and deletes it)."""
    handle, temporary = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    source = sql_path(file_name)
    target = "'" + temporary.replace("'", "''") + "'"
    connection = duckdb.connect(":memory:")
    try:
        if fmt == "csv":
            connection.execute(
                f"COPY (SELECT * EXCLUDE (_id) FROM read_parquet({source})) TO {target} "  # noqa: S608
                "(FORMAT csv, HEADER true)"
            )
        elif fmt == "json":
            connection.execute(
                f"COPY (SELECT * EXCLUDE (_id) FROM read_parquet({source})) TO {target} "  # noqa: S608
                "(FORMAT json, ARRAY true)"
            )
        elif fmt == "parquet":
            connection.execute(
                f"COPY (SELECT * EXCLUDE (_id) FROM read_parquet({source})) TO {target} "  # noqa: S608
                "(FORMAT parquet, COMPRESSION zstd)"
            )
        else:
            raise ValueError(fmt)
    finally:
        connection.close()
    return Path(temporary)
