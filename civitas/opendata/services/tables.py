"""Writing datastore tables: Parquet generations and their CSV, JSON and Parquet downloads."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from civitas.opendata import files
from civitas.opendata.datastore import engine
from civitas.opendata.datastore.schema import (
    ARROW_TYPES,
    Report,
    table_schema,
)
from civitas.opendata.errors import ValidationError
from civitas.opendata.lifecycle import ResourceState
from civitas.opendata.models import (
    Dataset,
    DatastoreTable,
    Resource,
    UrlType,
)


def _arrow(fields: list[dict], columns: dict[str, list], ids: list[int]) -> pa.Table:
    arrays = [pa.array(ids, type=pa.int64())]
    names = ["_id"]
    for field in fields:
        arrays.append(pa.array(columns[field["name"]], type=ARROW_TYPES[field["type"]]))
        names.append(field["name"])
    return pa.Table.from_arrays(arrays, names=names)


def _write_table(
    resource: Resource,
    *,
    fields: list[dict],
    columns: dict[str, list],
    rows: int,
    primary_key: list[str],
    now,
    table: pa.Table | None = None,
    exports: bool = True,
) -> DatastoreTable:
    """Write a new generation of a resource's table and its download files (inside the write)."""
    current = DatastoreTable.objects.select_for_update().filter(resource=resource).first()
    generation = (current.generation + 1) if current else 1
    if table is None:
        table = _arrow(fields, columns, list(range(1, rows + 1)))
    file_name = engine.write_generation(str(resource.id), generation, table)
    schema = table_schema(fields, primary_key)
    if current is None:
        current = DatastoreTable.objects.create(
            resource=resource,
            schema=schema,
            row_count=table.num_rows,
            generation=generation,
            file_name=file_name,
            created=now,
            modified=now,
        )
    else:
        current.schema = schema
        current.row_count = table.num_rows
        current.generation = generation
        current.file_name = file_name
        current.modified = now
        current.save()
    if exports:
        _write_exports(resource, file_name)
    resource.last_modified = now
    resource.metadata_modified = now
    resource.url_type = UrlType.DATASTORE
    resource.reachable = True
    if not resource.format:
        resource.format = "CSV"
        resource.mimetype = "text/csv"
    resource.save()
    rid = str(resource.id)
    transaction.on_commit(lambda: engine.remove_generations(rid, keep=file_name))
    return current


def _write_exports(resource: Resource, file_name: str) -> None:
    """CSV, JSON and Parquet downloads of a table, on the private target until published."""
    stem = (resource.name or "data").rsplit(".", 1)[0][:80] or "data"
    target = files.PRIVATE
    stored = dict(resource.files or {})
    if resource.storage_target and resource.storage_target != files.PRIVATE:
        # already public: keep what is there, new exports start on the private side
        stored = {}
    for fmt in ("csv", "json", "parquet"):
        path = engine.export(file_name, fmt)
        try:
            key, _, _ = files.put_path(target, files.key_for(resource, f"{stem}.{fmt}"), path)
        finally:
            path.unlink(missing_ok=True)
        stored[fmt] = key
    old_target = resource.storage_target or files.PRIVATE
    if old_target != target:
        old = dict(resource.files or {})
        transaction.on_commit(lambda: files.delete(old_target, list(files.iter_keys(old))))
        # the original upload (if any) follows the exports to the private side
        if old.get("original"):
            stored["original"] = files.copy(old_target, target, old["original"])
    resource.files = stored
    resource.storage_target = target


def _parse_records(records: Any) -> list:
    if records is None:
        return []
    if isinstance(records, str):
        try:
            records = json.loads(records)
        except ValueError:
            raise ValidationError({"records": ["Could not parse as valid JSON"]}) from None
    if not isinstance(records, list):
        raise ValidationError({"records": ["records must be a list of objects"]})
    return records


def _report_error(report: Report) -> ValidationError:
    return ValidationError(
        {
            "records": [
                f"row {e['row']}"
                + (f', field "{e["field"]}"' if e["field"] else "")
                + f": {e['message']}"
                for e in report.errors
            ],
            "validation_report": report.as_dict(),
        }
    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _widen(table: pa.Table, fields: list[dict]) -> pa.Table:
    for field in fields:
        if field["name"] not in table.column_names:
            table = table.append_column(
                field["name"], pa.nulls(table.num_rows, type=ARROW_TYPES[field["type"]])
            )
    return table.select(["_id", *[f["name"] for f in fields]])


def _check_unique(table: pa.Table, keys: list[str]) -> None:
    if not keys or table.num_rows == 0:
        return
    seen: set = set()
    columns = [table.column(k).to_pylist() for k in keys]
    for values in zip(*columns, strict=True):
        if values in seen:
            raise ValidationError(
                {
                    "constraints": [
                        f"Cannot insert records: duplicate key {dict(zip(keys, values, strict=True))}"
                    ]
                }
            )
        seen.add(values)


def publish_table(
    *,
    dataset: Dataset,
    name: str,
    description: str,
    table: pa.Table,
    fields: list[dict],
    exports: bool = True,
) -> Resource:
    """The publication pipeline's write of one table (already checked for disclosure): a
    datastore resource of ``dataset`` named ``name``, created or given a new generation. Runs
    inside the caller's transaction."""
    now = timezone.now()
    resource = dataset.resources.filter(name=name, state=ResourceState.ACTIVE).first()
    if resource is None:
        resource = Resource.objects.create(
            dataset=dataset,
            name=name,
            description=description,
            format="CSV",
            mimetype="text/csv",
            url_type=UrlType.DATASTORE,
            position=dataset.resources.filter(state=ResourceState.ACTIVE).count(),
            created=now,
            metadata_modified=now,
            storage_target=files.PRIVATE,
        )
    elif resource.description != description:
        resource.description = description
    ids = pa.array(range(1, table.num_rows + 1), type=pa.int64())
    with_ids = table.add_column(0, "_id", ids) if "_id" not in table.column_names else table
    _write_table(
        resource,
        fields=fields,
        columns={},
        rows=0,
        primary_key=[],
        now=now,
        table=with_ids,
        exports=exports,
    )
    return resource
