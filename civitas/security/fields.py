"""Model fields whose values are encrypted at rest, and a keyed-hash field to search them.

Usage in a model (as ``registry.Person``; ``applications.Application.answers`` and
``accounts.TOTPDevice.secret`` are encrypted the same way)::

    from civitas.security.fields import EncryptedCharField, HashIndexField, hashed_match

    class Person(models.Model):
        national_id = EncryptedCharField(max_length=20)
        national_id_hash = HashIndexField(source="national_id", normalize="upper", unique=True)

    Person.objects.filter(hashed_match(Person, "national_id_hash", "cv-123"))

Encrypted values can only be tested with ``isnull``: any other lookup (``exact``, ``contains``,
ordering is possible but meaningless) is refused, so nobody filters on ciphertext by mistake. Search
goes through the hash field, which holds an HMAC of the normalised value under the active hash key.
The hash is computed on ``save()`` and ``bulk_create()``; ``QuerySet.update()`` and
``bulk_update()`` bypass it, so write these fields through a model save.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import checks, exceptions
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from civitas.security import crypto

NORMALIZERS = {
    "none": lambda value: value,
    "strip": lambda value: value.strip(),
    "upper": lambda value: "".join(value.split()).upper(),  # identifiers: no spaces, one case
    "lower": lambda value: value.strip().lower(),
    "digits": lambda value: "".join(ch for ch in value if ch.isalnum()).upper(),  # IBANs
}


class EncryptedMixin:
    """Stores ``crypto.encrypt(serialize(value))`` in a text column; reads it back decrypted."""

    encrypted = True
    _allowed_lookups = {"isnull"}

    def encryption_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    # value <-> text, overridden per type
    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return crypto.encrypt(self.to_text(value), context=self.encryption_context())

    def get_db_prep_value(self, value, connection, prepared=False):
        # the token is text whatever the plaintext type: skip the date/decimal adapters
        return value if prepared else self.get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(crypto.decrypt(value, context=self.encryption_context()))

    def get_lookup(self, lookup_name):
        if lookup_name not in self._allowed_lookups:
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return None if value is None else self.to_text(value)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if getattr(self, "_unique", False) or getattr(self, "db_index", False):
            errors.append(
                checks.Error(
                    "an encrypted field cannot be unique or indexed: the same value encrypts "
                    "differently each time",
                    hint="Add a HashIndexField(source=...) and make that unique instead.",
                    obj=self,
                    id="security.E010",
                )
            )
        return errors


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """``max_length`` limits the plaintext (forms, validation); the column is text."""

    def from_text(self, text: str) -> str:
        return text


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_text(self, value: date) -> str:
        return value.isoformat()

    def from_text(self, text: str) -> date:
        return date.fromisoformat(text)


class EncryptedBooleanField(EncryptedMixin, models.BooleanField):
    def to_text(self, value: bool) -> str:
        return "1" if value else "0"

    def from_text(self, text: str) -> bool:
        return text == "1"


class EncryptedDecimalField(EncryptedMixin, models.DecimalField):
    def to_text(self, value: Decimal) -> str:
        return str(value)

    def from_text(self, text: str) -> Decimal:
        try:
            return Decimal(text)
        except InvalidOperation:
            raise crypto.DecryptionError(f"{self.encryption_context()}: not a decimal") from None


class EncryptedJSONField(EncryptedMixin, models.Field):
    """Any JSON value (answers to a form, health details); dates and decimals become strings."""

    description = "Encrypted JSON"

    def to_python(self, value):
        return value

    def to_text(self, value: Any) -> str:
        return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True)

    def from_text(self, text: str) -> Any:
        return json.loads(text)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class HashIndexField(models.CharField):
    """A keyed hash of another field's value, computed on save, for exact-match search.

    ``normalize`` names how the value is normalised first (see ``NORMALIZERS``); ``purpose``
    (default: the source field's name) is hashed in, so national IDs hash alike in every table
    that holds them and unlike bank accounts that happen to have the same digits.
    """

    def __init__(self, *args, source: str = "", normalize: str = "strip", purpose: str = "", **kw):
        self.source, self.normalize, self.purpose = source, normalize, purpose
        kw.setdefault("max_length", 90)
        kw.setdefault("editable", False)
        kw.setdefault("null", True)
        kw.setdefault("db_index", not kw.get("unique", False))
        super().__init__(*args, **kw)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, normalize=self.normalize)
        if self.purpose:
            kwargs["purpose"] = self.purpose
        for key, default in (("max_length", 90), ("editable", False), ("null", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.normalize not in NORMALIZERS:
            errors.append(
                checks.Error(
                    f"normalize={self.normalize!r}: expected one of {sorted(NORMALIZERS)}",
                    obj=self,
                    id="security.E011",
                )
            )
        if not self.source:
            errors.append(checks.Error("source= is required", obj=self, id="security.E012"))
        return errors

    def hash_of(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return crypto.keyed_hash(
            NORMALIZERS[self.normalize](str(value)), purpose=self.purpose or self.source
        )

    def candidates(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        return crypto.keyed_hash_candidates(
            NORMALIZERS[self.normalize](str(value)), purpose=self.purpose or self.source
        )

    def pre_save(self, model_instance, add):
        digest = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, digest)
        return digest


def hashed_match(model: type[models.Model], hash_field: str, value: Any) -> Q:
    """``Q`` matching rows whose ``hash_field`` is the keyed hash of ``value`` (under any key)."""
    field = model._meta.get_field(hash_field)
    if not isinstance(field, HashIndexField):
        raise exceptions.FieldError(f"{model.__name__}.{hash_field} is not a HashIndexField")
    candidates = field.candidates(value)
    return Q(**{f"{hash_field}__in": candidates}) if candidates else Q(pk__in=[])


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


def hash_fields(model: type[models.Model]) -> list[HashIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, HashIndexField)]
