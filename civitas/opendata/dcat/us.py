"""``/data.json``: the catalogue as DCAT-US 1.1 (Project Open Data), public datasets only."""

from __future__ import annotations

from django.conf import settings

from civitas.opendata import serializers
from civitas.opendata.vocabularies import FREQUENCIES, THEMES, file_type, licence

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"


def _date(value) -> str:
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()


def dataset_entry(dataset, *, site: str) -> dict:
    org = dataset.organization
    found = licence(dataset.license_id)
    keywords = list(dataset.tags or []) or [str(THEMES.get(t, t)) for t in dataset.themes or []]
    entry: dict = {
        "@type": "dcat:Dataset",
        "title": dataset.title,
        "description": dataset.notes.strip() or dataset.title,
        "keyword": keywords or [org.title],
        "modified": _date(dataset.metadata_modified),
        "publisher": {"@type": "org:Organization", "name": org.title},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": dataset.maintainer or org.title,
            "hasEmail": f"mailto:{dataset.maintainer_email or org.email or settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}",
        },
        "identifier": f"{site}/data/dataset/{dataset.id}",
        "accessLevel": "public",
        "bureauCode": [settings.OPENDATA_DCAT_US_BUREAU_CODE],
        "programCode": [settings.OPENDATA_DCAT_US_PROGRAM_CODE],
        "landingPage": f"{site}/data/dataset/{dataset.name}/",
        "language": [dataset.language or "en"],
    }
    if found and found.url:
        entry["license"] = found.url
    if dataset.issued:
        entry["issued"] = _date(dataset.issued)
    frequency = FREQUENCIES.get(dataset.frequency or "")
    if frequency is not None:
        entry["accrualPeriodicity"] = frequency.iso8601
    if dataset.temporal_start and dataset.temporal_end:
        entry["temporal"] = (
            f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
        )
    if dataset.spatial:
        entry["spatial"] = dataset.spatial
    if dataset.themes:
        entry["theme"] = [str(THEMES.get(t, t)) for t in dataset.themes]
    if dataset.documentation_url:
        entry["references"] = [dataset.documentation_url]
    distributions = []
    for resource in serializers.live_resources(dataset):
        url = serializers.resource_url(resource, site)
        if not url:
            continue
        found_type = file_type(resource.format)
        item = {"@type": "dcat:Distribution"}
        if resource.url_type:
            item["downloadURL"] = url
            item["mediaType"] = found_type.media_type if found_type else "application/octet-stream"
        else:
            item["accessURL"] = url
            if found_type:
                item["mediaType"] = found_type.media_type
        if resource.format:
            item["format"] = resource.format
        if resource.name:
            item["title"] = resource.name
        if resource.description:
            item["description"] = resource.description
        distributions.append(item)
    if distributions:
        entry["distribution"] = distributions
    return entry


def catalog(datasets, *, site: str) -> dict:
    return {
        "@context": f"{SCHEMA}/catalog.jsonld",
        "@id": f"{site}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": f"{SCHEMA}/catalog.json",
        "dataset": [dataset_entry(d, site=site) for d in datasets],
    }
