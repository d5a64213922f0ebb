"""Documents sent with an application: checked, scanned and stored on the private target.

An upload is refused with a message that says what to do — empty, too large, a format the
programme does not accept (judged from the file's first bytes), or infected — and a refused upload
leaves nothing behind: the file is written only after every check passed, and removed again if the
database write fails.
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.applications import scanning, uploads
from civitas.applications.lifecycle import OPEN_STATES, Status
from civitas.applications.models import Application, Document
from civitas.applications.models.application import document_path
from civitas.audit import services as audit
from civitas.programs.formspec import (
    DEFAULT_MAX_SIZE_MB,
    DOCUMENT_FORMATS,
    DocumentRequirement,
    parse_spec,
)

INFORMATION = "information"  # a document sent with a reply to a request for information


class DocumentRefused(Exception):
    """The upload was refused; the message tells the person what to do."""


def requirement_for(application: Application, name: str) -> DocumentRequirement | None:
    if name == INFORMATION:
        return DocumentRequirement(
            name=INFORMATION,
            label=_("A document we asked for"),
            formats=DOCUMENT_FORMATS,
            max_size_mb=DEFAULT_MAX_SIZE_MB,
            required=False,
        )
    return parse_spec(application.program_version.form).document(name)


def _may_add(application: Application, requirement: DocumentRequirement) -> bool:
    if requirement.name == INFORMATION:
        return application.status == Status.INFORMATION_REQUESTED
    if application.status == Status.DRAFT:
        return True
    # documents the form says can come later may still be added while the case is open
    return application.status in OPEN_STATES and not requirement.required


def add_document(
    *,
    application: Application,
    actor,
    requirement: str,
    stream: BinaryIO,
    original_name: str,
    size: int | None = None,
    scanner: scanning.Scanner | None = None,
) -> Document:
    """Check, scan and keep one uploaded file. ``DocumentRefused`` says why it was not kept."""
    needed = requirement_for(application, requirement)
    if needed is None:
        raise DocumentRefused(_("Choose which document you are uploading"))
    if not _may_add(application, needed):
        raise DocumentRefused(
            _("This application has been sent, so this document can no longer be added here.")
        )
    if size is None:
        stream.seek(0, 2)
        size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise DocumentRefused(_("The selected file is empty"))
    if size > needed.max_bytes:
        raise DocumentRefused(
            _("The selected file must be smaller than %(size)s MB") % {"size": needed.max_size_mb}
        )
    file_format = uploads.sniff(stream.read(uploads.HEAD_BYTES))
    stream.seek(0)
    if file_format is None or file_format not in needed.formats:
        raise DocumentRefused(
            _("The selected file must be a %(formats)s") % {"formats": needed.formats_text}
        )
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    result = (scanner or scanning.scanner_from_settings()).scan(stream)
    stream.seek(0)
    if result.infected:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="applications:document:refused_infected",
                subject=application,
                after={"requirement": requirement, "signature": result.detail, "size": size},
            )
        raise DocumentRefused(
            _(
                "The selected file contains a virus, so we did not keep it. Check your device, "
                "then upload a clean copy."
            )
        )

    document = Document(
        application=application,
        requirement=needed.name,
        original_name=(original_name or "document")[:255],
        file_format=file_format,
        content_type=uploads.content_type_of(file_format),
        size=size,
        sha256=digest.hexdigest(),
        scan_status=result.status,
        scan_detail=result.detail[:200],
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=timezone.now(),
    )
    storage = storages["default"]
    stored_name = storage.save(document_path(document, ""), File(stream))
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if not _may_add(locked, needed):
                raise DocumentRefused(
                    _(
                        "This application has been sent, so this document can no longer be added here."
                    )
                )
            document.file.name = stored_name
            document.save()
            audit.record(
                actor=actor,
                action="applications:document:added",
                subject=document,
                after={
                    "application": application.reference,
                    "requirement": needed.name,
                    "format": file_format,
                    "size": size,
                    "sha256": document.sha256,
                    "scan": result.status,
                },
            )
    except BaseException:
        storage.delete(stored_name)  # nothing half-saved
        raise
    return document


@transaction.atomic
def remove_document(*, document: Document, actor) -> None:
    """Take a document off a draft (the file goes once the removal is committed)."""
    application = Application.objects.select_for_update().get(pk=document.application_id)
    if application.status != Status.DRAFT:
        raise DocumentRefused(_("This application has been sent, so its documents stay with it."))
    name = document.file.name
    audit.record(
        actor=actor,
        action="applications:document:removed",
        subject=document,
        before={"requirement": document.requirement, "sha256": document.sha256},
    )
    document.delete()
    transaction.on_commit(lambda: storages["default"].delete(name))
