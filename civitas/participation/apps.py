from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "civitas.participation"
    label = "participation"
