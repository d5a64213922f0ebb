"""The clamd scanner speaks ClamAV's INSTREAM protocol to a real local server; without a scanner,
or when it cannot be reached, documents are clearly "not scanned"."""

from __future__ import annotations

import io
import os
import tempfile

import pytest

from civitas.applications.scanning import (
    CLEAN,
    INFECTED,
    NOT_SCANNED,
    ClamdScanner,
    NotScanned,
    parse_address,
    scanner_from_settings,
)
from tests.applications.clamd import EICAR, FakeClamd, closed_port


def test_a_clean_file_streams_in_length_prefixed_chunks_and_passes():
    data = b"%PDF-1.7\n" + os.urandom(150_000)
    with FakeClamd() as clamd:
        result = ClamdScanner(clamd.address, chunk_size=64 * 1024).scan(io.BytesIO(data))
        assert result.status == CLEAN
        assert clamd.commands == [b"zINSTREAM\0"]
        received, chunks = clamd.streams[0]
    assert received == data and chunks == 3


def test_the_eicar_test_file_is_found_with_its_signature():
    with FakeClamd() as clamd:
        result = ClamdScanner(clamd.address).scan(io.BytesIO(b"%PDF-1.4\n" + EICAR))
    assert result.status == INFECTED and result.infected
    assert result.detail == "Eicar-Test-Signature"


def test_the_stream_is_rewound_for_whoever_reads_it_next():
    stream = io.BytesIO(b"hello")
    with FakeClamd() as clamd:
        ClamdScanner(clamd.address).scan(stream)
    assert stream.read() == b"hello"


def test_a_unix_socket_works_too():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "clamd.sock")
        with FakeClamd(unix_path=path) as clamd:
            scanner = ClamdScanner(clamd.address)
            assert scanner.ping()
            assert scanner.scan(io.BytesIO(EICAR)).infected


def test_an_unreachable_scanner_means_not_scanned_never_clean():
    result = ClamdScanner(f"tcp://127.0.0.1:{closed_port()}", timeout=2).scan(io.BytesIO(b"x"))
    assert result.status == NOT_SCANNED
    assert "could not be reached" in result.detail


def test_a_scanner_error_means_not_scanned():
    with FakeClamd(stream_max=10) as clamd:
        result = ClamdScanner(clamd.address).scan(io.BytesIO(b"x" * 100))
    assert result.status == NOT_SCANNED
    assert "size limit exceeded" in result.detail


def test_without_clamd_address_nothing_pretends_to_scan(settings):
    settings.CLAMD_ADDRESS = ""
    scanner = scanner_from_settings()
    assert isinstance(scanner, NotScanned)
    assert scanner.scan(io.BytesIO(b"x")).status == NOT_SCANNED
    settings.CLAMD_ADDRESS = "tcp://127.0.0.1:3310"
    assert isinstance(scanner_from_settings(), ClamdScanner)


def test_addresses():
    assert parse_address("tcp://127.0.0.1:3310")[1] == ("127.0.0.1", 3310)
    assert parse_address("clamav:3310")[1] == ("clamav", 3310)
    assert parse_address("unix:///run/clamav/clamd.ctl")[1] == "/run/clamav/clamd.ctl"
    with pytest.raises(ValueError, match="CLAMD_ADDRESS"):
        parse_address("clamav")
