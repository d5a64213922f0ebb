"""Where resource files live: the public target only for published, public datasets.

A file of a draft or private dataset is kept on the private target (``STORAGES["default"]``); when
the dataset becomes public it is copied to the public target (``STORAGES["public"]``) and removed
from the private one, and the other way round. Only these functions, called by the catalogue's
services, write to the public target.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages

from civitas.opendata.lifecycle import DatasetState

log = logging.getLogger(__name__)

PUBLIC = "public"
PRIVATE = "private"


def storage(target: str) -> Storage:
    return storages["public"] if target == PUBLIC else storages["default"]


def target_for(dataset) -> str:
    published = (
        dataset.state == DatasetState.ACTIVE
        and not dataset.private
        and dataset.organization.is_active
    )
    return PUBLIC if published else PRIVATE


def key_for(resource, filename: str) -> str:
    safe = Path(filename).name.replace(" ", "_") or "data"
    return f"datasets/{resource.dataset_id}/{resource.id}/{safe}"


def put(target: str, key: str, content: IO[bytes]) -> tuple[str, int, str]:
    """Store a file; returns (stored key, size, sha256). An existing file with the same key is
    replaced (keys are per resource, so this is the same resource's file)."""
    store = storage(target)
    if store.exists(key):
        store.delete(key)
    digest = hashlib.sha256()
    size = 0
    content.seek(0)
    for chunk in iter(lambda: content.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    stored = store.save(key, File(content, name=Path(key).name))
    return stored, size, digest.hexdigest()


def put_path(target: str, key: str, path: Path) -> tuple[str, int, str]:
    with path.open("rb") as handle:
        return put(target, key, handle)


def open_file(target: str, key: str) -> IO[bytes]:
    return storage(target).open(key, "rb")


def delete(target: str, keys: list[str]) -> None:
    store = storage(target)
    for key in keys:
        with contextlib.suppress(FileNotFoundError):
            if store.exists(key):
                store.delete(key)


def copy(source: str, destination: str, key: str) -> str:
    with storage(source).open(key, "rb") as handle:
        stored, _, _ = put(destination, key, handle)
    return stored


def iter_keys(files: dict) -> Iterator[str]:
    yield from (key for key in files.values() if key)
