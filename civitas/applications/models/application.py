"""Citizens' applications to a programme, the documents sent with them, and the messages about
them between the applicant and the caseworker."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civitas.applications.lifecycle import Status
from civitas.programs.models import Program, ProgramVersion
from civitas.registry.models import Person
from civitas.security.fields import EncryptedJSONField


class Channel(models.TextChoices):
    ONLINE = "online", _("Online, by the applicant")
    ASSISTED = "assisted", _("On the applicant's behalf (assisted digital)")
    API = "api", _("Through an app, with the applicant's permission")


class Application(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    # The person's account; empty when someone applied on behalf of a person who has none.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # Who filled it in: the applicant, or the caseworker or intermediary acting for them.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="applications_created",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    program_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT)
    # status changes only through civitas.applications.services (see lifecycle.TRANSITIONS)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    # Encrypted at rest: answers hold health facts (pregnancy, due date, a baby's birth date) and
    # income. Nothing filters on their content; search goes through the registry or references.
    answers = EncryptedJSONField(default=dict)
    # questions answered from the registry (once-only), with the person's consent
    prefilled = models.JSONField(default=list, blank=True)
    prefill_choice = models.CharField(max_length=10, blank=True)  # "", "accepted", "declined"
    pre_assessment = models.JSONField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # a retried or double-clicked request can never make a second application
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], name="applications_idempotent_create"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["applicant", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class ScanStatus(models.TextChoices):
    CLEAN = "clean", _("Checked for viruses")
    NOT_SCANNED = "not_scanned", _("Not checked for viruses")
    # infected files are refused and never stored


def _private_storage():
    return storages["default"]  # the private target: personal data stays on government premises


def document_path(instance: Document, filename: str) -> str:
    # Never the name the person gave: a random name, grouped by application. An encrypted file is
    # no PDF or picture to whoever reads the storage, so its name does not claim to be one.
    extension = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}.get(instance.file_format, "bin")
    if instance.encrypted:
        extension = "enc"
    return f"documents/{instance.application.reference}/{secrets.token_hex(16)}.{extension}"


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    # the document requirement's name in the form, or "information" for a reply to a request
    requirement = models.CharField(max_length=60)
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)  # sniffed from the content: pdf, png, jpeg
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=document_path, storage=_private_storage, max_length=200)
    # The stored file is encrypted (civitas.security.files, bound to the sha256 above) with the
    # field-encryption key ``key_id``. False for files stored before encryption at rest: they are
    # served as stored until ``civitas security rotate-keys`` rewrites them encrypted.
    encrypted = models.BooleanField(default=False)
    key_id = models.CharField(max_length=16, blank=True, default="")
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices)
    scan_detail = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.original_name}"


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    INFORMATION_REQUEST = "information_request", _("Request for information")
    INFORMATION_RESPONSE = "information_response", _("Your reply")


class ApplicationMessage(models.Model):
    """A message about one application, between the caseworker and the applicant."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="case_messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_applicant = models.BooleanField()  # True: from the office; False: from the applicant
    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.kind}"
