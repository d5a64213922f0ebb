"""Pages of the open data portal: search with facets, dataset and resource pages with previews and
downloads, publishers, the API guide, and publishers' own pages to manage datasets and tokens.

Views call selectors, search and services only. Everything works without JavaScript.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.opendata import search as catalogue_search
from civitas.opendata import selectors, serializers, services
from civitas.opendata.datastore import query as datastore_query
from civitas.opendata.dcat.schemaorg import dataset_jsonld, script_safe
from civitas.opendata.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError
from civitas.opendata.forms import DatasetForm, TokenForm, UploadForm
from civitas.opendata.lifecycle import DatasetState
from civitas.opendata.models import Dataset, DatastoreTable, Organization, Resource
from civitas.opendata.sites import site_url
from civitas.opendata.vocabularies import FREQUENCIES, THEMES, licence

PAGE_SIZE = 20
FACETS = [
    ("organization", "publisher"),
    ("theme", "theme"),
    ("tags", "tag"),
    ("res_format", "format"),
    ("license_id", "licence"),
]
SORTS = {
    "relevance": "score desc, metadata_modified desc",
    "newest": "metadata_modified desc",
    "name": "title_string asc",
}


def _access(request: HttpRequest):
    return selectors.access_for(request.user)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _facet_label(field: str, value: str, titles: dict) -> str:
    if field == "organization":
        return titles.get(value, value)
    if field == "theme":
        return str(THEMES.get(value, value))
    if field == "license_id":
        found = licence(value)
        return found.title if found else value
    return value


def _search_page(request: HttpRequest, *, fixed: list[str], template: str, extra: dict):
    access = _access(request)
    text = request.GET.get("q", "").strip()[:500]
    sort_key = request.GET.get("sort", "relevance" if text else "newest")
    sort = SORTS.get(sort_key, SORTS["newest"])
    selected = {param: request.GET.getlist(param) for _, param in FACETS}
    fq = list(fixed)
    for field, param in FACETS:
        for value in selected[param]:
            fq.append(f"{field}:{_quote(value[:200])}")
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    error = ""
    try:
        result = catalogue_search.search(
            access,
            q_text=text or None,
            fq=fq,
            sort=sort,
            start=(page_number - 1) * PAGE_SIZE,
            rows=PAGE_SIZE,
            facet_fields=[f for f, _ in FACETS],
            facet_limit=10,
            include_private=access.authenticated,
        )
    except SearchQueryError as exc:
        error = str(exc).replace("Search Query is invalid: ", "")
        result = catalogue_search.SearchResult(0, [], {}, sort)
    titles = dict(
        Organization.objects.filter(
            name__in=list(result.facets.get("organization", {}))
        ).values_list("name", "title")
    )
    facets = []
    for field, param in FACETS:
        items = []
        for value, count in result.facets.get(field, {}).items():
            chosen = value in selected[param]
            others = {
                k: [v for v in vs if not (k == param and v == value)] for k, vs in selected.items()
            }
            if not chosen:
                others[param] = [*selected[param], value]
            query = {"q": text, "sort": sort_key, **others}
            items.append(
                {
                    "label": _facet_label(field, value, titles),
                    "count": count,
                    "chosen": chosen,
                    "href": "?" + urlencode({k: v for k, v in query.items() if v}, doseq=True),
                }
            )
        facets.append({"field": field, "param": param, "items": items})
    pages = max(1, -(-result.count // PAGE_SIZE))
    base = {"q": text, "sort": sort_key, **selected}

    def page_href(number: int) -> str:
        return "?" + urlencode({k: v for k, v in {**base, "page": number}.items() if v}, doseq=True)

    datasets = [
        {"dataset": d, "quality": serializers.quality.score(d, serializers.live_resources(d))}
        for d in result.datasets
    ]
    context = {
        "q": text,
        "sort": sort_key,
        "count": result.count,
        "datasets": datasets,
        "facets": facets,
        "error": error,
        "page": page_number,
        "pages": pages,
        "previous_href": page_href(page_number - 1) if page_number > 1 else "",
        "next_href": page_href(page_number + 1) if page_number < pages else "",
        "hidden": [(param, v) for param, vs in selected.items() for v in vs],
        **extra,
    }
    return render(request, template, context)


def search(request: HttpRequest):
    return _search_page(request, fixed=[], template="opendata/search.html", extra={})


def publisher(request: HttpRequest, name: str):
    try:
        org = selectors.organization_for(name)
    except NotFound:
        raise Http404("No such publisher") from None
    return _search_page(
        request,
        fixed=[f"organization:{_quote(org.name)}"],
        template="opendata/publisher.html",
        extra={"organization": org},
    )


def _dataset_or_404(request: HttpRequest, name: str) -> Dataset:
    try:
        found = selectors.dataset_for(_access(request), name)
    except NotFound:
        raise Http404("No such dataset") from None
    return (
        Dataset.objects.select_related("organization")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.prefetch_related("datastore")), "groups"
        )
        .get(pk=found.pk)
    )


def _table(resource: Resource) -> datastore_query.Table | None:
    table = getattr(resource, "datastore", None) if resource.url_type == "datastore" else None
    if table is None:
        return None
    return datastore_query.Table(
        resource_id=str(resource.id),
        file_name=table.file_name,
        schema=table.schema,
        row_count=table.row_count,
    )


CHART_WIDTH = 600
CHART_BAR = 28


def _chart(table: datastore_query.Table) -> dict | None:
    """A bar chart of the first numeric column, summed by the first text column (server-drawn SVG;
    the table above it carries the same figures for screen readers)."""
    fields = table.schema.get("fields", [])
    numeric = next((f for f in fields if f["type"] in {"integer", "number"}), None)
    if numeric is None or table.row_count == 0:
        return None
    label = next((f for f in fields if f["type"] in {"string", "date"}), None)
    try:
        rows = datastore_query.column_summary(
            table, numeric["name"], by=label["name"] if label else None
        )
    except ValidationError:
        return None
    values = [(str(name), float(value or 0)) for name, value in rows]
    if not values:
        return None
    top = max(max(v for _, v in values), 1.0)
    bars = []
    for index, (name, value) in enumerate(values):
        width = round((CHART_WIDTH - 220) * max(value, 0) / top)
        bars.append(
            {
                "label": name[:30],
                "value": round(value, 2) if value % 1 else int(value),
                "y": index * CHART_BAR,
                "width": width,
                "text_y": index * CHART_BAR + 18,
                "value_x": 205 + width,
            }
        )
    return {
        "title": _("%(value)s by %(label)s")
        % {
            "value": numeric.get("title") or numeric["name"],
            "label": (label.get("title") or label["name"]) if label else _("row"),
        },
        "bars": bars,
        "height": len(bars) * CHART_BAR,
        "width": CHART_WIDTH,
    }


def _preview(resource: Resource, rows: int) -> dict | None:
    table = _table(resource)
    if table is None:
        return None
    try:
        fields, values = datastore_query.preview(table, rows=rows)
    except ValidationError:
        return None
    return {"fields": fields, "rows": values, "total": table.row_count, "chart": _chart(table)}


def dataset(request: HttpRequest, name: str):
    found = _dataset_or_404(request, name)
    access = _access(request)
    site = site_url(request)
    resources = serializers.live_resources(found)
    items = []
    for resource in resources:
        items.append(
            {
                "resource": resource,
                "url": serializers.resource_url(resource, site),
                "downloads": [
                    (kind.upper(), site + serializers.download_path(resource, kind))
                    for kind in ("csv", "json", "parquet")
                    if (resource.files or {}).get(kind)
                ],
                "preview": _preview(resource, 10),
            }
        )
    frequency = FREQUENCIES.get(found.frequency or "")
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": found,
            "items": items,
            "licence": licence(found.license_id),
            "themes": [(code, THEMES.get(code, code)) for code in found.themes or []],
            "frequency": frequency.label if frequency else "",
            "quality": serializers.quality.score(found, resources),
            "versions": list(found.versions.all()[:10]),
            "can_edit": access.can_edit(found.organization_id),
            "jsonld": script_safe(dataset_jsonld(found, site=site)),
            "site": site,
        },
    )


def resource(request: HttpRequest, name: str, resource_id: uuid.UUID):
    found = _dataset_or_404(request, name)
    item = next((r for r in serializers.live_resources(found) if r.id == resource_id), None)
    if item is None:
        raise Http404("No such resource")
    site = site_url(request)
    return render(
        request,
        "opendata/resource.html",
        {
            "dataset": found,
            "resource": item,
            "url": serializers.resource_url(item, site),
            "downloads": [
                (kind.upper(), site + serializers.download_path(item, kind))
                for kind in ("csv", "json", "parquet")
                if (item.files or {}).get(kind)
            ],
            "preview": _preview(item, 50),
            "schema": (item.datastore.schema if _table(item) else {}),
            "site": site,
        },
    )


def download(request: HttpRequest, name: str, resource_id: uuid.UUID, filename: str):
    """A file of a resource, from the storage target it is on, for whoever may see its dataset."""
    try:
        found = selectors.resource_for(_access(request), str(resource_id))
    except NotFound:
        raise Http404("No such file") from None
    if name not in {found.dataset.name, str(found.dataset.id)}:
        raise Http404("No such file")
    key = next(
        (k for k in (found.files or {}).values() if k and k.rsplit("/", 1)[-1] == filename), None
    )
    if key is None:
        raise Http404("No such file")
    from civitas.opendata import files

    try:
        handle = files.open_file(found.storage_target or files.PRIVATE, key)
    except (FileNotFoundError, OSError):
        raise Http404("No such file") from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def api_guide(request: HttpRequest):
    example = (
        Dataset.objects.filter(state=DatasetState.ACTIVE, private=False)
        .order_by("-metadata_modified")
        .first()
    )
    table = (
        DatastoreTable.objects.filter(
            resource__dataset__state=DatasetState.ACTIVE, resource__dataset__private=False
        )
        .select_related("resource")
        .first()
    )
    return render(
        request,
        "opendata/api.html",
        {"site": site_url(request), "example": example, "table": table},
    )


# --- publishers' pages -----------------------------------------------------------------------------


@login_required
def manage(request: HttpRequest):
    access = _access(request)
    organizations = list(selectors.organizations_for_edit(access))
    datasets = (
        Dataset.objects.filter(organization__in=organizations)
        .exclude(state=DatasetState.DELETED)
        .select_related("organization")
        .order_by("-metadata_modified")[:200]
    )
    return render(
        request,
        "opendata/manage.html",
        {"organizations": organizations, "datasets": datasets},
    )


def _form_errors(form, error: ValidationError) -> None:
    for key, messages_ in error.errors.items():
        if key in {"validation_report", "records"}:
            continue
        target = key if key in form.fields else None
        for message in messages_ if isinstance(messages_, list) else [messages_]:
            form.add_error(target, str(message))


@login_required
def dataset_new(request: HttpRequest):
    access = _access(request)
    organizations = list(selectors.organizations_for_edit(access))
    if not organizations:
        raise Http404("You do not publish for any organisation")
    form = DatasetForm(request.POST or None, organizations=organizations)
    key = request.POST.get("idempotency_key", "")[:100] or uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.create_dataset(access=access, data=form.as_data(), idempotency_key=key)
        except ValidationError as exc:
            _form_errors(form, exc)
        except NotAuthorized:
            form.add_error("owner_org", _("You cannot publish for this organisation"))
        else:
            messages.success(request, _("The dataset has been created. Now add its data."))
            return redirect("opendata:resource-new", name=saved.dataset.name)
    return render(
        request,
        "opendata/dataset_form.html",
        {"form": form, "idempotency_key": key, "editing": None},
    )


@login_required
def dataset_edit(request: HttpRequest, name: str):
    access = _access(request)
    found = _dataset_or_404(request, name)
    if not access.can_edit(found.organization_id):
        raise Http404("No such dataset")
    organizations = list(selectors.organizations_for_edit(access))
    initial = {
        "title": found.title,
        "name": found.name,
        "owner_org": found.organization.name,
        "notes": found.notes,
        "license_id": found.license_id,
        "tags": ", ".join(found.tags or []),
        "theme": found.themes,
        "frequency": found.frequency,
        "temporal_start": found.temporal_start,
        "temporal_end": found.temporal_end,
        "spatial": found.spatial,
        "documentation_url": found.documentation_url,
        "private": found.private,
    }
    form = DatasetForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.update_dataset(
                access=access, dataset=found, data=form.as_data(), partial=True
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except NotAuthorized:
            form.add_error("owner_org", _("You cannot publish for this organisation"))
        else:
            messages.success(request, _("The dataset has been saved."))
            return redirect("opendata:dataset", name=updated.name)
    return render(
        request,
        "opendata/dataset_form.html",
        {"form": form, "editing": found, "idempotency_key": ""},
    )


@login_required
def resource_new(request: HttpRequest, name: str):
    access = _access(request)
    found = _dataset_or_404(request, name)
    if not access.can_edit(found.organization_id):
        raise Http404("No such dataset")
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    key = request.POST.get("idempotency_key", "")[:100] or uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            services.create_resource(
                access=access,
                dataset=found,
                data={
                    "name": form.cleaned_data["name"],
                    "description": form.cleaned_data["description"],
                    "schema": form.cleaned_data["schema"],
                },
                upload=upload,
                upload_name=upload.name,
                idempotency_key=key,
            )
        except ValidationError as exc:
            report = exc.errors.get("validation_report")
            _form_errors(form, exc)
        else:
            messages.success(request, _("The file has been checked and added."))
            return redirect("opendata:dataset", name=found.name)
    return render(
        request,
        "opendata/resource_form.html",
        {"form": form, "dataset": found, "report": report, "idempotency_key": key},
    )


@login_required
def tokens(request: HttpRequest):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _, created = services.create_token(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "opendata/tokens.html",
        {"form": form, "created": created, "tokens": selectors.tokens_of(request.user)},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: uuid.UUID):
    token = selectors.tokens_of(request.user).filter(id=token_id).first()
    if token is None:
        raise Http404("No such token")
    services.revoke_token(actor=request.user, token=token)
    messages.success(
        request, _("The token has been revoked. Programs using it can no longer publish.")
    )
    return redirect("opendata:tokens")
