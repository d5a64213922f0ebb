"""Files sent to ``POST /documents`` before the application that uses them: kept sealed, attached
as ordinary documents, removed once attached or once they are too old.

A staged file is one object, ``govstack/uploads/<client>/<token>`` on the private target, sealed
with ``civitas.security.files`` (the field-encryption keys, AES-256-GCM in segments) and bound to
its client and token, so a file copied under another client's or token's name does not open. What
the application will need — the requirement it answers and the file's original name — travels
inside the sealed payload, in front of the file's bytes::

    length of the metadata (4 bytes, big-endian) | metadata (JSON) | the file's bytes

Nothing about a staged file is in clear: not its bytes, not its name.

Attaching reads the staged file through ``applications.add_document``, the portal's own path:
format sniffing and the virus scan on the plaintext, then sealing as a ``Document``. The plaintext
is never written out: each pass of ``add_document`` over the file decrypts (and authenticates) the
staged file again. The staged copy is deleted once the application's transaction commits; one that
is never attached goes with ``purge_staged_uploads``.

Files staged in clear by earlier versions (the file, and ``<token>.json`` beside it with the
requirement and the name) are still attached, then deleted like the others.

``civitas security rotate-keys`` does not rewrite staged files: they live only until attached or
purged, so keep a retired key configured for the purge period after a rotation.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import timedelta
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from civitas.applications import services as applications
from civitas.applications.services import DocumentRefused
from civitas.audit import services as audit
from civitas.security import crypto, files

logger = logging.getLogger(__name__)

UPLOADS = "govstack/uploads"
MAX_METADATA = 4096  # bytes of JSON in front of a staged file's bytes


def _name(client_pk: int, token: str) -> str:
    return f"{UPLOADS}/{client_pk}/{token}"


def _context(client_pk: int, token: str) -> str:
    return f"casework.govstack.upload:{client_pk}:{token}"


def _delete(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception as exc:  # a staged copy left behind is purged later
        logger.warning("could not remove the staged file %s: %s", name, exc)


class _Prefixed:
    """``prefix`` then ``source``'s bytes, as one forward-only stream."""

    def __init__(self, prefix: bytes, source: BinaryIO) -> None:
        self._prefix, self._source = prefix, source

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            out, self._prefix = self._prefix + self._source.read(), b""
            return out
        if self._prefix:
            out, self._prefix = self._prefix[:size], self._prefix[size:]
            return out
        return self._source.read(size)


# --- staging --------------------------------------------------------------------------------------
def stage(*, client, upload: BinaryIO, original_name: str, requirement: str) -> str:
    """Seal ``upload`` for a later application of ``client``; its token."""
    token = uuid.uuid4().hex
    name = _name(client.pk, token)
    metadata = json.dumps({"requirement": requirement, "name": original_name}).encode()
    if len(metadata) > MAX_METADATA:  # a name of a few thousand characters
        metadata = json.dumps({"requirement": requirement, "name": "document"}).encode()
    upload.seek(0)
    sealed = files.EncryptingReader(
        _Prefixed(len(metadata).to_bytes(4, "big") + metadata, upload),
        context=_context(client.pk, token),
    )
    storage = storages["default"]
    try:
        stored = storage.save(name, File(sealed, name=name))
    except BaseException:
        _delete(storage, name)
        raise
    try:
        if stored != name:  # a random token never collides; if it ever did, the lookup would miss
            raise RuntimeError(f"the staged file was stored as {stored}, not {name}")
        with transaction.atomic():
            audit.record(
                actor=client.acts_as,
                action="casework:govstack:document_uploaded",
                subject=client,
                after={
                    "upload": token,
                    "requirement": requirement,
                    "size": sealed.plaintext_size - 4 - len(metadata),
                },
            )
    except BaseException:
        _delete(storage, stored)
        raise
    return token


# --- attaching ------------------------------------------------------------------------------------
class _StagedFile:
    """A sealed staged file's bytes, decrypted as they are read. ``seek(0)`` starts again from the
    stored file and ``seek(0, 2)`` reads (and authenticates) the rest, so ``add_document`` can make
    its passes (size, sniffing, digest, scan, sealing) without the plaintext being written out."""

    def __init__(self, storage: Storage, name: str, context: str) -> None:
        self._storage, self._name, self._context = storage, name, context
        self._reader: files.DecryptingReader | None = None
        self.metadata = self._open()

    def _open(self) -> dict:
        self.close()
        self._reader = files.DecryptingReader(
            self._storage.open(self._name, "rb"), context=self._context
        )
        length = int.from_bytes(self._reader.read(4), "big")
        if length > MAX_METADATA:
            raise files.FileDecryptionError("the staged file's metadata is too long")
        try:
            metadata = json.loads(self._reader.read(length))
        except ValueError:
            raise files.FileDecryptionError("the staged file's metadata is not JSON") from None
        if not isinstance(metadata, dict):
            raise files.FileDecryptionError("the staged file's metadata is not an object")
        self._position = 0
        return metadata

    def read(self, size: int | None = -1) -> bytes:
        data = self._reader.read(size)
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) == (0, io.SEEK_SET):
            if self._position:
                self._open()
        elif (offset, whence) == (0, io.SEEK_END):
            while self.read(files.SEGMENT_SIZE):
                pass
        else:
            raise io.UnsupportedOperation(
                "a staged file can only go back to its start or to its end"
            )
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _open_staged(storage: Storage, client_pk: int, token: str):
    """(metadata, stream of the file's bytes, names to delete once attached); None if unknown."""
    name = _name(client_pk, token)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as raw:
        head = raw.read(len(files.MAGIC))
    if head != files.MAGIC and storage.exists(f"{name}.json"):
        # staged in clear by an earlier version
        with storage.open(f"{name}.json") as side:
            metadata = json.load(side)
        return metadata, storage.open(name, "rb"), [name, f"{name}.json"]
    staged = _StagedFile(storage, name, _context(client_pk, token))
    return staged.metadata, staged, [name]


def _unreadable(client, token: str, exc: Exception) -> None:
    """Altered, cut short, moved or under a key no longer configured: logged, never served."""
    logger.error(
        "GovStack staged file %s of client %s cannot be read: %s",
        token,
        client.pk,
        exc,
        extra={"event": "casework:govstack:upload_unreadable", "client": client.pk},
    )


def attach(*, application, client, urls: list, stored: list[str] | None = None) -> None:
    """Add the staged files named by ``urls`` (``urn:civitas:upload:<token>``) to ``application``
    as documents; each staged copy is deleted once the caller's transaction commits. ``stored``
    collects the new documents' file names, for the caller to remove if its transaction rolls
    back. A ``ValueError`` says which file could not be used."""
    storage = storages["default"]
    consumed: list[str] = []
    for url in urls:
        token = str(url).rsplit(":", 1)[-1]
        try:
            opened = _open_staged(storage, client.pk, token) if token.isalnum() else None
        except (crypto.DecryptionError, OSError, ValueError) as exc:
            _unreadable(client, token, exc)
            raise ValueError(f"{url}: the file can no longer be read; upload it again") from None
        if opened is None:
            raise ValueError(f"unknown document {url}")
        metadata, stream, names = opened
        try:
            document = applications.add_document(
                application=application,
                actor=client.acts_as,
                requirement=str(metadata.get("requirement", "")),
                stream=stream,
                original_name=str(metadata.get("name", "")),
            )
        except DocumentRefused as exc:
            raise ValueError(f"{url}: {exc}") from None
        except (crypto.DecryptionError, OSError) as exc:
            _unreadable(client, token, exc)
            raise ValueError(f"{url}: the file can no longer be read; upload it again") from None
        finally:
            stream.close()
        if stored is not None:
            stored.append(document.file.name)
        consumed.extend(n for n in names if n not in consumed)

    def remove() -> None:
        for name in consumed:
            _delete(storage, name)

    transaction.on_commit(remove)


def discard(names: list[str]) -> None:
    """Remove document files written by ``attach`` in a transaction that then rolled back."""
    storage = storages["default"]
    for name in names:
        _delete(storage, name)


# --- retention ------------------------------------------------------------------------------------
def _walk(storage: Storage, folder: str):
    try:
        folders, names = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def purge_staged_uploads(older_than: timedelta) -> int:
    """Delete staged files (and side files of earlier versions) not attached within
    ``older_than``; how many files were removed. Meant for the daily purge job."""
    storage, removed, limit = storages["default"], 0, timezone.now() - older_than
    for name in list(_walk(storage, UPLOADS)):
        try:
            if storage.get_modified_time(name) >= limit:
                continue
        except (NotImplementedError, OSError):
            continue
        storage.delete(name)
        removed += 1
    if removed:
        logger.info("removed %s staged GovStack files older than %s", removed, older_than)
    return removed
