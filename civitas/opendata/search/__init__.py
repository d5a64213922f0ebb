"""Dataset search for the API (package_search) and the web pages: parse, match, page, hydrate."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch

from civitas.opendata.errors import SearchQueryError
from civitas.opendata.lifecycle import DatasetState
from civitas.opendata.models import Dataset, Resource
from civitas.opendata.search import query as q
from civitas.opendata.search.index import INDEX, SORTABLE
from civitas.opendata.selectors import Access

DEFAULT_SORT = "score desc, metadata_modified desc"
MAX_ROWS = 1000


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, dict[str, int]]
    sort: str


def parse_sort(sort: str | None) -> list[tuple[str, bool]]:
    text = (sort or "").strip() or DEFAULT_SORT
    if text == "rank":
        text = DEFAULT_SORT
    out = []
    for part in text.split(","):
        bits = part.strip().split()
        if not bits or len(bits) > 2 or bits[0] not in SORTABLE:
            raise SearchQueryError('Invalid "sort" parameter')
        direction = bits[1].lower() if len(bits) == 2 else "asc"
        if direction not in {"asc", "desc"}:
            raise SearchQueryError('Invalid "sort" parameter')
        out.append((bits[0], direction == "desc"))
    return out


def hydrate(ids: list[str], access: Access) -> list[Dataset]:
    """The datasets of one page, in order, ready to serialise (a handful of queries)."""
    if not ids:
        return []
    resources = Prefetch(
        "resources",
        queryset=Resource.objects.select_related("datastore"),
    )
    # by primary key only: a state condition here can lead SQLite to scan the state index
    found = {
        str(d.id): d
        for d in Dataset.objects.filter(id__in=ids)
        .select_related("organization")
        .prefetch_related(resources, "groups")
    }
    out = []
    for dataset_id in ids:
        dataset = found.get(dataset_id)
        # the index is never the last word on who may see what
        if dataset is None or dataset.state != DatasetState.ACTIVE:
            continue
        if not dataset.organization.is_active:
            continue
        if dataset.private and not access.can_read_private(dataset.organization_id):
            continue
        out.append(dataset)
    return out


_FACET_NAME = re.compile(r"^[a-z_]+$")


def search(
    access: Access,
    *,
    q_text: str | None = None,
    fq: list[str] | None = None,
    sort: str | None = None,
    start: int = 0,
    rows: int = 10,
    facet_fields: list[str] | None = None,
    facet_limit: int = 50,
    facet_mincount: int = 1,
    include_private: bool = False,
) -> SearchResult:
    tree = q.parse(q_text)
    filters = [q.parse(item) for item in (fq or []) if item and item.strip()]
    order = parse_sort(sort)
    for name in facet_fields or []:
        if not _FACET_NAME.match(name or ""):
            raise SearchQueryError(f"Search Query is invalid: cannot facet on {name!r}")
    hits = INDEX.search(
        tree=tree,
        filters=filters,
        sort=order,
        start=max(start, 0),
        rows=min(max(rows, 0), MAX_ROWS),
        facet_fields=list(facet_fields or []),
        facet_limit=facet_limit,
        facet_mincount=facet_mincount,
        access=access,
        include_private=include_private,
    )
    return SearchResult(
        count=hits.count,
        datasets=hydrate(hits.ids, access),
        facets=hits.facets,
        sort=(sort or "").strip() or DEFAULT_SORT,
    )
