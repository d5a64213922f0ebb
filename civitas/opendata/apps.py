from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "civitas.opendata"
    label = "opendata"
