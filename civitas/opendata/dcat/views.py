"""DCAT feeds: ``/catalog.ttl|rdf|jsonld`` (paged), per-dataset RDF and ``/data.json``.

Catalogue-wide feeds are what anonymous harvesters read, so they hold public datasets only,
whoever asks. A dataset's own RDF follows the caller's access, like its page.
"""

from __future__ import annotations

import json

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse

from civitas.opendata import selectors
from civitas.opendata.dcat import graph, us
from civitas.opendata.errors import NotFound
from civitas.opendata.models import Resource
from civitas.opendata.sites import site_url


def _public_datasets():
    return (
        selectors.visible_datasets(selectors.ANONYMOUS, include_private=False)
        .select_related("organization")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.prefetch_related("datastore")), "groups"
        )
        .order_by("metadata_created", "id")
    )


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404("No such page") from None
    if number < 1:
        raise Http404("No such page")
    return number


def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    site = site_url(request)
    datasets = _public_datasets()
    total = datasets.count()
    page = graph.Page(number=_page_number(request), size=graph.PAGE_SIZE, total=total)
    if page.number > page.last:
        raise Http404("No such page")
    start = (page.number - 1) * page.size
    body, content_type = graph.serialise(
        graph.catalog_graph(
            list(datasets[start : start + page.size]),
            site=site,
            page=page,
            feed_url=f"{site}/catalog.{fmt}",
        ),
        fmt,
    )
    return HttpResponse(body, content_type=content_type)


def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    access = selectors.access_for(request.user)
    try:
        dataset = selectors.dataset_for(access, name)
    except NotFound:
        raise Http404("No such dataset") from None
    dataset = (
        type(dataset)
        .objects.select_related("organization")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.prefetch_related("datastore")), "groups"
        )
        .get(pk=dataset.pk)
    )
    body, content_type = graph.serialise(graph.dataset_graph(dataset, site=site_url(request)), fmt)
    return HttpResponse(body, content_type=content_type)


def data_json(request: HttpRequest) -> HttpResponse:
    body = us.catalog(_public_datasets().iterator(chunk_size=500), site=site_url(request))
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
