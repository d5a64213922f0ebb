"""Registry records in the admin, read-only: imports and reviews go through the services."""

from django.contrib import admin

from civitas.registry import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (models.ImportBatch, models.DuplicateFlag, models.PersonIdentifier):
    admin.site.register(model, ReadOnly)
