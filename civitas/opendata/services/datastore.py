"""datastore_create and datastore_upsert: typed records, checked row by row."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.opendata import files
from civitas.opendata.datastore import engine
from civitas.opendata.datastore.schema import (
    Report,
    convert_records,
    infer_fields,
    normalise_fields,
)
from civitas.opendata.errors import NotAuthorized, NotFound, ValidationError
from civitas.opendata.models import (
    Dataset,
    DatastoreTable,
    Resource,
    UrlType,
)
from civitas.opendata.selectors import Access
from civitas.opendata.services.base import _actor, _after_commit_relocate, _bump, _touch
from civitas.opendata.services.resources import _resource_base
from civitas.opendata.services.tables import (
    _arrow,
    _as_text,
    _check_unique,
    _parse_records,
    _report_error,
    _widen,
    _write_table,
)


def datastore_create(
    *,
    access: Access,
    resource: Resource | None,
    fields: Any,
    records: Any,
    primary_key: Any = None,
    new_resource_in: Dataset | None = None,
    new_resource: dict | None = None,
) -> DatastoreTable:
    """Create a resource's table, or add fields and append records to it (as CKAN does). With
    ``new_resource_in`` and ``new_resource``, the resource is created in the same transaction."""
    from civitas.opendata.datastore.schema import as_list

    owner = new_resource_in if resource is None else resource.dataset
    if owner is None:
        raise ValidationError({"resource_id": ["resource_id or resource required"]})
    if not access.can_edit(owner.organization_id):
        raise NotAuthorized("you are not an editor of this dataset's publisher")
    records = _parse_records(records)
    keys = as_list(primary_key, "primary_key")
    existing = DatastoreTable.objects.filter(resource=resource).first() if resource else None
    old_fields = existing.schema.get("fields", []) if existing else []
    if fields in (None, "", []):
        if existing is None:
            if not records:
                raise ValidationError(
                    {"fields": ["Missing value: give fields, or records to guess them from"]}
                )
            header = list(dict.fromkeys(k for r in records if isinstance(r, dict) for k in r))
            sample = [
                [_as_text(r.get(h)) for h in header] for r in records[:1000] if isinstance(r, dict)
            ]
            new_fields = normalise_fields(infer_fields(header, sample))
        else:
            new_fields = old_fields
    else:
        new_fields = normalise_fields(fields)
    merged = list(old_fields)
    by_name = {f["name"]: f for f in old_fields}
    for field in new_fields:
        old = by_name.get(field["name"])
        if old is None:
            merged.append(field)
        elif old["type"] != field["type"]:
            raise ValidationError(
                {
                    "fields": [
                        f'field "{field["name"]}" is {old["type"]}; it cannot change to {field["type"]}'
                    ]
                }
            )
    if not keys and existing is not None:
        keys = existing.schema.get("primaryKey", [])
    report = Report()
    columns = convert_records(merged, records, report=report)
    if not report.valid:
        raise _report_error(report)
    now = timezone.now()
    with transaction.atomic():
        if resource is None:
            resource = _resource_base(owner, new_resource or {}, now=now, idempotency_key="")
            resource.url_type = UrlType.DATASTORE
            resource.storage_target = files.PRIVATE
            resource.save()
        locked = Resource.objects.select_for_update().select_related("dataset").get(pk=resource.pk)
        if existing is not None:
            old_table = engine.read_generation(existing.file_name)
            start = (max(old_table.column("_id").to_pylist()) if old_table.num_rows else 0) + 1
            new_table = _arrow(merged, columns, list(range(start, start + len(records))))
            old_table = _widen(old_table, merged)
            table = pa.concat_tables([old_table, new_table])
        else:
            table = _arrow(merged, columns, list(range(1, len(records) + 1)))
        _check_unique(table, keys)
        saved = _write_table(
            locked, fields=merged, columns={}, rows=0, primary_key=keys, now=now, table=table
        )
        _touch(locked.dataset, now=now)
        _bump(locked.dataset)
        audit.record(
            actor=_actor(access),
            action="opendata:datastore:created"
            if existing is None
            else "opendata:datastore:extended",
            subject=locked,
            after={
                "fields": [f["name"] for f in merged],
                "records_added": len(records),
                "rows": saved.row_count,
            },
        )
        _after_commit_relocate(locked.dataset)
    return saved


def datastore_upsert(
    *, access: Access, resource: Resource, records: Any, method: str = "upsert"
) -> DatastoreTable:
    """Insert, update or upsert records by the table's primary key (or ``_id``)."""
    if not access.can_edit(resource.dataset.organization_id):
        raise NotAuthorized("you are not an editor of this dataset's publisher")
    if method not in {"upsert", "insert", "update"}:
        raise ValidationError({"method": ['"method" must be one of upsert, insert, update']})
    existing = DatastoreTable.objects.filter(resource=resource).first()
    if existing is None:
        raise NotFound(f'Resource "{resource.id}" was not found.')
    records = _parse_records(records)
    fields = existing.schema.get("fields", [])
    keys = existing.schema.get("primaryKey", []) or ["_id"]
    if method != "insert":
        for number, record in enumerate(records, start=1):
            if isinstance(record, dict) and not all(k in record for k in keys):
                raise ValidationError(
                    {
                        "key": [
                            f"record {number} has no value for the key field(s) {', '.join(keys)}"
                        ]
                    }
                )
    table = engine.read_generation(existing.file_name)
    data = {name: table.column(name).to_pylist() for name in table.column_names}
    field_by_name = {f["name"]: f for f in fields}
    id_field = {"name": "_id", "type": "integer"}
    from civitas.opendata.datastore.schema import BadValue, convert_value

    index = {}
    key_fields = [field_by_name.get(k, id_field) for k in keys]
    for row, values in enumerate(zip(*(data[k] for k in keys), strict=True)):
        index[values] = row
    report = Report()
    appended = 0
    next_id = (max(data["_id"]) if data["_id"] else 0) + 1
    for number, record in enumerate(records, start=1):
        report.rows += 1
        if not isinstance(record, dict):
            report.add(row=number, field=None, value=None, message="the record is not an object")
            continue
        errors_before = report.error_count
        unknown = [k for k in record if k not in field_by_name and k != "_id"]
        for k in unknown:
            report.add(
                row=number, field=k, value=record[k], message=f'"{k}" is not a field of this table'
            )
        converted = {}
        for name, value in record.items():
            field = id_field if name == "_id" else field_by_name.get(name)
            if field is None:
                continue
            try:
                converted[name] = convert_value(field, value)
            except BadValue as exc:
                report.add(row=number, field=name, value=value, message=f"the value {exc}")
        if report.error_count > errors_before:
            continue
        key_values = (
            tuple(converted.get(f["name"]) for f in key_fields) if method != "insert" else None
        )
        row = index.get(key_values) if key_values is not None else None
        if method == "update" and row is None:
            report.add(
                row=number,
                field=None,
                value=None,
                message=f"key {dict(zip(keys, key_values, strict=True))} not found",
            )
            continue
        if row is not None:
            for name, value in converted.items():
                if name != "_id":
                    data[name][row] = value
            continue
        if method == "insert" and keys != ["_id"]:
            key_values = tuple(converted.get(k) for k in keys)
            if key_values in index:
                report.add(
                    row=number,
                    field=None,
                    value=None,
                    message=f"key {dict(zip(keys, key_values, strict=True))} already exists",
                )
                continue
        for field in fields:
            try:
                value = convert_value(field, record.get(field["name"]))
            except BadValue as exc:
                report.add(
                    row=number,
                    field=field["name"],
                    value=record.get(field["name"]),
                    message=f"the value {exc}",
                )
                value = None
            data[field["name"]].append(value)
        data["_id"].append(next_id)
        index[tuple(data[k][-1] for k in keys)] = len(data["_id"]) - 1
        next_id += 1
        appended += 1
    if not report.valid:
        raise _report_error(report)
    now = timezone.now()
    with transaction.atomic():
        locked = Resource.objects.select_for_update().select_related("dataset").get(pk=resource.pk)
        new_table = _arrow(fields, data, data["_id"])
        saved = _write_table(
            locked,
            fields=fields,
            columns={},
            rows=0,
            primary_key=existing.schema.get("primaryKey", []),
            now=now,
            table=new_table,
        )
        _touch(locked.dataset, now=now)
        _bump(locked.dataset)
        audit.record(
            actor=_actor(access),
            action="opendata:datastore:upserted",
            subject=locked,
            after={
                "method": method,
                "records": len(records),
                "appended": appended,
                "rows": saved.row_count,
            },
        )
        _after_commit_relocate(locked.dataset)
    return saved
