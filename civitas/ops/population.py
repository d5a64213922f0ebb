"""Population runs split into partitions that run as parallel tasks on the worker pool.

``run_partitioned`` cuts the households (and their members) into contiguous partitions, writes each
partition's Parquet input to the private storage target, enqueues one ``evaluate_partition`` task
per partition and, once all have finished, puts the outputs back together in the input's order.
With the Celery backend the partitions run on as many workers as there are; with the database queue
or in-process backend the same code runs them one after the other. Re-running a partition (a worker
died, the message was redelivered) overwrites its own output: nothing is counted twice.

The population is personal data: its files live on the private target under
``population-runs/<run id>/`` and are deleted when the run has been gathered.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django_tasks import TaskResultStatus, task

from civitas import rules

PREFIX = "population-runs"


class PartitionFailed(Exception):
    """A partition task failed or did not finish in time; the message names which and why."""


@dataclass
class PartitionedResult:
    run_id: str
    partitions: int
    tables: dict[str, pl.DataFrame]  # entity key -> outputs, in the input's row order


def _path(run_id: str, name: str) -> str:
    return f"{PREFIX}/{run_id}/{name}"


def _write(storage, name: str, frame: pl.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    if storage.exists(name):  # a retried partition replaces its own earlier output
        storage.delete(name)
    storage.save(name, ContentFile(buffer.getvalue()))


def _read(storage, name: str) -> pl.DataFrame:
    with storage.open(name, "rb") as stream:
        return pl.read_parquet(io.BytesIO(stream.read()))


def split(
    persons: pl.DataFrame, households: pl.DataFrame, partitions: int
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Contiguous slices of households, each with its members, in the original order."""
    partitions = max(1, min(partitions, households.height or 1))
    numbered = households.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) * partitions // max(households.height, 1)).alias(
            "_partition"
        )
    )
    owners = numbered.select("household_id", "_partition")
    placed = persons.with_row_index("_row").join(owners, on="household_id", how="left")
    if placed["_partition"].null_count():
        raise rules.InputDataError("some persons belong to a household that is not in the table")
    parts = []
    for number in range(partitions):
        people = placed.filter(pl.col("_partition") == number).sort("_row")
        homes = numbered.filter(pl.col("_partition") == number)
        parts.append((people.drop("_row", "_partition"), homes.drop("_partition")))
    return parts


@task()
def evaluate_partition(run_id: str, partition: int) -> dict:
    """Evaluate one partition of a run and store its outputs (idempotent)."""
    storage = storages["default"]
    with storage.open(_path(run_id, "run.json"), "rb") as stream:
        run = json.loads(stream.read())
    programme = rules.load_from_mapping(run["sources"])
    persons = _read(storage, _path(run_id, f"in/persons-{partition:05d}.parquet"))
    households = _read(storage, _path(run_id, f"in/households-{partition:05d}.parquet"))
    result = rules.evaluate_population(
        programme, run["period"], persons, households, run["variables"] or None
    )
    rows = {}
    for entity, table in result.tables.items():
        _write(storage, _path(run_id, f"out/{entity}-{partition:05d}.parquet"), table)
        rows[entity] = table.height
    return {"partition": partition, "rows": rows}


def run_partitioned(
    *,
    sources: dict[str, str],
    period: str,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    partitions: int,
    variables: Sequence[str] | None = None,
    queue_name: str | None = None,
    timeout: float = 900.0,
    keep_files: bool = False,
) -> PartitionedResult:
    """Evaluate ``sources`` (a programme folder as ``{path: YAML}``) over a whole population."""
    rules.load_from_mapping(sources)  # a broken programme fails here, before any task is queued
    storage = storages["default"]
    run_id = uuid.uuid4().hex
    parts = split(persons, households, partitions)
    manifest = {"sources": sources, "period": period, "variables": list(variables or [])}
    storage.save(_path(run_id, "run.json"), ContentFile(json.dumps(manifest).encode()))
    for number, (people, homes) in enumerate(parts):
        _write(storage, _path(run_id, f"in/persons-{number:05d}.parquet"), people)
        _write(storage, _path(run_id, f"in/households-{number:05d}.parquet"), homes)
    job = evaluate_partition.using(queue_name=queue_name) if queue_name else evaluate_partition
    results = [job.enqueue(run_id, number) for number in range(len(parts))]
    deadline = time.monotonic() + timeout
    try:
        for number, result in enumerate(results):
            while not result.is_finished:
                if time.monotonic() > deadline:
                    raise PartitionFailed(
                        f"partition {number} of run {run_id} did not finish in time"
                    )
                time.sleep(0.2)
                result.refresh()
            if result.status != TaskResultStatus.SUCCESSFUL:
                cause = result.errors[-1].exception_class_path if result.errors else "unknown"
                raise PartitionFailed(f"partition {number} of run {run_id} failed: {cause}")
        entities = sorted(results[0].return_value["rows"]) if results else []
        tables = {
            entity: pl.concat(
                [
                    _read(storage, _path(run_id, f"out/{entity}-{n:05d}.parquet"))
                    for n in range(len(parts))
                ]
            )
            for entity in entities
        }
    finally:
        if not keep_files:
            _remove_run(storage, run_id)
    return PartitionedResult(run_id, len(parts), tables)


def _remove_run(storage, run_id: str) -> None:
    from civitas.ops.backup import walk

    for name in list(walk(storage, f"{PREFIX}/{run_id}/")):
        storage.delete(name)
