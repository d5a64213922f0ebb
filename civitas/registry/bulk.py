"""Writing many rows at once: executemany on SQLite, COPY on PostgreSQL.

Used where a row per household or beneficiary is written (payment cycles, proactive invitations,
registry imports); the ORM's bulk_create is several times slower at a million rows.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from collections.abc import Callable

import polars as pl
from django.db import connection

Rows = Callable[[int], None]  # told the rows read so far
REPORT_EVERY = 65_536  # rows: the Arrow reader's batches are small, progress is told less often
FETCH_ROWS = 200_000  # rows fetched at a time by the plain cursor


def insert_frame(table: str, frame: pl.DataFrame, *, chunk: int = 100_000) -> int:
    """Insert every row of ``frame`` (its column names are the table's) into ``table``."""
    if frame.height == 0:
        return 0
    columns = frame.columns
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            names = ", ".join(columns)
            with raw.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, frame.height, chunk):
                    buffer = io.BytesIO()
                    part = frame.slice(start, chunk)
                    bools = [c for c, t in part.schema.items() if t == pl.Boolean]
                    if bools:
                        part = part.with_columns(
                            pl.when(pl.col(c)).then(pl.lit("t")).otherwise(pl.lit("f")).alias(c)
                            for c in bools
                        )
                    part.write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
        return frame.height
    placeholders = ", ".join(["%s"] * len(columns))
    # table and column names come from our models, never from input; values are bound
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, frame.height, chunk):
            cursor.executemany(sql, frame.slice(start, chunk).iter_rows())
    return frame.height


def analyze(table: str) -> None:
    """Refresh the planner's statistics after a bulk write (PostgreSQL has none on a million
    fresh rows until autovacuum comes by, and guesses how many a condition keeps)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def roomy_joins(megabytes: int = 256) -> None:
    """Let this transaction's big joins hash in memory (PostgreSQL's default work_mem of 4 MB
    spills a million-row join to disk). Lasts until the transaction ends."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{int(megabytes)}MB'")


def read_frame(
    sql: str, params: list, schema: dict, *, progress: Rows | None = None
) -> pl.DataFrame:
    """Rows of ``sql`` as a frame with ``schema`` (names and types, in the select's order).

    ``progress`` is told the rows read so far, between the batches the read brings in anyway
    (at most once per ``REPORT_EVERY`` rows, and once at the end): the Arrow reader's batches,
    the plain cursor's ``fetchmany``. On PostgreSQL it is told once, when the COPY has ended:
    the connection cannot run anything else in the middle of a COPY, and a callback may want to.

    PostgreSQL: COPY out as CSV, parsed by Polars. SQLite outside a transaction: a short-lived
    reader process reads the file through ADBC straight into Arrow and streams it back (Arrow IPC),
    a fraction of the CPU of building a Python tuple per row. It is a separate process on purpose:
    the ADBC driver carries its own copy of SQLite, and two copies in one process break each
    other's file locks. Inside a transaction a second connection would not see uncommitted rows,
    so the transaction's own cursor is used.
    """
    if connection.vendor == "postgresql":
        # (ADBC on PostgreSQL was measured too: no less CPU here, and slower overall than COPY
        # as CSV parsed by Polars; see ADR 0060)
        frame = _read_postgres(sql, params, schema)
        if progress is not None:
            progress(frame.height)
        return frame
    if connection.vendor == "sqlite" and _adbc_usable():
        return _read_adbc(sql, params, schema, progress)
    sqlite = connection.vendor == "sqlite"
    load = {k: (pl.Int8 if v == pl.Boolean and sqlite else v) for k, v in schema.items()}
    parts = []
    done = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            parts.append(pl.DataFrame(rows, schema=load, orient="row"))
            done += len(rows)
            if progress is not None:
                progress(done)
    if progress is not None and not parts:
        progress(0)
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).cast(schema)


def _adbc_usable() -> bool:
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.in_atomic_block or not name or name == ":memory:" or "mode=memory" in name:
        return False
    return _has("adbc_driver_sqlite")


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


_READER = r"""
import json, sys
import adbc_driver_sqlite.dbapi as adbc
import pyarrow.ipc as ipc
request = json.loads(sys.stdin.readline())
with adbc.connect("file:" + request["path"] + "?mode=ro") as conn, conn.cursor() as cursor:
    cursor.execute(request["sql"], parameters=request["params"] or None)
    reader = cursor.fetch_record_batch()
    with ipc.new_stream(sys.stdout.buffer, reader.schema) as out:
        for batch in reader:
            out.write_batch(batch)
"""


def _read_adbc(sql: str, params: list, schema: dict, progress: Rows | None) -> pl.DataFrame:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    request = {
        "path": str(connection.settings_dict["NAME"]),
        "sql": sql.replace("%s", "?"),
        "params": [str(p) if isinstance(p, str) else p for p in params],  # enum members as text
    }
    # our own fixed program, run with this interpreter; the query comes from our code
    reader = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", _READER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        reader.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        reader.stdin.close()
        try:
            stream = ipc.open_stream(reader.stdout)
            if progress is None:
                table = stream.read_all()
            else:
                table = pa.Table.from_batches(_told(stream, progress), schema=stream.schema)
        except _Interrupted as stop:  # the progress callback raised: stop the reader, pass it on
            reader.kill()
            raise stop.__cause__ from None
        except Exception:  # the reader failed before writing a stream: its message says why
            table = None
        problem = reader.stderr.read().decode("utf-8", "replace")
    finally:
        code = reader.wait()
    if code or table is None:
        raise RuntimeError(f"the registry reader failed: {problem.strip()[-500:]}")
    if table.num_rows == 0:
        return pl.DataFrame(schema=schema)
    return pl.from_arrow(table.rename_columns(list(schema))).cast(schema)


class _Interrupted(Exception):
    """A progress callback raised (``__cause__``): not a failure of the reader."""


def _told(stream, progress: Rows) -> list:
    """The stream's record batches, telling ``progress`` the rows read as they come."""
    batches, done, told = [], 0, 0

    def tell() -> None:
        try:
            progress(done)
        except Exception as exc:
            raise _Interrupted from exc

    for batch in stream:
        batches.append(batch)
        done += batch.num_rows
        if done - told >= REPORT_EVERY:
            tell()
            told = done
    if done != told or not batches:
        tell()
    return batches


def _read_postgres(sql: str, params: list, schema: dict) -> pl.DataFrame:
    """COPY the query's rows out as CSV and let Polars parse them (no Python tuple per row)."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        plain = [str(p) if isinstance(p, str) else p for p in params]
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", plain or None) as copy:
            for chunk in copy:
                buffer.write(chunk)
    if buffer.getbuffer().nbytes == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    frame = pl.read_csv(
        buffer,
        has_header=False,
        new_columns=list(schema),
        schema_overrides={k: (pl.Utf8 if v == pl.Boolean else v) for k, v in schema.items()},
    )
    bools = [k for k, v in schema.items() if v == pl.Boolean]
    return frame.with_columns(pl.col(b) == "t" for b in bools) if bools else frame
