"""Documents sent with an application: checked, scanned, encrypted and stored on the private
target; opened again (decrypted) for whoever may read them; rewritten under a new key.

An upload is refused with a message that says what to do — empty, too large, a format the
programme does not accept (judged from the file's first bytes), or infected — and a refused upload
leaves nothing behind: the file is written only after every check passed, and removed again if the
database write fails.

Format sniffing and the virus scan read the plaintext; only then is the file encrypted, on its way
to storage (``civitas.security.files``: the field-encryption keys, AES-256-GCM in 64 KiB segments,
so neither the upload nor a download is ever held whole in memory). The file is bound to its row's
SHA-256, so a file copied over another document's does not open. Files stored before encryption at
rest (``Document.encrypted`` false) are served as stored until ``civitas security rotate-keys``
rewrites them.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import secrets
from collections.abc import Callable
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages
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
from civitas.security import crypto, files
from civitas.security.rotation import RotationStats

logger = logging.getLogger(__name__)

INFORMATION = "information"  # a document sent with a reply to a request for information


class DocumentRefused(Exception):
    """The upload was refused; the message tells the person what to do."""


class DocumentUnavailable(Exception):
    """The stored file is missing, or fails its integrity check (altered, cut short, another
    document's, or under a key no longer configured). Logged; people get the "not found" page."""


def encryption_context(document: Document) -> str:
    # the plaintext's digest is known before the file is written and never changes after
    return f"applications.document:{document.sha256}"


def _store_encrypted(storage: Storage, document: Document, plaintext: BinaryIO, name: str):
    """Write ``plaintext`` encrypted as ``name`` (a new random name); (stored name, the reader
    that encrypted it). Nothing is left behind if the write fails part-way."""
    reader = files.EncryptingReader(plaintext, context=encryption_context(document))
    # random 128-bit names never collide in practice, so a failed write's name is ours to remove
    try:
        stored = storage.save(name, File(reader, name=name))
    except BaseException:
        _discard(storage, name)
        raise
    return stored, reader


def _discard(storage: Storage, name: str) -> None:
    """Remove a file this module just wrote, without hiding the error that made it useless."""
    try:
        storage.delete(name)
    except Exception as exc:  # the error being handled matters more than this one
        logger.warning("could not remove the unused file %s: %s", name, exc)


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
        encrypted=True,
    )
    storage = storages["default"]
    stored_name, sealed = _store_encrypted(storage, document, stream, document_path(document, ""))
    document.key_id = sealed.key_id
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


# --- reading back -----------------------------------------------------------------------------
def open_document(document: Document) -> BinaryIO:
    """The document's original bytes, as a stream to serve (the caller closes it).

    An encrypted file is read through once and every segment authenticated before this returns, so
    an altered file is refused before a response starts rather than cut off half-way; then it is
    decrypted again as it is served (memory stays at a few segments). ``DocumentUnavailable`` when
    the file is missing or fails the check; the log says which document and why."""
    storage = storages["default"]
    try:
        stream = storage.open(document.file.name, "rb")
    except OSError as exc:
        logger.error(
            "document %s: the stored file cannot be opened: %s",
            document.pk,
            exc,
            extra={"event": "applications:document:missing", "document": document.pk},
        )
        raise DocumentUnavailable(str(exc)) from None
    if not document.encrypted:
        return stream  # stored before encryption at rest: served as stored
    context = encryption_context(document)
    try:
        size = files.verify(stream, context=context)
        if size != document.size:
            raise files.FileDecryptionError(
                f"the stored file holds {size} bytes where {document.size} were uploaded"
            )
        stream.seek(0)
        return files.DecryptingReader(stream, context=context)
    except (crypto.DecryptionError, OSError) as exc:
        stream.close()
        logger.error(
            "document %s: the stored file fails its integrity check and is not served: %s",
            document.pk,
            exc,
            extra={"event": "applications:document:unreadable", "document": document.pk},
        )
        raise DocumentUnavailable(str(exc)) from None


# --- key rotation -------------------------------------------------------------------------------
def reencrypt_documents(
    *,
    batch_size: int = 100,
    dry_run: bool = False,
    progress: Callable[[RotationStats], None] | None = None,
) -> RotationStats:
    """Rewrite every document file that is not encrypted under the active key (files stored in
    clear before encryption at rest, and files under an older key). Called by ``civitas security
    rotate-keys`` (see ``ApplicationsConfig.ready``).

    Each file: the new file is written first (decrypted from the old one, or read as stored, and
    checked against the row's SHA-256 and size), then the row is switched to it in a transaction,
    then the old file is removed once that commits — at every moment the row names a whole file.
    A file that cannot be read is logged, counted in ``failed`` and left as it is."""
    active = crypto.encryption_keys().active_id
    stats = RotationStats(f"{Document._meta.label}", rows=Document.objects.count(), kind="files")
    pending = Document.objects.exclude(encrypted=True, key_id=active).order_by("pk")
    last_pk = 0
    while True:
        ids = list(pending.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size])
        for pk in ids:
            if dry_run:
                stats.reencrypted += 1
                continue
            try:
                if _reencrypt(pk, active):
                    stats.reencrypted += 1
            except DocumentUnavailable:
                stats.failed += 1
        if progress is not None:
            progress(stats)
        if len(ids) < batch_size:
            return stats
        last_pk = ids[-1]


def _reencrypt(pk: int, active: str) -> bool:
    storage = storages["default"]
    # the application is not loaded: its encrypted answers may be under a key that is gone
    document = Document.objects.filter(pk=pk).first()
    if document is None or (document.encrypted and document.key_id == active):
        return False  # removed, or rewritten by another run meanwhile
    old_name = document.file.name
    try:
        source = storage.open(old_name, "rb")
    except OSError as exc:
        logger.error(
            "document %s: the stored file cannot be opened to re-encrypt it: %s",
            pk,
            exc,
            extra={"event": "applications:document:missing", "document": pk},
        )
        raise DocumentUnavailable(str(exc)) from None
    # beside the old file, under a new random name (as document_path makes them)
    new_name = posixpath.join(posixpath.dirname(old_name), f"{secrets.token_hex(16)}.enc")
    try:
        with source:
            plaintext = (
                files.DecryptingReader(source, context=encryption_context(document))
                if document.encrypted
                else source
            )
            stored, sealed = _store_encrypted(storage, document, plaintext, new_name)
    except (crypto.DecryptionError, OSError) as exc:
        logger.error(
            "document %s: the stored file fails its integrity check, so it was not re-encrypted: "
            "%s",
            pk,
            exc,
            extra={"event": "applications:document:unreadable", "document": pk},
        )
        raise DocumentUnavailable(str(exc)) from None
    if (sealed.sha256.hexdigest(), sealed.plaintext_size) != (document.sha256, document.size):
        _discard(storage, stored)
        logger.error(
            "document %s: the stored file does not match the SHA-256 recorded at upload, so it was "
            "not re-encrypted",
            pk,
            extra={"event": "applications:document:unreadable", "document": pk},
        )
        raise DocumentUnavailable("the stored file differs from the one uploaded")
    try:
        with transaction.atomic():
            current = Document.objects.select_for_update().filter(pk=pk).first()
            if current is None or current.file.name != old_name:
                raise _Moved
            Document.objects.filter(pk=pk).update(file=stored, encrypted=True, key_id=sealed.key_id)
            transaction.on_commit(lambda: storage.delete(old_name))
    except _Moved:
        _discard(storage, stored)  # the document went (or moved) meanwhile: nothing to switch
        return False
    except BaseException:
        _discard(storage, stored)
        raise
    return True


class _Moved(Exception):
    pass
