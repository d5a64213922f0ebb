from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "civitas.studio"
    label = "studio"
    verbose_name = "Programme studio"
