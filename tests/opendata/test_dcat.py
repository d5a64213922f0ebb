"""DCAT feeds conform to the official DCAT-AP 3.0.1 SHACL shapes and to the DCAT-US 1.1 schema,
offline, and never show a private dataset."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

DATA = Path(__file__).parent / "data"
SHAPES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")


@pytest.fixture
def catalogue(make_dataset, editor_access, django_capture_on_commit_callbacks):
    from civitas.opendata import services

    full = make_dataset(
        "hospital-beds",
        title="Hospital beds by region",
        notes="Hospital beds in each region, counted on the first day of each month by the bed census.",
        tags=["health", "hospitals"],
        theme=["HEAL", "REGI"],
        frequency="MONTHLY",
        temporal_start="2025-01-01",
        temporal_end="2025-12-31",
        spatial="Republic of Civitas",
        maintainer="Health statistics unit",
        maintainer_email="stats@health.example",
        documentation_url="https://health.example/beds/method",
        version="2.1",
        license_id="cc-by",
        resources=[
            {"url": "https://health.example/beds.xlsx", "format": "XLSX", "name": "Workbook"}
        ],
    )
    upload = io.BytesIO(b"region,beds\ncapital,420\nnorth,95\n")
    upload.name = "beds.csv"
    with django_capture_on_commit_callbacks(execute=True):
        services.create_resource(
            access=editor_access,
            dataset=full,
            data={"name": "Beds"},
            upload=upload,
            upload_name="beds.csv",
        )
    make_dataset("bare-minimum")
    make_dataset("closed-notes", private=True, notes="Internal only.")
    return full


def _shapes() -> Graph:
    shapes = Graph()
    for name in SHAPES:
        shapes.parse(DATA / "dcat-ap-3.0.1" / name, format="turtle")
    return shapes


def _conforms(data: Graph) -> None:
    conforms, _, text = validate(
        data, shacl_graph=_shapes(), inference="none", allow_warnings=True, advanced=True
    )
    assert conforms, text


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("/catalog.ttl", "turtle"), ("/catalog.rdf", "xml"), ("/catalog.jsonld", "json-ld")],
)
def test_catalogue_feeds_conform_to_dcat_ap(client, catalogue, path, fmt):
    response = client.get(path)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2
    titles = {
        str(t) for d in datasets for t in graph.objects(d, URIRef("http://purl.org/dc/terms/title"))
    }
    assert "Closed Notes" not in titles
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == 2
    _conforms(graph)


def test_dataset_rdf_conforms_and_follows_access(client, catalogue):
    response = client.get(f"/data/dataset/{catalogue.name}.ttl")
    assert response.status_code == 200
    _conforms(Graph().parse(data=response.content, format="turtle"))
    assert client.get("/data/dataset/closed-notes.ttl").status_code == 404


def test_catalogue_is_paged(client, make_dataset, settings):
    from civitas.opendata.dcat import graph as dcat_graph

    for i in range(3):
        make_dataset(f"paged-{i}")
    original = dcat_graph.PAGE_SIZE
    dcat_graph.PAGE_SIZE = 2
    try:
        first = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
        second = Graph().parse(data=client.get("/catalog.ttl?page=2").content, format="turtle")
    finally:
        dcat_graph.PAGE_SIZE = original
    hydra = "http://www.w3.org/ns/hydra/core#"
    assert len(set(first.subjects(RDF.type, DCAT.Dataset))) == 2
    assert len(set(second.subjects(RDF.type, DCAT.Dataset))) == 1
    assert any(str(o).endswith("page=2") for o in first.objects(None, URIRef(hydra + "next")))
    assert client.get("/catalog.ttl?page=9").status_code == 404


def test_data_json_is_valid_dcat_us(client, catalogue):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {}
    for path in (DATA / "dcat-us-1.1").glob("*.json"):
        schema = json.loads(path.read_text())
        schemas[schema["id"].rstrip("#")] = schema
        schemas[path.name] = schema
    registry = Registry().with_resources(
        (uri, Resource.from_contents(schema, default_specification=DRAFT4))
        for uri, schema in schemas.items()
    )
    body = client.get("/data.json").json()
    validator = Draft4Validator(schemas["catalog.json"], registry=registry)
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [e.message for e in errors[:5]]
    assert {d["title"] for d in body["dataset"]} == {"Hospital beds by region", "Bare Minimum"}


def test_dataset_page_carries_schema_org_json_ld(client, catalogue):
    page = client.get(f"/data/dataset/{catalogue.name}/").content.decode()
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["@type"] == "Dataset"
    assert data["name"] == "Hospital beds by region"
    assert data["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert {d["encodingFormat"] for d in data["distribution"]} >= {"text/csv", "application/json"}
