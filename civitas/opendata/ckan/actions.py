"""The CKAN Action API v3 actions Civitas answers. Names, parameters and result shapes follow
CKAN's (``ckan/logic/action/get.py`` and the datastore extension); each function's docstring is
what ``help_show`` returns for it.

Actions only call the catalogue's selectors, search and services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch

from civitas.opendata import search as catalogue_search
from civitas.opendata import selectors, serializers, services
from civitas.opendata.ckan import params
from civitas.opendata.ckan.context import Context
from civitas.opendata.datastore import query as datastore_query
from civitas.opendata.datastore import sql as datastore_sql
from civitas.opendata.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError
from civitas.opendata.models import Dataset, DatastoreTable, Group, Resource
from civitas.opendata.search.index import INDEX
from civitas.opendata.vocabularies import LICENCES, licence

ACTIONS: dict[str, Callable[[Context, dict], Any]] = {}
API_LEVEL = "2.10.0"  # the CKAN release whose Action API this one reproduces


def action(*, side_effect_free: bool = False):
    def register(function):
        function.side_effect_free = side_effect_free
        ACTIONS[function.__name__] = function
        return function

    return register


def _require_token(ctx: Context) -> None:
    if ctx.access.user is None:
        raise NotAuthorized("an API token is required: send it in the Authorization header")


def _package(ctx: Context, dataset: Dataset) -> dict:
    fresh = (
        Dataset.objects.select_related("organization")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.prefetch_related("datastore")),
            "groups",
        )
        .get(pk=dataset.pk)
    )
    return serializers.package_dict(fresh, site=ctx.site)


# --- site ----------------------------------------------------------------------------------------


@action(side_effect_free=True)
def status_show(ctx: Context, data: dict) -> dict:
    """Return a dictionary with information about the site's configuration.

    :rtype: dictionary
    """
    return {
        "site_title": settings.CIVITAS_SITE_NAME,
        "site_description": "",
        "site_url": ctx.site,
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": ["datastore", "dcat", "civitas"],
        "ckan_version": API_LEVEL,
    }


@action(side_effect_free=True)
def site_read(ctx: Context, data: dict) -> bool:
    """Return ``True``: the catalogue can be read.

    :rtype: bool
    """
    return True


@action(side_effect_free=True)
def help_show(ctx: Context, data: dict) -> str | None:
    """Return the help string for a particular API action.

    :param name: Action function name (eg `package_search`)
    :type name: string
    :returns: The help string for the action function, or None if the function
              does not have a docstring.
    :rtype: string
    """
    name = params.required(data, "name")
    function = ACTIONS.get(str(name))
    if function is None:
        raise NotFound("Action function not found")
    return function.__doc__


@action(side_effect_free=True)
def license_list(ctx: Context, data: dict) -> list[dict]:
    """Return the list of licenses available for datasets on the site.

    :rtype: list of dictionaries
    """
    return [item.as_ckan() for item in LICENCES]


# --- datasets ------------------------------------------------------------------------------------


@action(side_effect_free=True)
def package_list(ctx: Context, data: dict) -> list[str]:
    """Return a list of the names of the site's public datasets (packages).

    :param limit: if given, the list of datasets will be broken into pages of
        at most ``limit`` datasets per page and only one page will be returned
        at a time (optional)
    :type limit: int
    :param offset: when ``limit`` is given, the offset to start
        returning packages from
    :type offset: int

    :rtype: list of strings
    """
    limit = params.integer(data, "limit", None)
    offset = params.integer(data, "offset", 0) or 0
    names = (
        selectors.visible_datasets(selectors.ANONYMOUS, include_private=False)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if limit:
        return list(names[offset : offset + limit])
    return list(names[offset:])


@action(side_effect_free=True)
def current_package_list_with_resources(ctx: Context, data: dict) -> list[dict]:
    """Return a list of the site's datasets (packages) and their resources.

    The list is sorted most-recently-modified first.

    :param limit: if given, the list of datasets will be broken into pages of
        at most ``limit`` datasets per page and only one page will be returned
        at a time (optional)
    :type limit: int
    :param offset: when ``limit`` is given, the offset to start
        returning packages from
    :type offset: int
    :param page: when ``limit`` is given, which page to return,
        Deprecated: use ``offset``
    :type page: int

    :rtype: list of dictionaries
    """
    limit = params.integer(data, "limit", None)
    offset = params.integer(data, "offset", None)
    if offset is None:
        page = params.integer(data, "page", None, minimum=1)
        offset = (page - 1) * limit if page and limit else 0
    result = catalogue_search.search(
        ctx.access,
        sort="metadata_modified desc",
        start=offset,
        rows=limit if limit is not None else catalogue_search.MAX_ROWS,
        include_private=ctx.access.sysadmin,
    )
    return [serializers.package_dict(d, site=ctx.site) for d in result.datasets]


@action(side_effect_free=True)
def package_show(ctx: Context, data: dict) -> dict:
    """Return the metadata of a dataset (package) and its resources.

    :param id: the id or name of the dataset
    :type id: string
    :rtype: dictionary
    """
    name = params.identifier(data, "id", "name_or_id", "name")
    return _package(ctx, selectors.dataset_for(ctx.access, name))


_SOLR_PASSTHROUGH = {"qf", "wt", "bf", "boost", "tie", "defType", "mm", "df", "fl", "facet"}
_SEARCH_PARAMS = {
    "q",
    "fq",
    "fq_list",
    "rows",
    "start",
    "sort",
    "facet.field",
    "facet.limit",
    "facet.mincount",
    "include_private",
    "include_drafts",
    "include_deleted",
    "use_default_schema",
    *_SOLR_PASSTHROUGH,
}


@action(side_effect_free=True)
def package_search(ctx: Context, data: dict) -> dict:
    """Searches for packages satisfying a given search criteria.

    :param q: the query, in Solr syntax (words, "phrases", field:value, AND/OR/NOT,
        ranges). Optional. Default: ``"*:*"``
    :type q: string
    :param fq: any filter queries to apply, same syntax as ``q``.
    :type fq: string
    :param fq_list: additional filter queries to apply.
    :type fq_list: list of strings
    :param sort: comma-separated field names and orders. Default:
        ``'score desc, metadata_modified desc'``. Fields: score, metadata_modified,
        metadata_created, name, title_string, num_resources, num_tags.
    :type sort: string
    :param rows: the maximum number of matching rows (datasets) to return.
        (optional, default: ``10``, upper limit: ``1000``)
    :type rows: int
    :param start: the offset in the complete result for where the set of
        returned datasets should begin.
    :type start: int
    :param facet.field: the fields to facet upon (organization, groups, tags,
        res_format, license_id, theme, frequency, language, spatial). Default empty.
    :type facet.field: list of strings
    :param facet.limit: the maximum number of values the facet fields return.
        A negative value means unlimited. Default is 50.
    :type facet.limit: int
    :param facet.mincount: the minimum counts for facet fields should be
        included in the results.
    :type facet.mincount: int
    :param include_private: if ``True``, private datasets will be included in
        the results. Only private datasets from the user's organizations will
        be returned and sysadmins will be returned all private datasets.
        Optional, the default is ``False``.
    :type include_private: bool

    :rtype: A dictionary with the keys count, results, facets, search_facets and sort
    """
    unknown = sorted(k for k in data if k not in _SEARCH_PARAMS and not k.startswith("ext_"))
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    rows = params.integer(data, "rows", 10, maximum=catalogue_search.MAX_ROWS)
    start = params.integer(data, "start", 0)
    facet_limit = params.integer(data, "facet.limit", 50, minimum=-1)
    facet_mincount = params.integer(data, "facet.mincount", 1)
    fields = params.string_list(data, "facet.field")
    fq = [data["fq"]] if isinstance(data.get("fq"), str) and data["fq"] else []
    fq += params.string_list(data, "fq_list")
    q_text = data.get("q")
    if q_text is not None and not isinstance(q_text, str):
        raise ValidationError({"q": ["must be a string"]})
    result = catalogue_search.search(
        ctx.access,
        q_text=q_text,
        fq=fq,
        sort=data.get("sort") if isinstance(data.get("sort"), str) else None,
        start=start,
        rows=rows,
        facet_fields=fields,
        facet_limit=facet_limit,
        facet_mincount=facet_mincount,
        include_private=params.boolean(data, "include_private", False),
    )
    results = [serializers.package_dict(d, site=ctx.site) for d in result.datasets]
    requested = params.string_list(data, "fl") if data.get("fl") else []
    if requested:
        wanted = [f for part in requested for f in part.replace(",", " ").split() if f]
        results = [{k: r.get(k) for k in wanted} for r in results]
    return {
        "count": result.count,
        "facets": result.facets,
        "results": results,
        "sort": result.sort,
        "search_facets": _search_facets(result.facets),
    }


def _search_facets(facets: dict[str, dict[str, int]]) -> dict:
    out = {}
    for field, counts in facets.items():
        items = []
        for name, count in counts.items():
            if field in {"organization", "groups"}:
                display = INDEX.title_of(field, name) or name
            elif field == "license_id":
                found = licence(name)
                display = found.title if found else name
            else:
                display = name
            items.append({"name": name, "display_name": display, "count": count})
        items.sort(key=lambda item: item["display_name"], reverse=True)
        out[field] = {"title": field, "items": items}
    return out


@action(side_effect_free=True)
def resource_show(ctx: Context, data: dict) -> dict:
    """Return the metadata of a resource.

    :param id: the id of the resource
    :type id: string

    :rtype: dictionary
    """
    resource = selectors.resource_for(ctx.access, params.identifier(data, "id"))
    resource = (
        Resource.objects.select_related("dataset").prefetch_related("datastore").get(pk=resource.pk)
    )
    return serializers.resource_dict(resource, site=ctx.site)


@action(side_effect_free=True)
def tag_list(ctx: Context, data: dict) -> list:
    """Return a list of the tags of the datasets you can see.

    :param query: a tag name query to search for, if given only tags whose
        names contain this string will be returned (optional)
    :type query: string
    :param all_fields: return full tag dictionaries instead of just names
        (optional, default: ``False``)
    :type all_fields: bool

    :rtype: list of dictionaries
    """
    wanted = str(data.get("query") or data.get("q") or "").strip().casefold()
    names = sorted(INDEX.values("tags", access=_public_view(ctx)))
    if wanted:
        names = [n for n in names if wanted in n.casefold()]
    if params.boolean(data, "all_fields", False):
        return [serializers.tag_dict(n) for n in names]
    return names


def _public_view(ctx: Context):
    """Lists of tags, organisations and groups count what the caller may see."""
    return ctx.access


def _counts(ctx: Context, field: str) -> dict[str, int]:
    return INDEX.values(field, access=_public_view(ctx))


def _group_or_org_list(ctx: Context, data: dict, *, organizations: bool) -> list:
    all_fields = params.boolean(data, "all_fields", False)
    max_limit = 25 if all_fields else 1000
    limit = params.integer(data, "limit", max_limit, minimum=0) or max_limit
    limit = min(limit, max_limit)
    offset = params.integer(data, "offset", 0) or 0
    sort = str(data.get("sort") or data.get("order_by") or "title asc").strip()
    if sort in {"packages", "package_count"}:
        sort = "package_count desc"
    bits = sort.split()
    if (
        not bits
        or bits[0] not in {"name", "title", "packages", "package_count"}
        or (len(bits) > 1 and bits[1] not in {"asc", "desc"})
    ):
        raise ValidationError({"sort": [f'Cannot sort by "{sort}"']})
    wanted = params.string_list(data, "organizations" if organizations else "groups")
    if len(wanted) == 1 and "," in wanted[0]:
        wanted = [w.strip() for w in wanted[0].split(",")]
    found = list(
        selectors.organizations(names=wanted or None)
        if organizations
        else (Group.objects.filter(name__in=wanted) if wanted else Group.objects.all())
    )
    text = str(data.get("q") or "").strip().casefold()
    if text:
        found = [g for g in found if text in f"{g.name} {g.title} {g.description}".casefold()]
    counts = _counts(ctx, "organization" if organizations else "groups")
    field = "package_count" if bits[0] in {"packages", "package_count"} else bits[0]
    descending = len(bits) > 1 and bits[1] == "desc"
    if field == "package_count":
        found.sort(key=lambda g: (counts.get(g.name, 0), g.name), reverse=descending)
    else:
        found.sort(key=lambda g: getattr(g, field).casefold(), reverse=descending)
    found = found[offset : offset + limit]
    if not all_fields:
        return [g.name for g in found]
    shape = serializers.organization_dict if organizations else serializers.group_dict
    return [shape(g, package_count=counts.get(g.name, 0)) for g in found]


@action(side_effect_free=True)
def organization_list(ctx: Context, data: dict) -> list:
    """Return a list of the names of the site's organizations (publishers).

    :param sort: sorting of the search results.  Optional.  Default:
        "title asc" string of field name and sort-order. The allowed fields are
        'name', 'package_count' and 'title'
    :type sort: string
    :param limit: the maximum number of organizations returned (optional)
        Default: ``1000`` when all_fields=false, ``25`` when all_fields=true
    :type limit: int
    :param offset: when ``limit`` is given, the offset to start
        returning organizations from
    :type offset: int
    :param organizations: a list of names of the organizations to return,
        if given only organizations whose names are in this list will be
        returned (optional)
    :type organizations: list of strings
    :param all_fields: return organization dictionaries instead of just names,
        with a ``package_count`` (optional, default: ``False``)
    :type all_fields: bool

    :rtype: list of strings
    """
    return _group_or_org_list(ctx, data, organizations=True)


@action(side_effect_free=True)
def group_list(ctx: Context, data: dict) -> list:
    """Return a list of the names of the site's groups.

    :param sort: sorting of the search results.  Optional.  Default:
        "title asc" string of field name and sort-order. The allowed fields are
        'name', 'package_count' and 'title'
    :type sort: string
    :param limit: the maximum number of groups returned (optional)
    :type limit: int
    :param offset: when ``limit`` is given, the offset to start
        returning groups from
    :type offset: int
    :param groups: a list of names of the groups to return, if given only
        groups whose names are in this list will be returned (optional)
    :type groups: list of strings
    :param all_fields: return group dictionaries instead of just names
        (optional, default: ``False``)
    :type all_fields: bool

    :rtype: list of strings
    """
    return _group_or_org_list(ctx, data, organizations=False)


def _group_or_org_show(ctx: Context, data: dict, *, organization: bool) -> dict:
    name = params.identifier(data, "id")
    found = selectors.organization_for(name) if organization else selectors.group_for(name)
    facet = "organization" if organization else "groups"
    result = catalogue_search.search(
        ctx.access,
        fq=[f'{facet}:"{found.name}"'],
        sort="metadata_modified desc",
        rows=10 if organization else 1000,
        include_private=True,
    )
    shape = serializers.organization_dict if organization else serializers.group_dict
    out = shape(found, package_count=result.count)
    if params.boolean(data, "include_datasets", False):
        out["packages"] = [serializers.package_dict(d, site=ctx.site) for d in result.datasets]
    out["num_followers"] = 0
    if organization:
        out["email"] = found.email
        out["homepage"] = found.homepage
    out["extras"] = []
    out["groups"] = []
    out["tags"] = []
    out["users"] = []
    return out


@action(side_effect_free=True)
def organization_show(ctx: Context, data: dict) -> dict:
    """Return the details of an organization (publisher).

    :param id: the id or name of the organization
    :type id: string
    :param include_datasets: include a truncated list of the org's datasets
         (optional, default: ``False``)
    :type include_datasets: bool

    :rtype: dictionary

    .. note:: Only its first 10 datasets are returned
    """
    return _group_or_org_show(ctx, data, organization=True)


@action(side_effect_free=True)
def group_show(ctx: Context, data: dict) -> dict:
    """Return the details of a group.

    :param id: the id or name of the group
    :type id: string
    :param include_datasets: include a truncated list of the group's datasets
         (optional, default: ``False``)
    :type include_datasets: bool

    :rtype: dictionary

    .. note:: Only its first 1000 datasets are returned
    """
    return _group_or_org_show(ctx, data, organization=False)


# --- writes --------------------------------------------------------------------------------------


def _publisher_out(ctx: Context, found, *, organization: bool) -> dict:
    return _group_or_org_show(ctx, {"id": str(found.id)}, organization=organization)


@action()
def organization_create(ctx: Context, data: dict) -> dict:
    """Create an organization (publisher). Needs a site administrator's API token; the
    creator becomes the organization's admin.

    :param name: the name of the organization, between 2 and 100 characters long and
        containing only lowercase alphanumeric characters, ``-`` and ``_``
    :type name: string
    :param title: the title of the organization (optional)
    :type title: string
    :param description: the description of the organization (optional)
    :type description: string
    :param image_url: the URL of an image for the organization (optional)
    :type image_url: string
    :param homepage: the organization's web site (optional)
    :type homepage: string
    :param email: the organization's public contact address (optional)
    :type email: string

    :returns: the newly created organization
    :rtype: dictionary
    """
    _require_token(ctx)
    org = services.create_organization(access=ctx.access, data=data)
    return _publisher_out(ctx, org, organization=True)


@action()
def organization_update(ctx: Context, data: dict) -> dict:
    """Update an organization: fields not given are emptied (use ``organization_patch`` to
    change only some). Needs the API token of an admin of the organization.

    :param id: the name or id of the organization to update
    :type id: string

    :returns: the updated organization
    :rtype: dictionary
    """
    return _change_organization(ctx, data, partial=False)


@action()
def organization_patch(ctx: Context, data: dict) -> dict:
    """Patch an organization: only the fields given change.

    :param id: the id or name of the organization
    :type id: string

    :returns: the patched organization
    :rtype: dictionary
    """
    return _change_organization(ctx, data, partial=True)


@action()
def organization_delete(ctx: Context, data: dict) -> None:
    """Delete an organization. Refused while it still has datasets. Needs a site
    administrator's API token.

    :param id: the name or id of the organization
    :type id: string
    """
    _require_token(ctx)
    org = selectors.organization_for(params.identifier(data, "id"))
    services.delete_organization(access=ctx.access, organization=org)
    return None


@action()
def organization_member_create(ctx: Context, data: dict) -> dict:
    """Make a user a member of an organization, or change their role. Needs the API token of
    an admin of the organization.

    :param id: the id or name of the organization
    :type id: string
    :param username: the email address or id of the user
    :type username: string
    :param role: ``member``, ``editor`` or ``admin``
    :type role: string

    :returns: the membership
    :rtype: dictionary
    """
    _require_token(ctx)
    org = selectors.organization_for(params.identifier(data, "id"))
    member = services.save_member(
        access=ctx.access,
        organization=org,
        username=params.required(data, "username"),
        role=str(params.required(data, "role")),
    )
    return {
        "id": str(member.pk),
        "table_name": "user",
        "table_id": str(member.user_id),
        "group_id": str(org.id),
        "capacity": member.capacity,
        "state": "active",
    }


@action()
def organization_member_delete(ctx: Context, data: dict) -> None:
    """Remove a user from an organization. Needs the API token of an admin of the
    organization.

    :param id: the id or name of the organization
    :type id: string
    :param username: the email address or id of the user
    :type username: string
    """
    _require_token(ctx)
    org = selectors.organization_for(params.identifier(data, "id"))
    services.remove_member(
        access=ctx.access, organization=org, username=params.required(data, "username")
    )
    return None


@action()
def group_create(ctx: Context, data: dict) -> dict:
    """Create a group. Needs a site administrator's API token.

    :param name: the name of the group, between 2 and 100 characters long and containing
        only lowercase alphanumeric characters, ``-`` and ``_``
    :type name: string
    :param title: the title of the group (optional)
    :type title: string
    :param description: the description of the group (optional)
    :type description: string
    :param image_url: the URL of an image for the group (optional)
    :type image_url: string

    :returns: the newly created group
    :rtype: dictionary
    """
    _require_token(ctx)
    group = services.create_group(access=ctx.access, data=data)
    return _publisher_out(ctx, group, organization=False)


@action()
def group_update(ctx: Context, data: dict) -> dict:
    """Update a group: fields not given are emptied. Needs a site administrator's API token.

    :param id: the name or id of the group to update
    :type id: string

    :returns: the updated group
    :rtype: dictionary
    """
    return _change_group(ctx, data, partial=False)


@action()
def group_patch(ctx: Context, data: dict) -> dict:
    """Patch a group: only the fields given change.

    :param id: the id or name of the group
    :type id: string

    :returns: the patched group
    :rtype: dictionary
    """
    return _change_group(ctx, data, partial=True)


@action()
def group_delete(ctx: Context, data: dict) -> None:
    """Delete a group. Its datasets stay, out of the group. Needs a site administrator's
    API token.

    :param id: the name or id of the group
    :type id: string
    """
    _require_token(ctx)
    group = selectors.group_for(params.identifier(data, "id"))
    services.delete_group(access=ctx.access, group=group)
    return None


@action()
def package_create(ctx: Context, data: dict) -> dict:
    """Create a new dataset (package). Needs an API token of an editor of ``owner_org``.

    :param name: the name of the new dataset, between 2 and 100 characters
        long and containing only lowercase alphanumeric characters, ``-`` and ``_``
    :type name: string
    :param title: the title of the dataset (optional, default: same as ``name``)
    :type title: string
    :param owner_org: the id or name of the dataset's organization
    :type owner_org: string
    :param private: if ``True`` only members of the organization can see it
        (optional, default: ``False``)
    :type private: bool
    :param notes: a description of the dataset (optional)
    :type notes: string
    :param license_id: the id of the dataset's license, see ``license_list``
    :type license_id: string
    :param tags: the dataset's tags, e.g. ``[{"name": "health"}]`` (optional)
    :type tags: list of tag dictionaries
    :param groups: the groups the dataset belongs to, e.g. ``[{"name": "..."}]``
    :type groups: list of dictionaries
    :param resources: links to data, e.g. ``[{"url": ..., "format": "CSV"}]`` (optional)
    :type resources: list of resource dictionaries
    :param extras: ``[{"key": ..., "value": ...}]``; ``theme``, ``frequency``,
        ``temporal_start``, ``temporal_end``, ``spatial``, ``language`` and
        ``documentation_url`` may also be given as top-level fields
    :type extras: list of dictionaries
    :param state: ``active`` (default) or ``draft``
    :type state: string

    Send an ``Idempotency-Key`` header to make retries safe: the same key
    returns the dataset the first request created.

    :returns: the newly created dataset
    :rtype: dictionary
    """
    _require_token(ctx)
    saved = services.create_dataset(
        access=ctx.access, data=data, idempotency_key=ctx.idempotency_key
    )
    return _package(ctx, saved.dataset)


def _dataset_for_write(ctx: Context, data: dict) -> Dataset:
    _require_token(ctx)
    name = params.identifier(data, "id", "name")
    return selectors.dataset_for(ctx.access, name)


@action()
def package_update(ctx: Context, data: dict) -> dict:
    """Update a dataset (package). Fields not given are reset to their defaults; if the
    ``resources`` list is omitted the current resources are left unchanged. Use
    ``package_patch`` to change only some fields.

    :param id: the name or id of the dataset to update
    :type id: string

    :returns: the updated dataset
    :rtype: dictionary
    """
    dataset = _dataset_for_write(ctx, data)
    services.update_dataset(access=ctx.access, dataset=dataset, data=data)
    return _package(ctx, dataset)


@action()
def package_patch(ctx: Context, data: dict) -> dict:
    """Patch a dataset (package): only the fields given change.

    :param id: the id or name of the dataset
    :type id: string

    :returns: the patched dataset
    :rtype: dictionary
    """
    dataset = _dataset_for_write(ctx, data)
    changes = {k: v for k, v in data.items() if k != "id"}
    services.update_dataset(access=ctx.access, dataset=dataset, data=changes, partial=True)
    return _package(ctx, dataset)


@action()
def package_delete(ctx: Context, data: dict) -> None:
    """Delete a dataset (package). It disappears from every listing, feed and search.

    :param id: the id or name of the dataset to delete
    :type id: string
    """
    dataset = _dataset_for_write(ctx, data)
    services.delete_dataset(access=ctx.access, dataset=dataset)
    return None


@action()
def resource_create(ctx: Context, data: dict) -> dict:
    """Appends a new resource to a datasets list of resources.

    :param package_id: id of package that the resource should be added to.
    :type package_id: string
    :param url: url of resource (not needed with ``upload``)
    :type url: string
    :param name: (optional)
    :param description: (optional)
    :param format: (optional; guessed from the file name of an upload)
    :param upload: the file (multipart/form-data). A CSV file is checked
        against ``schema`` (a Frictionless Table Schema, as JSON; guessed when
        absent) and loaded into the datastore; if any value breaks the schema
        nothing is stored and the error carries a validation report.
    :param schema: (optional) Table Schema for a CSV upload
    :type schema: string

    :returns: the newly created resource
    :rtype: dictionary
    """
    _require_token(ctx)
    dataset = selectors.dataset_for(ctx.access, params.identifier(data, "package_id"))
    upload = ctx.files.get("upload")
    if upload is None and hasattr(data.get("upload"), "read"):
        upload = data.get("upload")
    resource = services.create_resource(
        access=ctx.access,
        dataset=dataset,
        data={k: v for k, v in data.items() if k != "upload"},
        upload=upload,
        upload_name=getattr(upload, "name", "") if upload is not None else "",
        idempotency_key=ctx.idempotency_key,
    )
    fresh = (
        Resource.objects.select_related("dataset").prefetch_related("datastore").get(pk=resource.pk)
    )
    return serializers.resource_dict(fresh, site=ctx.site)


# --- datastore ---------------------------------------------------------------------------------------


def _table(ctx: Context, resource_id: str) -> tuple[Resource, DatastoreTable]:
    try:
        resource = selectors.resource_for(ctx.access, resource_id)
    except NotFound:
        raise NotFound(f'Resource "{resource_id}" was not found.') from None
    table = DatastoreTable.objects.filter(resource=resource).first()
    if table is None:
        raise NotFound(f'Resource "{resource_id}" was not found.')
    return resource, table


def _query_table(resource: Resource, table: DatastoreTable) -> datastore_query.Table:
    return datastore_query.Table(
        resource_id=str(resource.id),
        file_name=table.file_name,
        schema=table.schema,
        row_count=table.row_count,
    )


@action(side_effect_free=True)
def datastore_search(ctx: Context, data: dict) -> dict:
    """Search a DataStore resource.

    :param resource_id: id of the resource to be searched against
    :type resource_id: string
    :param filters: matching conditions to select, e.g ``{"key1": "a",
        "key2": ["b", "c"], "year": {"gte": 2020}}`` (optional)
    :type filters: dictionary
    :param q: full text query. If it's a string, it'll search on all fields on
              each row. If it's a dictionary as {"key1": "a", "key2": "b"},
              it'll search on each specific field (optional)
    :type q: string or dictionary
    :param distinct: return only distinct rows (optional, default: false)
    :type distinct: bool
    :param limit: maximum number of rows to return
        (optional, default: ``100``, upper limit: ``32000``)
    :type limit: int
    :param offset: offset this number of rows (optional)
    :type offset: int
    :param fields: fields to return (optional, default: all fields in original order)
    :type fields: list or comma separated string
    :param sort: comma separated field names with ordering
                 e.g.: "fieldname1, fieldname2 desc nulls last"
    :type sort: string
    :param include_total: True to return total matching record count
                          (optional, default: true)
    :type include_total: bool
    :param records_format: 'objects' (default), 'lists', 'csv' or 'tsv'
    :type records_format: controlled list

    :rtype: A dictionary with fields, records, total, limit, offset, _links
    """
    resource_id = params.identifier(data, "resource_id", "id")
    resource, table = _table(ctx, resource_id)
    return datastore_query.search(_query_table(resource, table), data)


@action(side_effect_free=True)
def datastore_search_sql(ctx: Context, data: dict) -> dict:
    """Execute one read-only SQL SELECT over DataStore tables (DuckDB dialect).

    Tables are named by their resource id, in double quotes:
    ``SELECT region, count(*) FROM "<resource id>" GROUP BY region``. Writes, other
    tables, table functions (read_csv, read_parquet...), pragmas, settings and more
    than one statement are refused with the reason; a query running longer than the
    time limit is stopped. At most 32000 records are returned (``records_truncated``
    says when there were more).

    :param sql: a single SQL select statement
    :type sql: string

    :rtype: A dictionary with fields, records (and records_truncated)
    """
    checked = datastore_sql.check(params.required(data, "sql"))
    paths = {}
    for name in checked.tables:
        try:
            _, table = _table(ctx, name)
        except NotFound:
            raise NotAuthorized(
                f'Not authorized to access table "{name}": only datastore tables you can see, '
                "named by their resource id, can be queried"
            ) from None
        paths[name] = table.file_name
    return datastore_sql.run(checked, files=paths)


def _fields_out(table: DatastoreTable) -> list[dict]:
    qt = datastore_query.Table(resource_id="", file_name="", schema=table.schema, row_count=0)
    return datastore_query.result_fields(qt, [f["name"] for f in qt.fields])


@action()
def datastore_create(ctx: Context, data: dict) -> dict:
    """Adds a new table to the DataStore (or adds fields and appends records to it).

    :param resource_id: resource id that the data is going to be stored against.
    :type resource_id: string
    :param resource: instead of ``resource_id``, a resource dictionary with a
        ``package_id`` to create the resource and its table together
    :type resource: dictionary
    :param fields: fields/columns and their types, e.g.
        ``[{"id": "region", "type": "text"}, {"id": "count", "type": "int"}]``
        (CKAN types, or Frictionless Table Schema fields with ``name``/``constraints``)
    :type fields: list of dictionaries
    :param records: the data, eg: [{"region": "north", "count": 12}] (optional)
    :type records: list of dictionaries
    :param primary_key: fields that represent a unique key (optional)
    :type primary_key: list or comma separated string
    :param include_records: return the records passed (optional, default: False)
    :type include_records: bool

    Values that break the fields' types or constraints are reported row by
    row, and nothing is stored.

    :returns: The newly created data object, excluding ``records`` passed.
    :rtype: dictionary
    """
    _require_token(ctx)
    resource_data = params.structure(data, "resource")
    if resource_data and data.get("resource_id"):
        raise ValidationError({"resource": ["resource cannot be used with resource_id"]})
    dataset = resource = None
    if resource_data:
        if not isinstance(resource_data, dict):
            raise ValidationError({"resource": ["must be a resource dictionary"]})
        dataset = selectors.dataset_for(ctx.access, params.identifier(resource_data, "package_id"))
    else:
        resource_id = params.identifier(data, "resource_id")
        try:
            resource = selectors.resource_for(ctx.access, resource_id)
        except NotFound:
            raise NotFound(f'Resource "{resource_id}" was not found.') from None
    table = services.datastore_create(
        access=ctx.access,
        resource=resource,
        new_resource_in=dataset,
        new_resource=resource_data if dataset is not None else None,
        fields=params.structure(data, "fields"),
        records=params.structure(data, "records"),
        primary_key=data.get("primary_key"),
    )
    resource = table.resource
    result = {
        "resource_id": str(resource.id),
        "fields": _fields_out(table),
        "primary_key": table.schema.get("primaryKey", []),
        "method": "insert",
    }
    if params.boolean(data, "include_records", False):
        result["records"] = params.structure(data, "records") or []
    return result


@action()
def datastore_upsert(ctx: Context, data: dict) -> dict:
    """Updates or inserts into a table in the DataStore.

    *upsert*: update if a record with the same key exists, otherwise insert
    (needs a primary key, or ``_id`` in each record); *insert*: insert only;
    *update*: update only (every key must exist).

    :param resource_id: resource id that the data is going to be stored under.
    :type resource_id: string
    :param records: the data, eg: [{"dob": "2005", "some_stuff": ["a","b"]}]
    :type records: list of dictionaries
    :param method: upsert (default), insert or update
    :type method: string
    :param include_records: return the records passed (optional, default: False)
    :type include_records: bool

    :returns: The modified data object.
    :rtype: dictionary
    """
    _require_token(ctx)
    resource_id = params.identifier(data, "resource_id", "id")
    try:
        resource = selectors.resource_for(ctx.access, resource_id)
    except NotFound:
        raise NotFound(f'Resource "{resource_id}" was not found.') from None
    method = str(data.get("method") or "upsert")
    services.datastore_upsert(
        access=ctx.access,
        resource=resource,
        records=params.structure(data, "records"),
        method=method,
    )
    result = {"resource_id": str(resource.id), "method": method}
    if params.boolean(data, "include_records", False):
        result["records"] = params.structure(data, "records") or []
    return result


def _change_organization(ctx: Context, data: dict, *, partial: bool) -> dict:
    """organization_update (``partial=False``: fields not given are emptied) and _patch."""
    _require_token(ctx)
    org = selectors.organization_for(params.identifier(data, "id"))
    changes = {k: v for k, v in data.items() if k != "id"}
    org = services.update_organization(
        access=ctx.access, organization=org, data=changes, partial=partial
    )
    return _publisher_out(ctx, org, organization=True)


def _change_group(ctx: Context, data: dict, *, partial: bool) -> dict:
    """group_update (``partial=False``: fields not given are emptied) and group_patch."""
    _require_token(ctx)
    group = selectors.group_for(params.identifier(data, "id"))
    changes = {k: v for k, v in data.items() if k != "id"}
    group = services.update_group(access=ctx.access, group=group, data=changes, partial=partial)
    return _publisher_out(ctx, group, organization=False)
