from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "civitas.programs"
    label = "programs"
