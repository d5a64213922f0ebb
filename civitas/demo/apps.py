from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "civitas.demo"
    label = "demo"
