from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "civitas.applications"
    label = "applications"
