"""Files encrypted at rest (civitas.security.files): segments of AES-256-GCM under the field keys,
streamed both ways in bounded memory, and every kind of alteration refused."""

from __future__ import annotations

import io
import os
import tempfile
import tracemalloc

import pytest
from django.test import override_settings

from civitas.security import files

OLD_KEY = "k2025:" + "A" * 43
NEW_KEY = "k2026:" + "B" * 43
SEGMENT = files.SEGMENT_SIZE


def seal(data: bytes, context: str = "ctx", read_size: int = 7000) -> bytes:
    reader = files.EncryptingReader(io.BytesIO(data), context=context)
    out = bytearray()
    while chunk := reader.read(read_size):
        out += chunk
    assert reader.plaintext_size == len(data)
    return bytes(out)


def opened(sealed: bytes, context: str = "ctx") -> bytes:
    return files.DecryptingReader(io.BytesIO(sealed), context=context).read()


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT])
def test_every_size_round_trips(size):
    data = os.urandom(size)
    sealed = seal(data)
    assert opened(sealed) == data
    assert files.verify(io.BytesIO(sealed), context="ctx") == size
    segments = max(1, -(-size // SEGMENT))
    assert len(sealed) == len(data) + segments * files.TAG_SIZE + 4 + 1 + 3 + 32 + 4


def test_the_same_file_encrypts_differently_each_time_under_the_active_key():
    data = b"%PDF-1.4 the same payslip"
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        first, second = seal(data), seal(data)
    assert first != second
    assert files.key_id_of(first) == files.key_id_of(second) == "k2026"


def test_an_old_key_still_opens_and_a_removed_key_is_named():
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        sealed = seal(b"old file")
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert opened(sealed) == b"old file"
    with (
        override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY]),
        pytest.raises(files.FileDecryptionError, match="'k2025' is not configured"),
    ):
        opened(sealed)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def _alterations(sealed: bytes) -> dict[str, bytes]:
    header = len(files.MAGIC) + 1 + sealed[len(files.MAGIC)] + files.SALT_SIZE + 4
    step = SEGMENT + files.TAG_SIZE
    first, second, rest = (
        sealed[header : header + step],
        sealed[header + step : header + 2 * step],
        sealed[header + 2 * step :],
    )
    return {
        "a bit of the body": flip(sealed, 5000),
        "a bit of the salt": flip(sealed, 20),
        "the segment size": flip(sealed, header - 1),
        "the last segment dropped": sealed[: header + 2 * step],
        "cut mid-segment": sealed[:-100],
        "bytes appended": sealed + b"\x00" * 16,
        "segments swapped": sealed[:header] + second + first + rest,
        "not encrypted at all": b"%PDF-1.4 plain",
        "an empty file": b"",
    }


ALTERATIONS = [
    "a bit of the body",
    "a bit of the salt",
    "the segment size",
    "the last segment dropped",
    "cut mid-segment",
    "bytes appended",
    "segments swapped",
    "not encrypted at all",
    "an empty file",
]


@pytest.mark.parametrize("how", ALTERATIONS)
def test_any_alteration_is_refused(how):
    sealed = seal(os.urandom(2 * SEGMENT + 500))
    with pytest.raises(files.FileDecryptionError):
        files.verify(io.BytesIO(_alterations(sealed)[how]), context="ctx")


def test_a_file_opened_for_something_else_is_refused():
    sealed = seal(b"Amina's medical certificate", context="applications.document:aaa")
    with pytest.raises(files.FileDecryptionError, match="belongs to something else"):
        opened(sealed, context="applications.document:bbb")


def test_memory_stays_bounded_both_ways():
    """20 MB (the largest upload a programme may allow) in and out of a real file, never whole in
    memory: the peak is a few segments."""
    size = 20 * 1024 * 1024
    with tempfile.TemporaryDirectory() as folder:
        plain_path, sealed_path = f"{folder}/plain", f"{folder}/sealed"
        with open(plain_path, "wb") as plain:
            for _ in range(size // (1024 * 1024)):
                plain.write(os.urandom(1024 * 1024))
        tracemalloc.start()
        try:
            with open(plain_path, "rb") as plain, open(sealed_path, "wb") as sealed:
                reader = files.EncryptingReader(plain, context="big")
                while chunk := reader.read(1024 * 1024):
                    sealed.write(chunk)
            with open(sealed_path, "rb") as sealed:
                decrypted = files.DecryptingReader(sealed, context="big")
                total = 0
                while chunk := decrypted.read(SEGMENT):
                    total += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert total == size
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes"
