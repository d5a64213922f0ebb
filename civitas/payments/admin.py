"""Payments are read-only in the admin: they change only through their own services."""

from django.contrib import admin

from civitas.casework.admin import ReadOnly
from civitas.payments import models

for model in (models.PaymentCycle, models.PaymentBatch, models.Payment, models.ResultImport):
    admin.site.register(model, ReadOnly)
