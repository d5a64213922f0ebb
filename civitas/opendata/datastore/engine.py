"""Parquet files and DuckDB: how datastore tables are written and read.

Each table generation is one Parquet file ``<resource id>/<generation>.parquet`` under the
datastore folder, rows in ``_id`` order. A write makes a new generation and readers switch to it
when the transaction that recorded it commits, so a reader never sees half a write.

Queries run on DuckDB connections that can read only the datastore folder: file access elsewhere,
extensions and configuration changes are switched off before any query is accepted, and each query
is interrupted when it passes its time limit.
"""

from __future__ import annotations

import contextlib
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
    return file_name


def read_generation(file_name: str) -> pa.Table:
    return pq.read_table(table_path(file_name))


def remove_generations(resource_id: str, *, keep: str | None = None) -> None:
    """Delete a table's files except ``keep`` (called after the commit that stopped using them)."""
    folder = root() / resource_id
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if keep is None or path.name != Path(keep).name:
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
    return _sandboxed(duckdb.connect(":memory:"))


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
