"""Resources: links, uploaded files (CSV checked and loaded into the datastore) and link checks."""

from __future__ import annotations

import csv
import io
import json
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.opendata import files
from civitas.opendata.datastore.schema import (
    Report,
    convert_records,
    infer_fields,
    normalise_fields,
)
from civitas.opendata.errors import NotAuthorized, ValidationError
from civitas.opendata.lifecycle import ResourceState
from civitas.opendata.models import (
    Dataset,
    Resource,
    UrlType,
)
from civitas.opendata.selectors import Access
from civitas.opendata.services.base import (
    MAX_UPLOAD_BYTES,
    _actor,
    _after_commit_relocate,
    _bump,
    _label,
    _touch,
    _version,
)
from civitas.opendata.services.tables import _write_table
from civitas.opendata.validation import clean_resource
from civitas.opendata.vocabularies import file_type, format_from_filename


def _resource_base(dataset: Dataset, data: dict, *, now, idempotency_key: str) -> Resource:
    cleaned = clean_resource(data)
    position = dataset.resources.filter(state=ResourceState.ACTIVE).count()
    return Resource(
        dataset=dataset,
        name=cleaned["name"],
        description=cleaned["description"],
        format=cleaned["format"],
        mimetype=cleaned["mimetype"],
        resource_type=cleaned["resource_type"],
        url=cleaned["url"],
        position=position,
        created=now,
        metadata_modified=now,
        idempotency_key=idempotency_key,
    )


def _new_link_resource(dataset: Dataset, item: dict, *, position: int, now) -> Resource:
    found = file_type(item.get("format", ""))
    return Resource.objects.create(
        dataset=dataset,
        name=item.get("name", ""),
        description=item.get("description", ""),
        format=item.get("format", ""),
        mimetype=item.get("mimetype") or (found.media_type if found else ""),
        resource_type=item.get("resource_type", ""),
        url=item.get("url", ""),
        url_type=UrlType.LINK,
        position=position,
        created=now,
        last_modified=None,
        metadata_modified=now,
    )


def create_resource(
    *,
    access: Access,
    dataset: Dataset,
    data: dict,
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    idempotency_key: str = "",
) -> Resource:
    """resource_create: a link, or an uploaded file. A CSV upload is checked against its Table
    Schema (given as ``schema``, or guessed) and loaded into the datastore; when any value breaks
    the schema, nothing is stored and the report says which rows and why."""
    if not access.can_edit(dataset.organization_id):
        raise NotAuthorized("you are not an editor of this dataset's publisher")
    key = (idempotency_key or "")[:100]
    if key:
        existing = dataset.resources.filter(idempotency_key=key, state=ResourceState.ACTIVE).first()
        if existing is not None:
            return existing
    now = timezone.now()
    resource = _resource_base(dataset, data, now=now, idempotency_key=key)
    if upload is None:
        if not resource.url:
            raise ValidationError({"url": ["Missing value: give a url or upload a file"]})
        resource.url_type = UrlType.LINK
        found = file_type(resource.format)
        resource.mimetype = resource.mimetype or (found.media_type if found else "")
        with transaction.atomic():
            resource.save()
            _touch(dataset, now=now)
            _bump(dataset)
            _version(
                dataset,
                change=f"resource {resource.name or resource.id} added",
                actor_label=_label(access),
            )
            audit.record(
                actor=_actor(access),
                action="opendata:resource:created",
                subject=resource,
                after={"dataset": dataset.name, "name": resource.name, "url": resource.url},
            )
        return resource
    filename = upload_name or getattr(upload, "name", "") or "data"
    resource.format = resource.format or format_from_filename(filename)
    found = file_type(resource.format)
    resource.mimetype = resource.mimetype or (
        found.media_type if found else "application/octet-stream"
    )
    resource.name = resource.name or filename.rsplit("/", 1)[-1]
    tabular = None
    if resource.format == "CSV":
        tabular = _read_csv(upload, schema=data.get("schema"))
    with transaction.atomic():
        resource.url_type = UrlType.DATASTORE if tabular is not None else UrlType.UPLOAD
        resource.storage_target = files.PRIVATE
        resource.last_modified = now
        resource.reachable = True
        resource.save()
        stored, size, digest = files.put(files.PRIVATE, files.key_for(resource, filename), upload)
        resource.files = {"original": stored}
        resource.size, resource.hash = size, f"sha256:{digest}"
        resource.save(update_fields=["files", "size", "hash"])
        if tabular is not None:
            fields, columns, rows = tabular
            _write_table(
                resource, fields=fields, columns=columns, rows=rows, primary_key=[], now=now
            )
        _touch(dataset, now=now)
        _bump(dataset)
        _version(dataset, change=f"resource {resource.name} added", actor_label=_label(access))
        audit.record(
            actor=_actor(access),
            action="opendata:resource:created",
            subject=resource,
            after={
                "dataset": dataset.name,
                "name": resource.name,
                "file": filename,
                "sha256": digest,
                "rows": len(columns[fields[0]["name"]]) if tabular is not None and fields else None,
            },
        )
        _after_commit_relocate(dataset)
    return resource


def _read_csv(upload: IO[bytes], *, schema: Any) -> tuple[list[dict], dict[str, list], int]:
    """A CSV upload as typed columns, or a ValidationError carrying the validation report."""
    upload.seek(0)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError({"upload": ["The file is larger than 500 MB"]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"upload": [f"The file is not UTF-8 text (byte {exc.start} cannot be read)"]}
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError({"upload": ["The file is empty"]}) from None
    header = [h.strip() for h in header]
    body = list(reader)
    if isinstance(schema, str) and schema.strip():
        try:
            schema = json.loads(schema)
        except ValueError:
            raise ValidationError({"schema": ["Could not parse as valid JSON"]}) from None
    if isinstance(schema, dict) and schema.get("fields"):
        fields = normalise_fields(schema["fields"])
        names = [f["name"] for f in fields]
        if names != header:
            missing = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            problems = []
            if missing:
                problems.append(f"columns missing from the file: {', '.join(missing)}")
            if extra:
                problems.append(f"columns not in the schema: {', '.join(extra)}")
            if not problems:
                problems.append("the columns are not in the schema's order")
            raise ValidationError({"upload": problems})
    else:
        fields = normalise_fields(infer_fields(header, body[:1000]))
    report = Report()
    records = []
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            if not any(cell.strip() for cell in row):
                continue
            report.rows += 1
            report.add(
                row=number,
                field=None,
                value=None,
                message=f"the row has {len(row)} values, the header has {len(header)}",
            )
            records.append(None)
            continue
        records.append(dict(zip(header, row, strict=True)))
    good = [r for r in records if r is not None]
    columns = convert_records(fields, good, report=report, first_row=2)
    if not report.valid:
        report.errors.sort(key=lambda e: (e["row"], e["field"] or ""))
        raise ValidationError(
            {
                "upload": [
                    f"{report.error_count} value(s) break the table's schema: nothing was published"
                ],
                "records": [
                    f"row {e['row']}"
                    + (f', field "{e["field"]}"' if e["field"] else "")
                    + f": {e['message']}"
                    for e in report.errors
                ],
                "validation_report": report.as_dict(),
            }
        )
    return fields, columns, len(good)


def record_link_check(*, resource: Resource, reachable: bool) -> None:
    """The outcome of checking a resource's link (a background check, not a person's change)."""
    Resource.objects.filter(pk=resource.pk).update(reachable=reachable, last_checked=timezone.now())


def check_links(*, timeout: float = 10.0, limit: int | None = None) -> dict[str, int]:
    """Check that the links of link resources answer (HEAD, then GET if HEAD is refused), and
    record the outcome for the quality score. Files we keep are checked against the storage."""
    import urllib.error
    import urllib.request

    counts = {"reachable": 0, "unreachable": 0}
    resources = Resource.objects.filter(state=ResourceState.ACTIVE).select_related("dataset")
    for resource in resources.order_by("last_checked")[:limit] if limit else resources:
        if resource.url_type:
            target = resource.storage_target or files.PRIVATE
            ok = bool(resource.files) and all(
                files.storage(target).exists(key) for key in files.iter_keys(resource.files)
            )
        elif not resource.url.startswith(("http://", "https://")):
            ok = False
        else:
            ok = False
            for method in ("HEAD", "GET"):
                request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
                    resource.url, method=method, headers={"User-Agent": "Civitas link checker"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                        ok = 200 <= response.status < 400
                except urllib.error.HTTPError as exc:
                    ok = False
                    if exc.code in {405, 501} and method == "HEAD":
                        continue
                except (urllib.error.URLError, OSError, ValueError):
                    ok = False
                break
        record_link_check(resource=resource, reachable=ok)
        counts["reachable" if ok else "unreachable"] += 1
    return counts
