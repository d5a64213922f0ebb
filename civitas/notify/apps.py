from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "civitas.notify"
    label = "notify"
