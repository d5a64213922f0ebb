"""Files encrypted at rest with the field-encryption keys, streamed in segments.

The keys are the field keys of ``civitas.security.crypto`` (``FIELD_ENCRYPTION_KEYS``): the first
encrypts, every other still decrypts, and ``civitas security rotate-keys`` rewrites what an old key
sealed. A file is cut into segments of 64 KiB, each sealed with AES-256-GCM, as in the streaming
AEADs of Tink and libsodium: memory stays at about two segments whatever the file's size (uploads
are at most 20 MB today, but nothing here depends on that), and a reader authenticates each segment
before it hands out any byte of it.

A stored file reads::

    header    b"CVF1" | key id length (1 byte) | key id (ASCII) | salt (32 bytes)
              | segment size (4 bytes, big-endian)
    segments  each plaintext segment's ciphertext followed by its 16-byte tag; the last segment
              may be shorter (or empty, for an empty file)

- The file key is HKDF-SHA256 of the keyring key the header names, with the header's random salt
  and the caller's ``context`` (what the file belongs to) as info. HKDF only derives a key per file
  from the keyring's keys; there is no other key to manage. A key per file lets each segment's nonce
  be its number (11 bytes, big-endian) followed by 1 for the last segment and 0 otherwise, so
  nonces never repeat however many files one keyring key seals.
- The whole header is the associated data of every segment: changing the key id, the salt or the
  segment size makes every segment fail.
- An altered byte, segments swapped, cut off or added, or a file moved to another context fails
  with ``FileDecryptionError``.
"""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from civitas.security import crypto

MAGIC = b"CVF1"
SEGMENT_SIZE = 64 * 1024
TAG_SIZE = 16
SALT_SIZE = 32
# a header naming a larger segment is refused before anything that size is read
MIN_SEGMENT, MAX_SEGMENT = 1024, 4 * 1024 * 1024
_INFO = b"civitas-file-v1\x00"


class FileDecryptionError(crypto.DecryptionError):
    """A stored file cannot be decrypted: not ours, unknown key id, altered, cut short or moved."""


def _file_cipher(key: bytes, salt: bytes, context: str) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO + context.encode()
    ).derive(key)
    return AESGCM(derived)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_exact(source: BinaryIO, size: int) -> bytes:
    """``size`` bytes, or fewer only at the end of ``source`` (a read may return less)."""
    parts, missing = [], size
    while missing > 0:
        chunk = source.read(missing)
        if not chunk:
            break
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


class _Reader:
    """A read-only, forward-only stream that fills every ``read(n)`` unless it is at the end (S3
    uploads take a short read for the end of the file)."""

    closed = False

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._done = False

    def _fill(self) -> None:
        raise NotImplementedError

    def read(self, size: int | None = -1) -> bytes:
        while not self._done and (size is None or size < 0 or len(self._buffer) < size):
            self._fill()
        if size is None or size < 0 or size >= len(self._buffer):
            out = bytes(self._buffer)
            self._buffer.clear()
        else:
            with memoryview(self._buffer) as view:
                out = bytes(view[:size])
            del self._buffer[:size]
        return out

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EncryptingReader(_Reader):
    """The encrypted form of ``source``, produced as it is read: pass it to storage as
    ``storage.save(name, File(reader, name=name))``. ``source`` stays open (its owner closes it).

    After the last read, ``plaintext_size`` and ``sha256`` describe what was encrypted, so a caller
    can check it against what it expected."""

    def __init__(self, source: BinaryIO, *, context: str, segment_size: int = SEGMENT_SIZE) -> None:
        super().__init__()
        ring = crypto.encryption_keys()
        self.key_id = ring.active_id
        kid = self.key_id.encode("ascii")
        salt = os.urandom(SALT_SIZE)
        self.header = MAGIC + bytes([len(kid)]) + kid + salt + segment_size.to_bytes(4, "big")
        self._cipher = _file_cipher(ring.active, salt, context)
        self._source, self._segment_size, self._index = source, segment_size, 0
        self._next = _read_exact(source, segment_size)  # read ahead: is this segment the last?
        self._buffer += self.header
        self.plaintext_size = 0
        self.sha256 = hashlib.sha256()

    def _fill(self) -> None:
        current = self._next
        full = len(current) == self._segment_size
        self._next = _read_exact(self._source, self._segment_size) if full else b""
        last = not self._next
        self._buffer += self._cipher.encrypt(_nonce(self._index, last), current, self.header)
        self.sha256.update(current)
        self.plaintext_size += len(current)
        self._index += 1
        self._done = last


def _parse_header(source: BinaryIO) -> tuple[bytes, str, bytes, int]:
    start = _read_exact(source, len(MAGIC) + 1)
    if len(start) < len(MAGIC) + 1 or not start.startswith(MAGIC):
        raise FileDecryptionError("the stored file is not an encrypted file")
    rest = _read_exact(source, start[-1] + SALT_SIZE + 4)
    if len(rest) < start[-1] + SALT_SIZE + 4:
        raise FileDecryptionError("the stored file ends within its header")
    try:
        kid = rest[: start[-1]].decode("ascii")
    except UnicodeDecodeError:
        raise FileDecryptionError("the stored file's header was altered") from None
    salt = rest[start[-1] : start[-1] + SALT_SIZE]
    segment_size = int.from_bytes(rest[-4:], "big")
    if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
        raise FileDecryptionError("the stored file's header was altered")
    return start + rest, kid, salt, segment_size


class DecryptingReader(_Reader):
    """The plaintext of an encrypted ``source``, each segment authenticated before any of it is
    returned; a failure raises ``FileDecryptionError`` (from the constructor for the header and
    key, from ``read`` for a segment). Closing it closes ``source``."""

    def __init__(self, source: BinaryIO, *, context: str) -> None:
        super().__init__()
        self._source = source
        self.header, self.key_id, salt, self._segment_size = _parse_header(source)
        key = crypto.encryption_keys().get(self.key_id)
        if key is None:
            raise FileDecryptionError(
                f"key {self.key_id!r} is not configured (was it removed before rotate-keys ran?)"
            )
        self._cipher = _file_cipher(key, salt, context)
        self._sealed = self._segment_size + TAG_SIZE
        self._pending = _read_exact(source, self._sealed)
        self._index = 0

    def _fill(self) -> None:
        current = self._pending
        self._pending = (
            _read_exact(self._source, self._sealed) if len(current) == self._sealed else b""
        )
        last = not self._pending
        try:
            plain = self._cipher.decrypt(_nonce(self._index, last), current, self.header)
        except (InvalidTag, ValueError):
            raise FileDecryptionError(
                "the stored file was altered, cut short or belongs to something else"
            ) from None
        self._buffer += plain
        self._index += 1
        self._done = last

    def close(self) -> None:
        super().close()
        self._source.close()


def verify(source: BinaryIO, *, context: str) -> int:
    """Read the whole of ``source`` and authenticate every segment; the plaintext's size.
    Does not close ``source``."""
    reader = DecryptingReader(source, context=context)  # not closed: that would close source
    size = 0
    while chunk := reader.read(reader._segment_size):
        size += len(chunk)
    return size


def key_id_of(head: bytes) -> str | None:
    """The key id named by a file's first bytes, or None if they are not an encrypted file's."""
    if not head.startswith(MAGIC) or len(head) < len(MAGIC) + 1:
        return None
    end = len(MAGIC) + 1 + head[len(MAGIC)]
    try:
        return head[len(MAGIC) + 1 : end].decode("ascii") if len(head) >= end else None
    except UnicodeDecodeError:
        return None
