from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "civitas.payments"
    label = "payments"
