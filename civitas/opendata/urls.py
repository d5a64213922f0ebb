from django.urls import path, re_path

from civitas.opendata import views
from civitas.opendata.dcat import views as dcat_views

app_name = "opendata"
urlpatterns = [
    path("", views.search, name="search"),
    path("api/", views.api_guide, name="api"),
    path("publisher/<slug:name>/", views.publisher, name="publisher"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.dataset_new, name="dataset-new"),
    path("manage/tokens/", views.tokens, name="tokens"),
    path("manage/tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    re_path(
        r"^dataset/(?P<name>[A-Za-z0-9_-]+)\.(?P<fmt>ttl|rdf|jsonld)$",
        dcat_views.dataset_rdf,
        name="dataset-rdf",
    ),
    path("dataset/<str:name>/", views.dataset, name="dataset"),
    path("dataset/<str:name>/edit/", views.dataset_edit, name="dataset-edit"),
    path("dataset/<str:name>/upload/", views.resource_new, name="resource-new"),
    path("dataset/<str:name>/resource/<uuid:resource_id>/", views.resource, name="resource"),
    path(
        "dataset/<str:name>/resource/<uuid:resource_id>/download/<str:filename>",
        views.download,
        name="download",
    ),
]
