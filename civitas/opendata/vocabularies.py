"""Controlled vocabularies of the catalogue: licences, themes, update frequencies, file formats.

Identifiers follow what the tools that read catalogues already know: CKAN's licence ids (so
``license_id`` values move between portals unchanged) and the EU Publications Office authority
tables for themes, frequencies and file types (which DCAT-AP expects as URIs).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str
    open_data: bool  # conforms to the Open Definition for data
    open_software: bool = False

    def as_ckan(self) -> dict:
        """The shape CKAN's ``license_list`` returns for one licence."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "status": "active",
            "maintainer": "",
            "family": "",
            "domain_content": True,
            "domain_data": True,
            "domain_software": self.open_software,
            "od_conformance": "approved" if self.open_data else "not reviewed",
            "osd_conformance": "approved" if self.open_software else "not reviewed",
            "is_okd_compliant": self.open_data,
            "is_osi_compliant": self.open_software,
        }


LICENCES: tuple[Licence, ...] = (
    Licence("notspecified", "License not specified", "", False),
    Licence(
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and License (PDDL)",
        "https://opendatacommons.org/licenses/pddl/1-0/",
        True,
    ),
    Licence(
        "odc-odbl",
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        True,
    ),
    Licence(
        "odc-by",
        "Open Data Commons Attribution License",
        "https://opendatacommons.org/licenses/by/1-0/",
        True,
    ),
    Licence(
        "cc-zero",
        "Creative Commons CCZero",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        True,
    ),
    Licence(
        "cc-by",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        True,
    ),
    Licence(
        "cc-by-sa",
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        True,
    ),
    Licence("other-open", "Other (Open)", "", True),
    Licence("other-pd", "Other (Public Domain)", "", True),
    Licence("other-at", "Other (Attribution)", "", True),
    Licence(
        "cc-nc",
        "Creative Commons Non-Commercial (Any)",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        False,
    ),
    Licence("other-nc", "Other (Non-Commercial)", "", False),
    Licence("other-closed", "Other (Not Open)", "", False),
)
LICENCES_BY_ID = {licence.id: licence for licence in LICENCES}
DEFAULT_LICENCE = "cc-by"


def licence(licence_id: str) -> Licence | None:
    return LICENCES_BY_ID.get(licence_id)


# EU data themes (http://publications.europa.eu/resource/authority/data-theme)
THEMES: dict[str, str] = {
    "AGRI": _("Agriculture, fisheries, forestry and food"),
    "ECON": _("Economy and finance"),
    "EDUC": _("Education, culture and sport"),
    "ENER": _("Energy"),
    "ENVI": _("Environment"),
    "GOVE": _("Government and public sector"),
    "HEAL": _("Health"),
    "INTR": _("International issues"),
    "JUST": _("Justice, legal system and public safety"),
    "REGI": _("Regions and cities"),
    "SOCI": _("Population and society"),
    "TECH": _("Science and technology"),
    "TRAN": _("Transport"),
}


@dataclass(frozen=True)
class Frequency:
    code: str  # EU frequency authority table
    label: str
    iso8601: str  # DCAT-US accrualPeriodicity
    days: int | None  # longest gap that still counts as "on time"; None: no schedule


FREQUENCIES: dict[str, Frequency] = {
    f.code: f
    for f in (
        Frequency("CONT", _("Continuously updated"), "R/PT1S", 2),
        Frequency("DAILY", _("Daily"), "R/P1D", 2),
        Frequency("WEEKLY", _("Weekly"), "R/P1W", 8),
        Frequency("MONTHLY", _("Monthly"), "R/P1M", 32),
        Frequency("QUARTERLY", _("Quarterly"), "R/P3M", 93),
        Frequency("ANNUAL", _("Annual"), "R/P1Y", 367),
        Frequency("IRREG", _("Irregular"), "irregular", None),
        Frequency("NEVER", _("Never (final)"), "irregular", None),
    )
}


@dataclass(frozen=True)
class FileType:
    code: str  # EU file-type authority table
    media_type: str
    open: bool  # non-proprietary and machine-readable ("three stars")


FILE_TYPES: dict[str, FileType] = {
    f.code: f
    for f in (
        FileType("CSV", "text/csv", True),
        FileType("JSON", "application/json", True),
        FileType("PARQUET", "application/vnd.apache.parquet", True),
        FileType("GEOJSON", "application/geo+json", True),
        FileType("XML", "application/xml", True),
        FileType("ODS", "application/vnd.oasis.opendocument.spreadsheet", True),
        FileType("RDF_TURTLE", "text/turtle", True),
        FileType("RDF_XML", "application/rdf+xml", True),
        FileType("JSON_LD", "application/ld+json", True),
        FileType("TXT", "text/plain", True),
        FileType("HTML", "text/html", True),
        FileType(
            "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False
        ),
        FileType("XLS", "application/vnd.ms-excel", False),
        FileType("PDF", "application/pdf", False),
        FileType("ZIP", "application/zip", False),
    )
}
_FORMAT_ALIASES = {
    "TTL": "RDF_TURTLE",
    "TURTLE": "RDF_TURTLE",
    "RDF": "RDF_XML",
    "JSONLD": "JSON_LD",
}


def file_type(fmt: str) -> FileType | None:
    code = (fmt or "").strip().upper().lstrip(".").replace("-", "_")
    return FILE_TYPES.get(_FORMAT_ALIASES.get(code, code))


def format_from_filename(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].upper() if "." in filename else ""
    found = file_type(suffix)
    return (found.code if found else suffix)[:40]
