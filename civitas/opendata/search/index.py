"""An in-memory search index of the catalogue, one per process, kept fresh from the database.

Why not the database: ``package_search`` with words, filters and five facets over 100,000 datasets
must answer in tens of milliseconds on SQLite and PostgreSQL alike. Here each word and each field
value maps to the positions of the datasets holding it (compact integer arrays); a query becomes a
boolean mask, facets are counts over that mask (numpy), and only the page of results is read from
the database.

Freshness: every catalogue write bumps ``CatalogueRevision`` and stamps the changed dataset with
the new revision in the same transaction. Before each search the index reads that one row; if it
moved, it reads only the datasets changed since, retires their old entries and adds the new ones.
Retired entries are dropped by compacting the index in memory (no database read) once they are
a third of it.

Cold start: building the index from the database takes about a minute for 100,000 datasets (every
text is split and stemmed), so the index is kept on disk too (``snapshot.py``). A process that
has never searched loads the last snapshot (about a second), then checks it against the
database: it reads every dataset's id, revision stamp and modification time, and reloads just the
datasets whose pair differs or that the snapshot lacks, and retires the ones the database no longer
has. That check holds whatever happened in between, a restored backup included: a stale entry
would need the same revision number and the same modification time to the microsecond. Snapshots are
written after a full build and, in the background, once enough has changed since the last one.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
import uuid
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from civitas.opendata.errors import SearchQueryError
from civitas.opendata.lifecycle import DatasetState, ResourceState
from civitas.opendata.models import CatalogueRevision, Dataset, Resource
from civitas.opendata.search import query as q

TEXT_WEIGHTS = {"name": 4.0, "title": 4.0, "tags": 2.0, "groups": 2.0, "text": 1.0}
FACETABLE = {
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "theme",
    "frequency",
    "language",
    "capacity",
    "spatial",
}
SORTABLE = {
    "score",
    "metadata_modified",
    "metadata_created",
    "name",
    "title_string",
    "title",
    "num_resources",
    "num_tags",
}


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value else 0.0


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(value: datetime | str | None) -> int:
    """A modification time as whole microseconds since 1970 (exact; naive means UTC, as the
    database keeps it when it has no time zones)."""
    if value is None:
        return 0
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // timedelta(microseconds=1)


@dataclass
class _Facet:
    docs: array = field(default_factory=lambda: array("i"))
    codes: array = field(default_factory=lambda: array("i"))
    values: list = field(default_factory=list)  # code -> display value (original case)
    lookup: dict = field(default_factory=dict)  # normalised value -> code
    cache: tuple | None = None

    def add(self, doc: int, value: str) -> None:
        key = q.normalise(value)
        code = self.lookup.get(key)
        if code is None:
            code = self.lookup[key] = len(self.values)
            self.values.append(value)
        self.docs.append(doc)
        self.codes.append(code)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self.cache is None:
            self.cache = (
                np.frombuffer(self.docs, dtype=np.int32).copy(),
                np.frombuffer(self.codes, dtype=np.int32).copy(),
            )
        return self.cache


class _Grow:
    """A numpy column that grows by doubling."""

    def __init__(self, dtype):
        self.data = np.zeros(1024, dtype=dtype)

    def set(self, index: int, value) -> None:
        if index >= len(self.data):
            bigger = np.zeros(max(len(self.data) * 2, index + 1), dtype=self.data.dtype)
            bigger[: len(self.data)] = self.data
            self.data = bigger
        self.data[index] = value

    def view(self, size: int) -> np.ndarray:
        return self.data[:size]


@dataclass
class Hits:
    count: int
    ids: list[str]
    facets: dict[str, dict[str, int]]


class CatalogueIndex:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.size = 0
        self.dead = 0
        self.ids: list[str] = []
        self.names: list[str] = []
        self.titles: list[str] = []
        self.position: dict[str, int] = {}
        self.alive = _Grow(np.bool_)
        self.private = _Grow(np.bool_)
        self.org_code = _Grow(np.int32)
        self.numbers = {
            "metadata_modified": _Grow(np.float64),
            "metadata_created": _Grow(np.float64),
            "num_resources": _Grow(np.int32),
            "num_tags": _Grow(np.int32),
        }
        self.orgs: dict[str, int] = {}
        self.titles_of: dict[tuple[str, str], str] = {}  # ("organization"|"groups", name) -> title
        # per document, what the restore check compares: index_revision, metadata_modified
        self.stamp_revision = _Grow(np.int64)
        self.stamp_micros = _Grow(np.int64)
        # postings: a compacted base (sorted keys, one array of documents, offsets) and the
        # additions since, one growing array per key
        self.base_keys: list[str] = []
        self.base_docs = np.zeros(0, dtype=np.int32)
        self.base_offsets = np.zeros(1, dtype=np.int64)
        self.postings: dict[str, array] = {}
        self.posting_cache: dict[str, np.ndarray] = {}
        self.vocabulary: dict[str, set[str]] = {}
        self.facets: dict[str, _Facet] = {}
        self.rank_cache: dict[str, np.ndarray] = {}
        self.revision = -1
        self.token = ""
        self.changed_since_save = 0
        self.saved_at = 0.0

    # --- building ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything (tests, and after restoring a database)."""
        with self._lock:
            self._reset()

    def _post_all(self, fieldname: str, words, doc: int) -> None:
        postings, prefix = self.postings, fieldname + "\x1f"
        vocabulary = None
        for word in words:
            key = prefix + word
            posting = postings.get(key)
            if posting is None:
                posting = postings[key] = array("i")
                if vocabulary is None:
                    vocabulary = self.vocabulary.setdefault(fieldname, set())
                vocabulary.add(key)
            posting.append(doc)

    def _add(self, doc_fields: dict) -> None:
        """Add one document (only while loading: caches are cleared when the load ends)."""
        doc = self.size
        self.size += 1
        self.ids.append(doc_fields["id"])
        self.stamp_revision.set(doc, doc_fields["stamp"][0])
        self.stamp_micros.set(doc, doc_fields["stamp"][1])
        self.names.append(doc_fields["name"])
        self.titles.append(q.normalise(doc_fields["title"]))
        self.position[doc_fields["id"]] = doc
        self.alive.set(doc, True)
        self.private.set(doc, doc_fields["private"])
        org = doc_fields["owner_org"]
        self.org_code.set(doc, self.orgs.setdefault(org, len(self.orgs)))
        self.titles_of.update(doc_fields["titles"])
        for name, column in self.numbers.items():
            column.set(doc, doc_fields[name])
        for fieldname, values in doc_fields["keywords"].items():
            keys: dict[str, str] = {}
            for value in values:
                if value:
                    keys.setdefault(q.normalise(value), value)
            self._post_all(fieldname, keys, doc)
            if fieldname in FACETABLE and keys:
                facet = self.facets.get(fieldname)
                if facet is None:
                    facet = self.facets[fieldname] = _Facet()
                for value in keys.values():
                    facet.add(doc, value)
            if fieldname in ("name", "tags", "groups"):
                self._post_all(f"{fieldname}_text", {w for v in values for w in q.words(v)}, doc)
        everything: set[str] = set()
        for fieldname, text in doc_fields["texts"].items():
            found = set(q.words(text))
            everything |= found
            if fieldname in q.FIELDS:  # the others only feed the catch-all "text"
                self._post_all(fieldname, found, doc)
        self._post_all("text", everything, doc)

    def _retire(self, dataset_id: str) -> None:
        doc = self.position.pop(dataset_id, None)
        if doc is not None:
            self.alive.set(doc, False)
            self.dead += 1
            self.rank_cache.clear()

    # --- freshness -----------------------------------------------------------------------------

    def ensure_fresh(self) -> None:
        head = CatalogueRevision.objects.filter(id=1).values_list("revision", "token").first()
        revision, token = head if head else (0, "")
        save = False
        with self._lock:
            if revision == self.revision and token == self.token:
                return
            if revision < self.revision or (revision == self.revision and token != self.token):
                self._reset()
            if self.revision < 0:
                if not self._restore():
                    self._reset()
                    self._load(Dataset.objects.all())
                    self.compact()
                    save = True
            else:
                self._load(Dataset.objects.filter(index_revision__gt=self.revision))
                if self.dead > max(1000, self.size // 3):
                    self.compact()
            self.revision, self.token = revision, token
            if self.changed_since_save >= SAVE_AFTER_CHANGES and (
                time.monotonic() - self.saved_at > SAVE_INTERVAL_S
            ):
                save = True
        if save:
            snapshot.save_soon(self)

    def _restore(self) -> bool:
        """Load the last snapshot and bring it in line with the database (see the module's
        docstring); False when there is none that fits."""
        if not snapshot.load(self):
            return False
        stale: list = []
        by_hex = {dataset_id.replace("-", ""): doc for dataset_id, doc in self.position.items()}
        revisions = self.stamp_revision.view(self.size).tolist()
        micros = self.stamp_micros.view(self.size).tolist()
        for key, stamp, modified in _indexable_stamps():
            doc = by_hex.pop(key, None)
            if doc is None or revisions[doc] != stamp or micros[doc] != modified:
                stale.append(uuid.UUID(hex=key))
        for doc in by_hex.values():  # no longer in the catalogue
            self._retire(self.ids[doc])
        for start in range(0, len(stale), 2000):
            self._load(Dataset.objects.filter(id__in=stale[start : start + 2000]))
        self.changed_since_save = len(stale)
        return True

    def _load(self, datasets) -> None:
        """Read datasets as plain rows (no model instances: this runs over the whole catalogue
        when a process starts) with their resources and groups, a chunk at a time."""
        rows = datasets.order_by("metadata_created").values(*_READ).iterator(chunk_size=2000)
        chunk: list[dict] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 2000:
                self._load_chunk(chunk)
                chunk = []
        if chunk:
            self._load_chunk(chunk)
        self.posting_cache.clear()
        for facet in self.facets.values():
            facet.cache = None
        self.rank_cache.clear()

    def _load_chunk(self, rows: list[dict]) -> None:
        ids = [row["id"] for row in rows]
        resources: dict = {}
        for dataset_id, name, description, fmt in Resource.objects.filter(
            dataset_id__in=ids, state=ResourceState.ACTIVE
        ).values_list("dataset_id", "name", "description", "format"):
            resources.setdefault(dataset_id, []).append((name, description, fmt))
        groups: dict = {}
        for dataset_id, name, title in Dataset.groups.through.objects.filter(
            dataset_id__in=ids
        ).values_list("dataset_id", "group__name", "group__title"):
            groups.setdefault(dataset_id, []).append((name, title))
        for row in rows:
            self._retire(str(row["id"]))
            self.changed_since_save += 1
            if row["state"] == DatasetState.ACTIVE and row["organization__is_active"]:
                self._add(document(row, resources.get(row["id"], []), groups.get(row["id"], [])))

    # --- searching -----------------------------------------------------------------------------

    def _posting(self, key: str) -> np.ndarray:
        cached = self.posting_cache.get(key)
        if cached is None:
            parts = []
            slot = self._base_slot(key)
            if slot is not None:
                parts.append(self.base_docs[self.base_offsets[slot] : self.base_offsets[slot + 1]])
            found = self.postings.get(key)
            if found is not None:
                parts.append(np.frombuffer(found, dtype=np.int32))
            if not parts:
                cached = np.zeros(0, dtype=np.int32)
            elif len(parts) == 1:
                cached = parts[0].copy() if found is not None else parts[0]
            else:
                cached = np.concatenate(parts)
            self.posting_cache[key] = cached
        return cached

    def _base_slot(self, key: str) -> int | None:
        keys = self.base_keys
        slot = bisect.bisect_left(keys, key)
        return slot if slot < len(keys) and keys[slot] == key else None

    def columns(self) -> list[_Grow]:
        """The per-document numpy columns (a snapshot stores them; compacting renumbers them)."""
        return [
            self.alive,
            self.private,
            self.org_code,
            self.stamp_revision,
            self.stamp_micros,
            *self.numbers.values(),
        ]

    def compact(self) -> None:
        """Fold the additions into the base and drop retired documents, renumbering the rest
        (numpy over flat arrays: well under a second for 100,000 datasets)."""
        with self._lock:
            n = self.size
            alive = self.alive.view(n).copy()
            renumber = np.cumsum(alive, dtype=np.int64) - 1
            # merged key order without a dictionary over every key: a base key moves down by
            # the number of new keys sorted before it
            extra = sorted(k for k in self.postings if self._base_slot(k) is None)
            insert_at = np.array(
                [bisect.bisect_left(self.base_keys, k) for k in extra], dtype=np.int64
            )
            base_count = len(self.base_keys)
            base_map = np.arange(base_count, dtype=np.int64) + np.searchsorted(
                insert_at, np.arange(base_count), side="right"
            )
            extra_slot = {
                k: int(at) + rank for rank, (k, at) in enumerate(zip(extra, insert_at, strict=True))
            }
            keys = sorted([*self.base_keys, *extra]) if extra else self.base_keys
            pair_keys = [np.repeat(base_map, np.diff(self.base_offsets))]
            pair_docs = [self.base_docs.astype(np.int64)]
            for key, docs in self.postings.items():
                slot = extra_slot.get(key)
                if slot is None:
                    slot = int(base_map[self._base_slot(key)])
                added = np.frombuffer(docs, dtype=np.int32).astype(np.int64)
                pair_keys.append(np.full(len(added), slot, dtype=np.int64))
                pair_docs.append(added)
            all_keys = np.concatenate(pair_keys) if pair_keys else np.zeros(0, np.int64)
            all_docs = np.concatenate(pair_docs) if pair_docs else np.zeros(0, np.int64)
            keep = alive[all_docs] if len(all_docs) else np.zeros(0, dtype=np.bool_)
            all_keys, all_docs = all_keys[keep], renumber[all_docs[keep]]
            order = np.lexsort((all_docs, all_keys))
            all_keys, all_docs = all_keys[order], all_docs[order]
            counts = np.bincount(all_keys, minlength=len(keys))
            used = counts > 0
            self.base_keys = keys if used.all() else list(itertools.compress(keys, used.tolist()))
            self.base_offsets = np.concatenate([[0], np.cumsum(counts[used])]).astype(np.int64)
            self.base_docs = all_docs.astype(np.int32)
            self.postings = {}
            self.vocabulary = {}
            for facet in self.facets.values():
                docs, codes = facet.arrays()
                kept = alive[docs]
                facet.docs = array("i", renumber[docs[kept]].astype(np.int32).tobytes())
                facet.codes = array("i", codes[kept].tobytes())
                facet.cache = None
            live = np.flatnonzero(alive)
            self.ids = [self.ids[i] for i in live]
            self.names = [self.names[i] for i in live]
            self.titles = [self.titles[i] for i in live]
            self.position = {dataset_id: i for i, dataset_id in enumerate(self.ids)}
            size = len(live)
            for column in self.columns():
                column.data = column.view(n)[live].copy()
                if not len(column.data):
                    column.data = np.zeros(1024, dtype=column.data.dtype)
            self.size, self.dead = size, 0
            self.posting_cache.clear()
            self.rank_cache.clear()

    def _mask_of(self, docs: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.size, dtype=np.bool_)
        mask[docs] = True
        return mask

    def _match(self, node) -> np.ndarray:
        n = self.size
        if isinstance(node, q.All):
            return np.ones(n, dtype=np.bool_)
        if isinstance(node, q.And):
            mask = self._match(node.items[0])
            for item in node.items[1:]:
                mask &= self._match(item)
            return mask
        if isinstance(node, q.Or):
            mask = self._match(node.items[0])
            for item in node.items[1:]:
                mask |= self._match(item)
            return mask
        if isinstance(node, q.Not):
            return ~self._match(node.item)
        if isinstance(node, q.Exists):
            return self._prefix(node.field, "")
        if isinstance(node, q.Range):
            return self._range(node)
        kind = q.FIELDS[node.field]
        fieldname = "dataset_type" if node.field == "type" else node.field
        if fieldname == "dataset_type":
            return (
                np.ones(n, dtype=np.bool_)
                if q.normalise(node.value) == "dataset"
                else np.zeros(n, dtype=np.bool_)
            )
        if kind == "keyword":
            value = q.normalise(node.value)
            if isinstance(node, q.Term) and node.prefix:
                return self._prefix(fieldname, value)
            return self._mask_of(self._posting(f"{fieldname}\x1f{value}"))
        if isinstance(node, q.Term) and node.prefix:
            tokens = [t for t in q._SPLIT.split(q.normalise(node.value)) if t]
            mask = np.ones(n, dtype=np.bool_)
            for token in tokens[:-1]:
                mask &= self._mask_of(self._posting(f"{fieldname}\x1f{q.stem(token)}"))
            return mask & self._prefix(fieldname, tokens[-1]) if tokens else mask
        found = q.words(node.value)
        if not found:
            return np.ones(n, dtype=np.bool_)
        mask = self._mask_of(self._posting(f"{fieldname}\x1f{found[0]}"))
        for word in found[1:]:
            mask &= self._mask_of(self._posting(f"{fieldname}\x1f{word}"))
        return mask

    def _prefix(self, fieldname: str, prefix: str) -> np.ndarray:
        mask = np.zeros(self.size, dtype=np.bool_)
        start = f"{fieldname}\x1f{prefix}"
        keys = self.base_keys
        index = bisect.bisect_left(keys, start)
        while index < len(keys) and keys[index].startswith(start):
            mask[self._posting(keys[index])] = True
            index += 1
        for key in self.vocabulary.get(fieldname, ()):
            if key.startswith(start):
                mask[self._posting(key)] = True
        return mask

    def _range(self, node: q.Range) -> np.ndarray:
        column = self.numbers[node.field].view(self.size)
        timestamp = node.field.startswith("metadata_")

        def bound(text: str) -> float | None:
            if text == "*":
                return None
            if timestamp:
                if text.upper().startswith("NOW"):
                    return datetime.now(UTC).timestamp()
                try:
                    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
                except ValueError:
                    raise SearchQueryError(
                        f"Search Query is invalid: {text!r} is not a date (2024-01-31T00:00:00Z)"
                    ) from None
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=UTC)
                return parsed.timestamp()
            try:
                return float(text)
            except ValueError:
                raise SearchQueryError(
                    f"Search Query is invalid: {text!r} is not a number"
                ) from None

        low, high = bound(node.low), bound(node.high)
        mask = np.ones(self.size, dtype=np.bool_)
        if low is not None:
            mask &= column >= low if node.include_low else column > low
        if high is not None:
            mask &= column <= high if node.include_high else column < high
        return mask

    def _score(self, tree) -> np.ndarray | None:
        pairs = q.positive_words(tree)
        if not pairs:
            return None
        score = np.zeros(self.size, dtype=np.float32)
        for fieldname, word in pairs:
            if fieldname == "text":
                for name, weight in TEXT_WEIGHTS.items():
                    key = (
                        f"{name}_text\x1f{word}"
                        if name in {"name", "tags", "groups"}
                        else f"{name}\x1f{word}"
                    )
                    posting = self._posting(key)
                    if len(posting):
                        score[posting] += weight
            else:
                score[self._posting(f"{fieldname}\x1f{word}")] += 1.0
        return score

    def _rank(self, which: str) -> np.ndarray:
        cached = self.rank_cache.get(which)
        if cached is None or len(cached) != self.size:
            values = self.names if which == "name" else self.titles
            order = sorted(range(self.size), key=values.__getitem__)
            cached = np.empty(self.size, dtype=np.int64)
            cached[np.asarray(order, dtype=np.int64)] = np.arange(self.size)
            self.rank_cache[which] = cached
        return cached

    def _sort_values(self, name: str, descending: bool, docs: np.ndarray, score) -> np.ndarray:
        if name == "score":
            values = score[docs]
        elif name in {"name", "title_string", "title"}:
            values = self._rank("name" if name == "name" else "title")[docs]
        else:
            values = self.numbers[name].view(self.size)[docs]
        return -values if descending else values

    def _order(
        self, docs: np.ndarray, sort: list[tuple[str, bool]], score, limit: int
    ) -> np.ndarray:
        """The first ``limit`` documents in sort order."""
        keys_wanted = [(n, d) for n, d in sort if not (n == "score" and score is None)]
        if not keys_wanted:
            return docs[:limit]
        if limit < len(docs) // 4:
            # keep only candidates whose first key is within the top ``limit`` (ties included)
            first = self._sort_values(*keys_wanted[0], docs, score)
            cutoff = np.partition(first, limit - 1)[limit - 1]
            docs = docs[first <= cutoff]
        # np.lexsort sorts by its last key first: the first sort field goes last, and the
        # position in the index (oldest first) breaks the remaining ties.
        keys = [docs]
        for name, descending in reversed(keys_wanted):
            keys.append(self._sort_values(name, descending, docs, score))
        return docs[np.lexsort(keys)][:limit]

    def search(
        self,
        *,
        tree,
        filters: list,
        sort: list[tuple[str, bool]],
        start: int,
        rows: int,
        facet_fields: list[str],
        facet_limit: int,
        facet_mincount: int,
        access,
        include_private: bool,
    ) -> Hits:
        self.ensure_fresh()
        with self._lock:
            n = self.size
            if n == 0:
                return Hits(0, [], {f: {} for f in facet_fields})
            mask = self._match(tree)
            for item in filters:
                mask &= self._match(item)
            mask &= self.alive.view(n)
            private = self.private.view(n)
            if not include_private or not access.authenticated:
                mask &= ~private
            elif not access.sysadmin:
                readable = np.zeros(len(self.orgs) + 1, dtype=np.bool_)
                for org, code in self.orgs.items():
                    readable[code] = access.can_read_private(_uuid(org))
                mask &= ~private | readable[self.org_code.view(n)]
            docs = np.flatnonzero(mask).astype(np.int64)
            score = self._score(tree) if any(name == "score" for name, _ in sort) else None
            page = self._order(docs, sort, score, start + rows)[start:] if rows else docs[:0]
            facets = {
                fieldname: self._facet(fieldname, mask, facet_limit, facet_mincount)
                for fieldname in facet_fields
            }
            return Hits(len(docs), [self.ids[i] for i in page], facets)

    def _facet(self, fieldname: str, mask: np.ndarray, limit: int, mincount: int) -> dict[str, int]:
        facet = self.facets.get(fieldname)
        if facet is None:
            return {}
        docs, codes = facet.arrays()
        counts = np.bincount(codes[mask[docs]], minlength=len(facet.values))
        order = np.argsort(-counts, kind="stable")
        out: dict[str, int] = {}
        for code in order:
            count = int(counts[code])
            if count < max(mincount, 1) or (limit >= 0 and len(out) >= limit):
                break
            out[facet.values[code]] = count
        return out

    def title_of(self, fieldname: str, name: str) -> str | None:
        """The title of a publisher or group as of its datasets' last indexing."""
        return self.titles_of.get((fieldname, name))

    def values(self, fieldname: str, *, access) -> dict[str, int]:
        """Every value of a field over the datasets the caller may see, with counts."""
        hits = self.search(
            tree=q.All(),
            filters=[],
            sort=[("metadata_modified", True)],
            start=0,
            rows=0,
            facet_fields=[fieldname],
            facet_limit=-1,
            facet_mincount=1,
            access=access,
            include_private=True,
        )
        return hits.facets.get(fieldname, {})


def _uuid(value: str):
    return uuid.UUID(value)


def _indexable_stamps():
    """(id as 32 hex digits, index_revision, metadata_modified in microseconds since 1970) of
    every dataset the index should hold, computed by the database and read straight from the
    cursor: the ORM's conversions would cost more than the rest of a restore."""
    from django.db import connection

    from civitas.opendata.models import Organization

    quote = connection.ops.quote_name
    dataset, organization = Dataset._meta.db_table, Organization._meta.db_table
    modified = f"d.{quote('metadata_modified')}"
    if connection.vendor == "postgresql":
        micros = f"CAST(EXTRACT(EPOCH FROM {modified}) * 1000000 AS BIGINT)"
    elif connection.vendor == "sqlite":
        # stored as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]"
        micros = (
            f"CAST(strftime('%%s', {modified}) AS INTEGER) * 1000000 "  # %% for the driver's format
            f"+ CAST(substr({modified}, 21, 6) AS INTEGER)"
        )
    else:  # pragma: no cover - the two databases we support
        raise NotImplementedError(connection.vendor)
    statement = (
        f"SELECT replace(CAST(d.{quote('id')} AS TEXT), '-', ''), d.{quote('index_revision')}, "  # noqa: S608 - our own table names
        f"{micros} FROM {quote(dataset)} d "
        f"JOIN {quote(organization)} o ON o.{quote('id')} = d.{quote('organization_id')} "
        f"WHERE d.{quote('state')} = %s AND o.{quote('is_active')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [DatasetState.ACTIVE])
        while rows := cursor.fetchmany(10_000):
            yield from rows


_READ = (
    "id",
    "index_revision",
    "name",
    "title",
    "notes",
    "private",
    "state",
    "organization_id",
    "organization__name",
    "organization__title",
    "organization__is_active",
    "metadata_modified",
    "metadata_created",
    "tags",
    "themes",
    "license_id",
    "frequency",
    "language",
    "spatial",
    "author",
    "maintainer",
)


def document(row: dict, resources: list[tuple], groups: list[tuple]) -> dict:
    """What the index keeps of one dataset: its row, its active resources (name, description,
    format) and its groups (name, title)."""
    tags = list(row["tags"] or [])
    group_names = [name for name, _ in groups]
    org_name, org_title = row["organization__name"], row["organization__title"]
    return {
        "id": str(row["id"]),
        "stamp": (row["index_revision"], _micros(row["metadata_modified"])),
        "name": row["name"],
        "title": row["title"],
        "private": row["private"],
        "owner_org": str(row["organization_id"]),
        "titles": {("organization", org_name): org_title}
        | {("groups", name): title for name, title in groups},
        "metadata_modified": _ts(row["metadata_modified"]),
        "metadata_created": _ts(row["metadata_created"]),
        "num_resources": len(resources),
        "num_tags": len(tags),
        "keywords": {
            "id": [str(row["id"])],
            "name": [row["name"]],
            "tags": tags,
            "groups": group_names,
            "organization": [org_name],
            "owner_org": [str(row["organization_id"])],
            "license_id": [row["license_id"]],
            "res_format": sorted({fmt for _, _, fmt in resources if fmt}),
            "theme": list(row["themes"] or []),
            "frequency": [row["frequency"]],
            "language": [row["language"]],
            "spatial": [row["spatial"]],
            "state": [row["state"]],
            "capacity": ["private" if row["private"] else "public"],
        },
        "texts": {
            "title": row["title"],
            "notes": row["notes"],
            "res_name": " ".join(name for name, _, _ in resources),
            "res_description": " ".join(description for _, description, _ in resources),
            "author": f"{row['author']} {row['maintainer']}",
            "maintainer": row["maintainer"],
            "organization_text": f"{org_title} {org_name}",
            "extra_text": " ".join(
                [row["spatial"], " ".join(tags), " ".join(group_names), row["name"]]
            ),
        },
    }


# A snapshot is written after this many changed datasets, at most once per interval.
SAVE_AFTER_CHANGES = 500
SAVE_INTERVAL_S = 300.0

INDEX = CatalogueIndex()

from civitas.opendata.search import snapshot  # noqa: E402 - snapshot reads this module's types
