"""Datastore queries on 10,000,000 rows: Civitas (Parquet + DuckDB) beside PostgreSQL, as CKAN's
datastore stores tables, in the same run.

The issue's goals: a filtered first page p50 <= 20 ms, count and group-by aggregates <= 300 ms.
The same table is loaded into a PostgreSQL table the way CKAN's datastore makes one (``_id``
serial primary key, one typed column per field, ANALYZEd; CKAN's ``_full_text`` column and its GIN
index are left out, which only makes PostgreSQL's side lighter) and queried with the SQL CKAN
issues (rows ordered by ``_id``). Civitas is measured through its own code path
(``civitas.opendata.datastore.query.search`` and ``datastore.sql``), not raw DuckDB: a generation
is queried through its native DuckDB copy, made once when the generation is written.

    python bench/opendata_datastore.py                      # 10,000,000 rows
    python bench/opendata_datastore.py --rows 1000000 --no-postgres
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test python bench/opendata_datastore.py

The Parquet file and the PostgreSQL table are kept (var/bench/, table ``bench_datastore_<rows>``)
and reused by the next run with the same row count.
"""

# ruff: noqa: S608 - benchmark SQL over our own table names

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_VAR = ROOT / "var" / "bench"
GOALS_MS = {"first page": 20.0, "count": 300.0, "group-by": 300.0}
REGIONS = ["capital", "north", "south", "east", "west", "islands", "lakes", "hills"]
PROGRAMMES = [
    "maternity-care",
    "child-benefit",
    "old-age-pension",
    "housing-allowance",
    "food-allowance",
]
STATUSES = ["paid", "pending", "returned", "cancelled"]


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")
    os.environ.setdefault("CIVITAS_ENV", "development")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["OPENDATA_DATASTORE_DIR"] = str(BENCH_VAR / "datastore")
    os.environ.setdefault("OPENDATA_QUERY_TIMEOUT_MS", "60000")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_table(rows: int):
    """Payments-like rows, reproducible: region, programme, month, status, amount, household."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(7)
    month = (
        np.datetime64("2023-01-01") + (rng.integers(0, 36, rows) * 30).astype("timedelta64[D]")
    ).astype("datetime64[D]")
    region = pa.DictionaryArray.from_arrays(
        pa.array(
            rng.choice(len(REGIONS), rows, p=[0.3, 0.15, 0.15, 0.12, 0.1, 0.08, 0.05, 0.05]).astype(
                "int32"
            )
        ),
        pa.array(REGIONS),
    )
    programme = pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(PROGRAMMES), rows).astype("int32")), pa.array(PROGRAMMES)
    )
    status = pa.DictionaryArray.from_arrays(
        pa.array(rng.choice(len(STATUSES), rows, p=[0.85, 0.1, 0.03, 0.02]).astype("int32")),
        pa.array(STATUSES),
    )
    return pa.table(
        {
            "_id": pa.array(np.arange(1, rows + 1, dtype=np.int64)),
            "region": region.cast(pa.string()),
            "programme": programme.cast(pa.string()),
            "month": pa.array(month, type=pa.date32()),
            "status": status.cast(pa.string()),
            "amount": pa.array(np.round(rng.gamma(4.0, 40.0, rows), 2)),
            "household": pa.array(rng.integers(1, rows // 3 + 2, rows, dtype=np.int64)),
        }
    )


FIELDS = [
    {"name": "region", "type": "string"},
    {"name": "programme", "type": "string"},
    {"name": "month", "type": "date"},
    {"name": "status", "type": "string"},
    {"name": "amount", "type": "number"},
    {"name": "household", "type": "integer"},
]


def civitas_table(rows: int):
    from civitas.opendata.datastore import engine
    from civitas.opendata.datastore.query import Table

    resource_id = f"bench-{rows}"
    file_name = f"{resource_id}/1.parquet"
    if not engine.table_path(file_name).exists():
        started = time.perf_counter()
        engine.write_generation(resource_id, 1, make_table(rows))
        print(
            f"  wrote {rows:,} rows as Parquet in {time.perf_counter() - started:.1f} s", flush=True
        )
    if not engine.table_path(engine.cache_name(file_name)).exists():
        started = time.perf_counter()
        engine.build_cache(file_name)
        print(
            f"  made its DuckDB copy in {time.perf_counter() - started:.1f} s (once per generation)",
            flush=True,
        )
    return Table(
        resource_id=resource_id, file_name=file_name, schema={"fields": FIELDS}, row_count=rows
    )


def postgres_table(url: str, table, rows: int) -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    name = f"bench_datastore_{rows}"
    try:
        connection = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as exc:
        print(f"  PostgreSQL not reachable at {url}: {str(exc).strip().splitlines()[0]}")
        return None
    with connection:
        have = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename = %s", [name]
        ).fetchone()[0]
        if have:
            count = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            if count == rows:
                return name
            connection.execute(f'DROP TABLE "{name}"')
        print(f"  loading {rows:,} rows into PostgreSQL table {name} (once)...", flush=True)
        started = time.perf_counter()
        connection.execute(
            f'CREATE TABLE "{name}" (_id integer, region text, programme text, month date, '
            "status text, amount numeric, household bigint)"
        )
        import tempfile

        import duckdb

        from civitas.opendata.datastore import engine

        with tempfile.TemporaryDirectory() as folder:
            csv_path = Path(folder) / "rows.csv"
            duckdb.connect().execute(
                f"COPY (SELECT * FROM read_parquet({engine.sql_path(table.file_name)})) "
                f"TO '{csv_path}' (FORMAT csv, HEADER false)"
            )
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    f'COPY "{name}" (_id, region, programme, month, status, amount, household) '
                    "FROM STDIN (FORMAT csv)"
                ) as copy,
                csv_path.open("rb") as handle,
            ):
                for chunk in iter(lambda: handle.read(8 * 1024 * 1024), b""):
                    copy.write(chunk)
        connection.execute(f'ALTER TABLE "{name}" ADD PRIMARY KEY (_id)')
        connection.execute(f'ANALYZE "{name}"')
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return name


def p50(measure, repeat: int) -> float:
    measure()  # warm: plans, caches, file metadata
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        measure()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    configure()
    from civitas.opendata.datastore import query, sql

    print(f"datastore benchmark: {args.rows:,} rows, p50 of {args.repeat} runs after one warm-up")
    print(f"  load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    table = civitas_table(args.rows)
    t = table.resource_id
    filters = {"region": "north", "programme": "child-benefit", "status": "pending"}
    group_sql = (
        f'SELECT region, programme, count(*) AS payments, sum(amount) AS total FROM "{t}" '
        "GROUP BY region, programme ORDER BY region, programme"
    )
    checked = sql.check(group_sql)
    ours = {
        "first page": lambda: query.search(
            table, {"filters": filters, "limit": 100, "include_total": False}
        ),
        "first page + total": lambda: query.search(table, {"filters": filters, "limit": 100}),
        "count": lambda: query.search(table, {"filters": filters, "limit": 0}),
        "group-by": lambda: sql.run(checked, files={t: table.file_name}),
    }
    page = ours["first page + total"]()
    assert len(page["records"]) == 100 and page["total"] > 0
    results = {name: p50(run, args.repeat) for name, run in ours.items()}
    theirs: dict[str, float] = {}
    if not args.no_postgres:
        name = postgres_table(args.postgres_url, table, args.rows)
        if name:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as connection:
                where = "region = %s AND programme = %s AND status = %s"
                values = [filters["region"], filters["programme"], filters["status"]]
                columns = "_id, region, programme, month, status, amount, household"
                statements = {
                    "first page": (
                        f'SELECT {columns} FROM "{name}" WHERE {where} ORDER BY _id LIMIT 100',
                        values,
                    ),
                    "count": (f'SELECT count(*) FROM "{name}" WHERE {where}', values),
                    "group-by": (
                        f'SELECT region, programme, count(*), sum(amount) FROM "{name}" '
                        "GROUP BY region, programme ORDER BY region, programme",
                        [],
                    ),
                }
                for label, (statement, params) in statements.items():
                    theirs[label] = p50(
                        lambda s=statement, p=params: connection.execute(s, p).fetchall(),
                        args.repeat,
                    )
                theirs["first page + total"] = theirs["first page"] + theirs["count"]
    print()
    print(
        f"{'query':<22}{'Civitas ms':>12}{'PostgreSQL ms':>15}{'ratio':>9}{'goal ms':>10}  verdict"
    )
    for label, ms in results.items():
        other = theirs.get(label)
        goal = GOALS_MS.get(label)
        ratio = f"{other / ms:>8.1f}x" if other else f"{'-':>9}"
        verdict = ("meets goal" if ms <= goal else "MISSES goal") if goal else ""
        print(
            f"{label:<22}{ms:>12.1f}{(f'{other:.1f}' if other else '-'):>15}{ratio}"
            f"{(f'{goal:.0f}' if goal else '-'):>10}  {verdict}"
        )
    print("\nratio = PostgreSQL time / Civitas time (above 1: Civitas is faster)")
    print(
        f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
