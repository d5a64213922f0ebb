"""URL map: each capability mounts its own urls module."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("civitas.web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("civitas.accounts.urls")),
    path("benefits/", include("civitas.programs.urls")),
    path("applications/", include("civitas.applications.urls")),
    path("staff/", include("civitas.casework.urls")),
    path("admin/", admin.site.urls),
]
