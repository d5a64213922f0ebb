"""schema.org ``Dataset`` JSON-LD for dataset pages (what search engines' dataset search reads).

The JSON is escaped so that it cannot close the ``<script type="application/ld+json">`` element
that carries it: a data block, not a script, which a strict Content Security Policy allows.
"""

from __future__ import annotations

import json

from django.utils.safestring import SafeString, mark_safe

from civitas.opendata import serializers
from civitas.opendata.vocabularies import THEMES, file_type, licence

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def dataset_jsonld(dataset, *, site: str) -> dict:
    org = dataset.organization
    page = f"{site}/data/dataset/{dataset.name}/"
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": f"{site}/data/dataset/{dataset.id}",
        "name": dataset.title,
        "description": dataset.notes.strip() or dataset.title,
        "url": page,
        "identifier": str(dataset.id),
        "keywords": list(dataset.tags or [])
        + [str(THEMES.get(t, t)) for t in dataset.themes or []],
        "isAccessibleForFree": True,
        "dateModified": dataset.metadata_modified.isoformat(),
        "inLanguage": dataset.language or "en",
        "publisher": {
            "@type": "Organization",
            "name": org.title,
            "url": f"{site}/data/publisher/{org.name}/",
        },
        "creator": {"@type": "Organization", "name": org.title},
        "includedInDataCatalog": {"@type": "DataCatalog", "url": f"{site}/data/"},
    }
    found = licence(dataset.license_id)
    if found and found.url:
        data["license"] = found.url
    if dataset.issued:
        data["datePublished"] = dataset.issued.isoformat()
    if dataset.version:
        data["version"] = dataset.version
    if dataset.temporal_start:
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        data["temporalCoverage"] = f"{dataset.temporal_start.isoformat()}/{end}"
    if dataset.spatial:
        data["spatialCoverage"] = {"@type": "Place", "name": dataset.spatial}
    downloads = []
    for resource in serializers.live_resources(dataset):
        url = serializers.resource_url(resource, site)
        if not url:
            continue
        found_type = file_type(resource.format)
        item = {
            "@type": "DataDownload",
            "contentUrl": url,
            "name": resource.name or resource.format,
        }
        if found_type:
            item["encodingFormat"] = found_type.media_type
        downloads.append(item)
        for kind in ("json", "parquet"):
            if resource.files.get(kind):
                downloads.append(
                    {
                        "@type": "DataDownload",
                        "contentUrl": site + serializers.download_path(resource, kind),
                        "encodingFormat": file_type(kind).media_type,
                        "name": f"{resource.name} ({kind.upper()})",
                    }
                )
    if downloads:
        data["distribution"] = downloads
    return data


def script_safe(data: dict) -> SafeString:
    """JSON for inside a <script type="application/ld+json"> element."""
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=2).translate(_ESCAPES))  # noqa: S308
