"""Fixtures for applying: a private storage folder per test, small real files, a clamd peer."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from tests.applications.clamd import FakeClamd

VALID_CHILD_BENEFIT = {
    "children_count": "2",
    "household_income": "950.00",
    "bank_account": "CV12 3456 7890",
    "declaration": "yes",
}


@pytest.fixture
def private_dir(settings, tmp_path) -> Path:
    """The private storage target in a folder of this test's own, to see what is (not) kept."""
    folder = tmp_path / "private"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def clamd(settings):
    with FakeClamd() as server:
        settings.CLAMD_ADDRESS = server.address
        yield server


@pytest.fixture
def no_scanner(settings):
    settings.CLAMD_ADDRESS = ""


def pdf(size: int = 400) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    return body + b"%" + b"x" * max(size - len(body) - 7, 0) + b"\n%%EOF\n"


def png() -> bytes:
    """A real one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
        )

    header = struct.pack("!IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
