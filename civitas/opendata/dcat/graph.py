"""The catalogue as DCAT-AP 3.0.1 (RDF), for national and EU harvesters.

Every node a property points to carries its class (and, for controlled vocabularies, its
``skos:inScheme`` and label), so the graph passes the official SHACL shapes - ranges and the EU
vocabulary constraints included - without fetching anything. Pages of the catalogue are linked
with Hydra's ``PartialCollectionView``, as CKAN's DCAT extension does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from civitas.opendata import serializers
from civitas.opendata.vocabularies import EU_AUTHORITY, FREQUENCIES, THEMES, file_type, licence

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")

THEME_SCHEME = URIRef(EU_AUTHORITY + "data-theme")
FREQUENCY_SCHEME = URIRef(EU_AUTHORITY + "frequency")
FILE_TYPE_SCHEME = URIRef(EU_AUTHORITY + "file-type")
LANGUAGE_SCHEME = URIRef(EU_AUTHORITY + "language")
ACCESS_RIGHT_SCHEME = URIRef(EU_AUTHORITY + "access-right")
LANGUAGES = {"en": "ENG", "fr": "FRA", "ar": "ARA", "es": "SPA", "pt": "POR", "de": "DEU"}
IANA = "https://www.iana.org/assignments/media-types/"
PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def bind(graph: Graph) -> Graph:
    for prefix, namespace in {
        "dcat": DCAT,
        "dct": DCTERMS,
        "foaf": FOAF,
        "vcard": VCARD,
        "skos": SKOS,
        "spdx": SPDX,
        "hydra": HYDRA,
        "adms": ADMS,
        "dcatap": DCATAP,
        "owl": OWL,
        "xsd": XSD,
        "rdfs": RDFS,
    }.items():
        graph.bind(prefix, namespace)
    return graph


class Builder:
    def __init__(self, site: str):
        self.site = site.rstrip("/")
        self.graph = bind(Graph())
        self.lang = settings.LANGUAGE_CODE.split("-")[0]

    def text(self, value: str) -> Literal:
        return Literal(value, lang=self.lang)

    def add(self, *triple) -> None:
        self.graph.add(triple)

    # --- vocabularies ---------------------------------------------------------------------------

    def scheme(self, uri: URIRef, title: str) -> URIRef:
        self.add(uri, RDF.type, SKOS.ConceptScheme)
        self.add(uri, DCTERMS.title, Literal(title, lang="en"))
        return uri

    def concept(self, uri: URIRef, label: str, scheme: URIRef, scheme_title: str, *types) -> URIRef:
        self.scheme(scheme, scheme_title)
        self.add(uri, RDF.type, SKOS.Concept)
        for kind in types:
            self.add(uri, RDF.type, kind)
        self.add(uri, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(uri, SKOS.inScheme, scheme)
        return uri

    def language(self, code: str) -> URIRef:
        eu = LANGUAGES.get((code or "en").split("-")[0].lower(), "ENG")
        uri = URIRef(f"{EU_AUTHORITY}language/{eu}")
        return self.concept(uri, eu, LANGUAGE_SCHEME, "Languages", DCTERMS.LinguisticSystem)

    def agent(self, uri: URIRef, name: str) -> URIRef:
        self.add(uri, RDF.type, FOAF.Agent)
        self.add(uri, FOAF.name, self.text(name))
        return uri

    def document(self, url: str) -> URIRef:
        uri = URIRef(url)
        self.add(uri, RDF.type, FOAF.Document)
        return uri

    # --- the catalogue --------------------------------------------------------------------------

    def catalog_uri(self) -> URIRef:
        return URIRef(f"{self.site}/data/")

    def dataset_uri(self, dataset) -> URIRef:
        return URIRef(f"{self.site}/data/dataset/{dataset.id}")

    def catalog(self, datasets, *, page: Page | None, feed_url: str) -> URIRef:
        catalog = self.catalog_uri()
        self.add(catalog, RDF.type, DCAT.Catalog)
        self.add(catalog, DCTERMS.title, self.text(f"{settings.CIVITAS_SITE_NAME} open data"))
        self.add(
            catalog,
            DCTERMS.description,
            self.text(
                f"Datasets published by the public bodies of {settings.CIVITAS_SITE_NAME}, "
                "including statistics from its public services."
            ),
        )
        publisher = self.agent(URIRef(f"{self.site}/data/#publisher"), settings.CIVITAS_SITE_NAME)
        self.add(catalog, DCTERMS.publisher, publisher)
        self.add(catalog, FOAF.homepage, self.document(f"{self.site}/data/"))
        self.add(catalog, DCTERMS.language, self.language(self.lang))
        self.add(catalog, DCAT.themeTaxonomy, self.scheme(THEME_SCHEME, "Data theme"))
        latest = None
        for dataset in datasets:
            self.add(catalog, DCAT.dataset, self.dataset(dataset))
            if latest is None or dataset.metadata_modified > latest:
                latest = dataset.metadata_modified
        if latest is not None:
            self.add(catalog, DCTERMS.modified, Literal(latest, datatype=XSD.dateTime))
        if page is not None:
            view = URIRef(f"{feed_url}?page={page.number}")
            self.add(view, RDF.type, HYDRA.PartialCollectionView)
            self.add(view, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer))
            self.add(view, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer))
            self.add(view, HYDRA.first, URIRef(f"{feed_url}?page=1"))
            self.add(view, HYDRA.last, URIRef(f"{feed_url}?page={page.last}"))
            if page.number > 1:
                self.add(view, HYDRA.previous, URIRef(f"{feed_url}?page={page.number - 1}"))
            if page.number < page.last:
                self.add(view, HYDRA.next, URIRef(f"{feed_url}?page={page.number + 1}"))
        return catalog

    def dataset(self, dataset) -> URIRef:
        uri = self.dataset_uri(dataset)
        page = f"{self.site}/data/dataset/{dataset.name}/"
        self.add(uri, RDF.type, DCAT.Dataset)
        self.add(uri, DCTERMS.identifier, Literal(str(dataset.id)))
        self.add(uri, DCTERMS.title, self.text(dataset.title))
        self.add(uri, DCTERMS.description, self.text(dataset.notes.strip() or dataset.title))
        self.add(uri, DCAT.landingPage, self.document(page))
        if dataset.issued:
            self.add(uri, DCTERMS.issued, Literal(dataset.issued, datatype=XSD.dateTime))
        self.add(uri, DCTERMS.modified, Literal(dataset.metadata_modified, datatype=XSD.dateTime))
        for tag in dataset.tags or []:
            self.add(uri, DCAT.keyword, self.text(tag))
        for code in dataset.themes or []:
            theme = URIRef(f"{EU_AUTHORITY}data-theme/{code}")
            self.concept(theme, str(THEMES.get(code, code)), THEME_SCHEME, "Data theme")
            self.add(uri, DCAT.theme, theme)
        org = dataset.organization
        self.add(
            uri,
            DCTERMS.publisher,
            self.agent(URIRef(f"{self.site}/data/publisher/{org.name}/"), org.title),
        )
        contact_email = dataset.maintainer_email or org.email
        contact = BNode()
        self.add(contact, RDF.type, VCARD.Kind)
        self.add(contact, RDF.type, VCARD.Organization)
        self.add(contact, VCARD.fn, Literal(dataset.maintainer or org.title))
        if contact_email:
            self.add(contact, VCARD.hasEmail, URIRef(f"mailto:{contact_email}"))
        self.add(uri, DCAT.contactPoint, contact)
        frequency = FREQUENCIES.get(dataset.frequency or "")
        if frequency is not None:
            node = URIRef(f"{EU_AUTHORITY}frequency/{frequency.code}")
            self.concept(
                node, str(frequency.label), FREQUENCY_SCHEME, "Frequency", DCTERMS.Frequency
            )
            self.add(uri, DCTERMS.accrualPeriodicity, node)
        if dataset.temporal_start or dataset.temporal_end:
            period = BNode()
            self.add(period, RDF.type, DCTERMS.PeriodOfTime)
            if dataset.temporal_start:
                self.add(period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date))
            if dataset.temporal_end:
                self.add(period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date))
            self.add(uri, DCTERMS.temporal, period)
        self.add(uri, DCTERMS.language, self.language(dataset.language))
        rights = URIRef(
            f"{EU_AUTHORITY}access-right/{'NON_PUBLIC' if dataset.private else 'PUBLIC'}"
        )
        self.concept(
            rights,
            "non-public" if dataset.private else "public",
            ACCESS_RIGHT_SCHEME,
            "Access right",
            DCTERMS.RightsStatement,
        )
        self.add(uri, DCTERMS.accessRights, rights)
        if dataset.version:
            self.add(uri, OWL.versionInfo, Literal(dataset.version))
        if dataset.documentation_url:
            self.add(uri, FOAF.page, self.document(dataset.documentation_url))
        if dataset.disclosure_control:
            statement = BNode()
            self.add(statement, RDF.type, DCTERMS.ProvenanceStatement)
            self.add(
                statement,
                RDFS.label,
                self.text(str(dataset.disclosure_control.get("summary", ""))),
            )
            self.add(uri, DCTERMS.provenance, statement)
        for resource in serializers.live_resources(dataset):
            self.add(uri, DCAT.distribution, self.distribution(dataset, resource, page))
        return uri

    def distribution(self, dataset, resource, page: str) -> URIRef:
        uri = URIRef(f"{self.site}/data/dataset/{dataset.id}/resource/{resource.id}")
        self.add(uri, RDF.type, DCAT.Distribution)
        download = serializers.resource_url(resource, self.site)
        self.add(uri, DCAT.accessURL, URIRef(download or page))
        if download and resource.url_type:
            self.add(uri, DCAT.downloadURL, URIRef(download))
        if resource.name:
            self.add(uri, DCTERMS.title, self.text(resource.name))
        if resource.description:
            self.add(uri, DCTERMS.description, self.text(resource.description))
        found = file_type(resource.format)
        if found is not None:
            node = URIRef(f"{EU_AUTHORITY}file-type/{found.code}")
            self.concept(node, found.code, FILE_TYPE_SCHEME, "File type", DCTERMS.MediaTypeOrExtent)
            self.add(uri, DCTERMS.format, node)
            media = URIRef(IANA + found.media_type)
            self.add(media, RDF.type, DCTERMS.MediaType)
            self.add(uri, DCAT.mediaType, media)
        if resource.size is not None and resource.url_type == "upload":
            self.add(uri, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger))
        if resource.hash.startswith("sha256:") and resource.url_type == "upload":
            checksum = BNode()
            self.add(checksum, RDF.type, SPDX.Checksum)
            self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
            self.add(
                checksum,
                SPDX.checksumValue,
                Literal(resource.hash.split(":", 1)[1], datatype=XSD.hexBinary),
            )
            self.add(uri, SPDX.checksum, checksum)
        found_licence = licence(dataset.license_id)
        if found_licence and found_licence.url:
            node = URIRef(found_licence.url)
            self.add(node, RDF.type, DCTERMS.LicenseDocument)
            self.add(node, RDFS.label, Literal(found_licence.title, lang="en"))
            self.add(uri, DCTERMS.license, node)
        if resource.last_modified:
            self.add(uri, DCTERMS.modified, Literal(resource.last_modified, datatype=XSD.dateTime))
        self.add(uri, DCTERMS.issued, Literal(resource.created, datatype=XSD.dateTime))
        return uri


FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
    "xml": ("xml", "application/rdf+xml; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
}


def serialise(graph: Graph, fmt: str) -> tuple[str, str]:
    name, content_type = FORMATS[fmt]
    return graph.serialize(format=name), content_type


def catalog_graph(datasets, *, site: str, page: Page | None, feed_url: str) -> Graph:
    builder = Builder(site)
    builder.catalog(datasets, page=page, feed_url=feed_url)
    return builder.graph


def dataset_graph(dataset, *, site: str) -> Graph:
    builder = Builder(site)
    builder.dataset(dataset)
    return builder.graph
