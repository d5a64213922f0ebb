from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civitas.web"
    label = "web"
