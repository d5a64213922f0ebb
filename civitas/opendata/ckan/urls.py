"""CKAN Action API routes, at the paths CKAN clients expect."""

from django.urls import path

from civitas.opendata.ckan import views

urlpatterns = [
    path("api/3/action/<str:name>", views.action, {"ver": 3}, name="ckan-action"),
    path("api/action/<str:name>", views.action, {"ver": 3}, name="ckan-action-unversioned"),
    path("api/3", views.api_version, {"ver": 3}, name="ckan-version"),
]
