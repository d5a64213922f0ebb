"""Each datastore generation is queried through a native DuckDB copy made next to its Parquet
file; to callers nothing changes: text stays text, order and filters behave as on the Parquet."""

# ruff: noqa: S608 - SQL over our own test table

from __future__ import annotations

import pyarrow as pa

FIELDS = [
    {"name": "region", "type": "string"},
    {"name": "label", "type": "string"},
    {"name": "amount", "type": "number"},
]


def _table(rows: int):
    from civitas.opendata.datastore import engine
    from civitas.opendata.datastore.query import Table

    regions = ["north", "south", "east", "Zeta", "élan"]
    arrow = pa.table(
        {
            "_id": pa.array(range(1, rows + 1), type=pa.int64()),
            "region": pa.array([regions[i % 5] if i % 7 else None for i in range(rows)]),
            "label": pa.array([f"row {i}" for i in range(rows)]),  # many values: stays text
            "amount": pa.array([float(i) for i in range(rows)]),
        }
    )
    file_name = engine.write_generation("copy-test", 1, arrow)
    return Table(
        resource_id="copy-test", file_name=file_name, schema={"fields": FIELDS}, row_count=rows
    )


def test_a_generation_gets_its_copy_and_answers_as_the_parquet_does(opendata_folders):
    import duckdb

    from civitas.opendata.datastore import engine, query, sql

    table = _table(6000)
    copy = engine.table_path(engine.cache_name(table.file_name))
    assert copy.is_file()
    with duckdb.connect(str(copy), read_only=True) as native:
        kinds = dict(
            native.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
            ).fetchall()
        )
    assert kinds["region"].startswith("ENUM") and kinds["label"] == "VARCHAR"

    parquet = duckdb.connect()
    source = f"read_parquet({engine.sql_path(table.file_name)})"
    statement = (
        'SELECT region, count(*) AS n, sum(amount) AS total FROM "copy-test" '
        "WHERE region <> 'south' OR region IS NULL GROUP BY region ORDER BY region NULLS LAST"
    )
    ours = sql.run(sql.check(statement), files={"copy-test": table.file_name})
    expected = parquet.execute(statement.replace('"copy-test"', source)).fetchall()
    assert [tuple(r.values()) for r in ours["records"]] == [tuple(r) for r in expected]
    assert [f["type"] for f in ours["fields"]] == ["text", "int8", "float8"]

    page = query.search(table, {"filters": {"region": ["Zeta", "nowhere"]}, "limit": 3})
    assert [r["_id"] for r in page["records"]] == [4, 9, 14]
    assert (
        page["total"]
        == parquet.execute(f"SELECT count(*) FROM {source} WHERE region = 'Zeta'").fetchone()[0]
    )
    assert query.search(table, {"filters": {"region": "nowhere"}})["total"] == 0
    assert (
        query.search(table, {"q": {"region": "LAN"}, "limit": 1})["records"][0]["region"] == "élan"
    )


def test_a_missing_copy_is_made_by_the_first_query_and_removed_with_its_generation(
    opendata_folders,
):
    from civitas.opendata.datastore import engine, query

    table = _table(50)
    copy = engine.table_path(engine.cache_name(table.file_name))
    copy.unlink()
    engine.shared_query_connection()  # a connection that has not seen it
    found = query.search(table, {"filters": {"region": "north"}, "limit": 100})
    assert copy.is_file() and found["total"] == 8
    engine.remove_generations("copy-test")
    assert not copy.exists() and not engine.table_path(table.file_name).exists()
