"""Read-only views for administrators. Changes go through the services (and their audit trail):
``civitas intermediary``, ``civitas oauth_client`` and the portal's own pages."""

from django.contrib import admin

from civitas.applications.models import Consent, CorrectionRequest, Intermediary, OAuthClient


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnly):
    list_display = ("created_at", "user", "topic", "status")
    list_filter = ("status", "topic")


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ("given_at", "purpose", "user", "person", "method", "recorded_by")
    list_filter = ("purpose", "method")


@admin.register(Intermediary)
class IntermediaryAdmin(ReadOnly):
    list_display = ("user", "organisation", "active", "registered_at")


@admin.register(OAuthClient)
class OAuthClientAdmin(ReadOnly):
    list_display = ("name", "client_id", "active", "created_at")
    exclude = ("secret_hash",)
