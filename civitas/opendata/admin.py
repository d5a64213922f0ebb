"""Read-only admin pages for looking into the catalogue. Every change goes through the catalogue's
services (the web pages, the API, the publication job), so it is audited; the admin only reads."""

from django.contrib import admin

from civitas.opendata import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Organization)
class OrganizationAdmin(ReadOnly):
    list_display = ("title", "name", "email", "is_active")
    search_fields = ("name", "title")


@admin.register(models.OrganizationMember)
class MemberAdmin(ReadOnly):
    list_display = ("organization", "user", "capacity")
    list_filter = ("capacity", "organization")


@admin.register(models.Dataset)
class DatasetAdmin(ReadOnly):
    list_display = ("name", "title", "organization", "state", "private", "metadata_modified")
    list_filter = ("state", "private", "organization")
    search_fields = ("name", "title")


@admin.register(models.Resource)
class ResourceAdmin(ReadOnly):
    list_display = ("name", "dataset", "format", "url_type", "storage_target", "state")
    list_filter = ("url_type", "storage_target", "state")


@admin.register(models.ApiToken)
class ApiTokenAdmin(ReadOnly):
    list_display = ("name", "user", "created", "last_used", "expires", "revoked")
    exclude = ("digest",)


@admin.register(models.PublicationRun)
class PublicationRunAdmin(ReadOnly):
    list_display = ("kind", "started", "outcome", "dataset")
