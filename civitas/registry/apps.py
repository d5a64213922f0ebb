from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "civitas.registry"
    label = "registry"
