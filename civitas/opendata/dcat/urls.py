"""DCAT routes at the site root, where harvesters look for them."""

from django.urls import path

from civitas.opendata.dcat import views

urlpatterns = [
    path("catalog.ttl", views.catalog, {"fmt": "ttl"}, name="dcat-catalog-ttl"),
    path("catalog.rdf", views.catalog, {"fmt": "rdf"}, name="dcat-catalog-rdf"),
    path("catalog.xml", views.catalog, {"fmt": "xml"}, name="dcat-catalog-xml"),
    path("catalog.jsonld", views.catalog, {"fmt": "jsonld"}, name="dcat-catalog-jsonld"),
    path("data.json", views.data_json, name="dcat-us"),
]
