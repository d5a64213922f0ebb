"""URL map: each capability mounts its own urls module."""

from django.contrib import admin
from django.urls import include, path

from civitas.config.api import api

urlpatterns = [
    path("", include("civitas.web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("civitas.accounts.urls")),
    path("benefits/", include("civitas.programs.urls")),
    path("applications/", include("civitas.applications.urls")),
    path("my/", include("civitas.applications.my_urls")),  # your data, messages, API access
    path("oauth/", include("civitas.applications.oauth_urls")),  # OAuth 2 for third-party apps
    path("api/v1/", api.urls),  # public JSON API; OpenAPI document at /api/v1/openapi.json
    path("staff/", include("civitas.casework.urls")),
    path("staff/payments/", include("civitas.payments.urls")),  # cycles, batches, dashboard
    path("staff/audit/", include("civitas.audit.urls")),  # auditors: search and export
    path("staff/studio/", include("civitas.studio.urls")),  # programme studio (versions)
    path("staff/privacy/", include("civitas.ops.staff_urls")),  # data-subject requests
    path("appeals/", include("civitas.casework.citizen_urls")),  # appeals, complaints, letters
    # GovStack Registration building block API (Information-Mediator-Client + bearer token)
    path("govstack/registration/", include("civitas.casework.govstack.urls")),
    path("participate/", include("civitas.participation.urls")),
    path("admin/", admin.site.urls),
    path("data/", include("civitas.opendata.urls")),  # open data catalogue
    path("", include("civitas.opendata.ckan.urls")),  # CKAN Action API: /api/3/action/<name>
    path("", include("civitas.opendata.dcat.urls")),  # /catalog.ttl|rdf|jsonld, /data.json
    path("", include("civitas.ops.urls")),  # /healthz, /readyz, /metrics
]
