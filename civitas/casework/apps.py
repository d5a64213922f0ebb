from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "civitas.casework"
    label = "casework"
