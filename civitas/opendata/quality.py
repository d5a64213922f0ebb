"""Metadata quality score: what a reuser needs to trust and use a dataset, checked one by one.

Each check says what passed or what to do; the score is the share of checks passed (0-100). The
same result is shown on the dataset page and returned by the API (``quality`` in package_show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civitas.opendata.vocabularies import FREQUENCIES, file_type, licence

MIN_DESCRIPTION = 80


@dataclass(frozen=True)
class Check:
    key: str
    passed: bool
    label: str
    advice: str

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "passed": self.passed,
            "label": str(self.label),
            "advice": "" if self.passed else str(self.advice),
        }


def _last_update(dataset, resources) -> object:
    dates = [r.last_modified for r in resources if r.last_modified]
    return max(dates) if dates else dataset.metadata_modified


def _documented(dataset, resources) -> bool:
    if dataset.documentation_url:
        return True
    if any((r.resource_type or "").lower() == "documentation" for r in resources):
        return True
    tables = [getattr(r, "datastore", None) for r in resources if r.url_type == "datastore"]
    tables = [t for t in tables if t is not None]
    return bool(tables) and all(
        all(f.get("description") for f in t.schema.get("fields", [])) for t in tables
    )


def checks(dataset, resources: list) -> list[Check]:
    found = licence(dataset.license_id)
    frequency = FREQUENCIES.get(dataset.frequency or "")
    on_schedule = False
    if frequency is not None:
        on_schedule = frequency.days is None or (
            timezone.now() - _last_update(dataset, resources) <= timedelta(days=frequency.days)
        )
    return [
        Check(
            "licence",
            bool(found and found.open_data),
            _("Open licence"),
            _("Choose an open licence so that anyone may reuse the data."),
        ),
        Check(
            "description",
            len((dataset.notes or "").strip()) >= MIN_DESCRIPTION,
            _("Description"),
            _("Describe what the data contains, how it was collected and its limits."),
        ),
        Check(
            "temporal",
            dataset.temporal_start is not None,
            _("Time period covered"),
            _("Say which period the data covers."),
        ),
        Check(
            "frequency",
            on_schedule,
            _("Updated on schedule"),
            _("Set how often the data is updated, and update it on time.")
            if frequency is None
            else _("The data is older than its update frequency promises: publish an update."),
        ),
        Check(
            "open_format",
            any((ft := file_type(r.format)) is not None and ft.open for r in resources),
            _("Open, machine-readable format"),
            _("Add the data in an open format such as CSV, JSON or Parquet."),
        ),
        Check(
            "reachable",
            bool(resources) and all(r.reachable for r in resources),
            _("Files and links work"),
            _("Add data files, and fix or check the links that do not work."),
        ),
        Check(
            "documentation",
            _documented(dataset, resources),
            _("Documentation"),
            _("Link to documentation, or describe every column of the data."),
        ),
    ]


def score(dataset, resources: list) -> dict:
    found = checks(dataset, resources)
    passed = sum(1 for check in found if check.passed)
    return {
        "score": round(100 * passed / len(found)),
        "checks": [check.as_dict() for check in found],
    }
