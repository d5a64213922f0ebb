"""Admin pages of the back office: scopes and time limits are set through the services (so they
are audited); everything else is read-only here and changes through its own pages."""

from __future__ import annotations

from django.contrib import admin

from civitas.casework import models, services


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.StaffScope)
class StaffScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "all_programmes", "whole_country", "home_office")
    filter_horizontal = ("programs", "regions", "offices")

    def save_model(self, request, obj, form, change):
        """Saved in ``save_related`` through ``set_scope``, with its audit event."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        scope = services.set_scope(
            user=data["user"],
            actor=request.user,
            all_programmes=data["all_programmes"],
            programs=data["programs"],
            whole_country=data["whole_country"],
            regions=data["regions"],
            offices=data["offices"],
            home_office=data["home_office"],
        )
        form.instance.pk = scope.pk

    def has_delete_permission(self, request, obj=None):
        return False  # an empty scope (nothing ticked) takes everything away, audited


@admin.register(models.TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ("kind", "program", "days")

    def save_model(self, request, obj, form, change):
        services.set_time_limit(
            actor=request.user, kind=obj.kind, program=obj.program, days=obj.days
        )

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    models.Case,
    models.Task,
    models.Decision,
    models.Appeal,
    models.Grievance,
    models.Enrolment,
    models.ProactiveRun,
    models.ApiClient,
):
    admin.site.register(model, ReadOnly)
