from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "civitas.audit"
    label = "audit"
