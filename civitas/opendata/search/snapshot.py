"""The search index on disk, so that a restarted process does not rebuild it from the database.

One file per database (named after a digest of its connection settings) under
``<var>/opendata/search/``: numpy arrays and JSON in an uncompressed ``.npz``, written to a
temporary file and renamed into place. Loading it takes about a second for 100,000
datasets; what it holds is then checked against the database (``CatalogueIndex._restore``), so a
stale or foreign snapshot costs time, never wrong answers. Any problem reading it means "no
snapshot".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import zipfile
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    from civitas.opendata.search.index import CatalogueIndex

logger = logging.getLogger(__name__)

FORMAT = 2
_saving = threading.Lock()


def path() -> Path:
    db = connection.settings_dict
    identity = json.dumps(
        [connection.vendor, str(db.get("NAME")), db.get("HOST"), db.get("PORT")], default=str
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(settings.VAR_DIR) / "opendata" / "search" / f"index-{digest}.npz"


def _text(value) -> np.ndarray:
    return np.frombuffer(json.dumps(value, separators=(",", ":")).encode(), dtype=np.uint8)


def _untext(value: np.ndarray):
    return json.loads(value.tobytes().decode())


def _strings(values: list[str]) -> np.ndarray:
    """A long list of strings as one NUL-separated text (much faster to read back than JSON);
    JSON when a value holds a NUL itself."""
    if not values:
        return np.frombuffer(b"E", dtype=np.uint8)
    joined = "\x00".join(values)
    if joined.count("\x00") != len(values) - 1:
        return np.concatenate([np.frombuffer(b"J", dtype=np.uint8), _text(values)])
    return np.frombuffer(b"N" + joined.encode(), dtype=np.uint8)


def _unstrings(value: np.ndarray) -> list[str]:
    raw = value.tobytes()
    if raw[:1] == b"J":
        return json.loads(raw[1:].decode())
    if raw[:1] == b"E":
        return []
    return raw[1:].decode().split("\x00")


def capture(index: CatalogueIndex) -> dict[str, np.ndarray]:
    """What a snapshot holds, taken under the index's lock (after compacting it)."""
    with index._lock:
        if index.postings or index.dead:
            index.compact()
        n = index.size
        arrays = {
            "meta": _text(
                {
                    "format": FORMAT,
                    "revision": index.revision,
                    "token": index.token,
                    "size": n,
                    "orgs": list(index.orgs),
                    "titles_of": [[a, b, title] for (a, b), title in index.titles_of.items()],
                    "facets": {name: facet.values for name, facet in index.facets.items()},
                    "numbers": list(index.numbers),
                }
            ),
            "ids": _strings(index.ids),
            "names": _strings(index.names),
            "titles": _strings(index.titles),
            "keys": _strings(index.base_keys),
            "base_docs": index.base_docs,
            "base_offsets": index.base_offsets,
        }
        for number, column in enumerate(index.columns()):
            arrays[f"column_{number}"] = column.view(n).copy()
        for name, facet in index.facets.items():
            docs, codes = facet.arrays()
            arrays[f"facet_docs_{name}"] = docs
            arrays[f"facet_codes_{name}"] = codes
        index.changed_since_save = 0
        index.saved_at = time.monotonic()
        return arrays


def write(arrays: dict[str, np.ndarray], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def save(index: CatalogueIndex) -> Path:
    """Write the index to disk now (the management command and tests use this)."""
    target = path()
    write(capture(index), target)
    return target


def save_soon(index: CatalogueIndex) -> None:
    """Capture now, write in a background thread (one at a time; skipped if one is running)."""
    if not _saving.acquire(blocking=False):
        return
    try:
        arrays, target = capture(index), path()
    except Exception:
        _saving.release()
        raise

    def run() -> None:
        try:
            write(arrays, target)
        except OSError:
            logger.warning("could not write the search index snapshot", exc_info=True)
        finally:
            _saving.release()

    threading.Thread(target=run, name="opendata-index-snapshot", daemon=True).start()


def load(index: CatalogueIndex) -> bool:
    """Fill an empty index from the snapshot; False (index untouched) if there is none that
    can be read."""
    source = path()
    if not source.is_file():
        return False
    try:
        with np.load(source, allow_pickle=False) as stored:
            data = {name: stored[name] for name in stored.files}
        meta = _untext(data["meta"])
        if meta.get("format") != FORMAT or list(meta["numbers"]) != list(index.numbers):
            return False
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        logger.warning("could not read the search index snapshot %s", source, exc_info=True)
        return False
    with index._lock:
        index._reset()
        try:
            _fill(index, meta, data)
        except (KeyError, ValueError, IndexError):
            logger.warning("the search index snapshot %s is not usable", source, exc_info=True)
            index._reset()
            return False
        index.saved_at = time.monotonic()
    return True


def _fill(index: CatalogueIndex, meta: dict, data: dict[str, np.ndarray]) -> None:
    from civitas.opendata.search import query as q
    from civitas.opendata.search.index import _Facet

    n = meta["size"]
    index.size = n
    index.ids = _unstrings(data["ids"])
    index.names = _unstrings(data["names"])
    index.titles = _unstrings(data["titles"])
    for number, column in enumerate(index.columns()):
        stored = data[f"column_{number}"]
        column.data = stored.astype(column.data.dtype) if len(stored) else column.data
    alive = index.alive.view(n)
    index.position = {d: i for i, d in enumerate(index.ids) if alive[i]}
    index.dead = int(n - alive.sum())
    index.orgs = {org: code for code, org in enumerate(meta["orgs"])}
    index.titles_of = {(a, b): title for a, b, title in meta["titles_of"]}
    index.base_keys = _unstrings(data["keys"])
    index.base_docs = data["base_docs"]
    index.base_offsets = data["base_offsets"]
    for name, values in meta["facets"].items():
        facet = _Facet()
        facet.values = values
        facet.lookup = {q.normalise(v): code for code, v in enumerate(values)}
        facet.docs = array("i", data[f"facet_docs_{name}"].astype(np.int32).tobytes())
        facet.codes = array("i", data[f"facet_codes_{name}"].astype(np.int32).tobytes())
        index.facets[name] = facet
    if not (len(index.ids) == len(index.names) == len(index.titles) == index.size):
        raise ValueError("lists of different lengths")
