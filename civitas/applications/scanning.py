"""Virus scanning of uploaded documents behind a small interface.

``ClamdScanner`` streams the file to a ClamAV daemon with its INSTREAM command (over TCP or a
unix socket): ``zINSTREAM\\0``, then chunks each preceded by their length as a 4-byte big-endian
number, then a zero length; clamd answers ``stream: OK``, ``stream: <signature> FOUND`` or
``<reason> ERROR``. With no ``CLAMD_ADDRESS`` configured, or when clamd cannot be reached, the
document is kept with a clear "not scanned" state instead of pretending it was checked.
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

CLEAN = "clean"
INFECTED = "infected"
NOT_SCANNED = "not_scanned"


@dataclass(frozen=True)
class ScanResult:
    status: str  # clean, infected or not_scanned
    detail: str = ""  # the signature found, or why the file was not scanned

    @property
    def infected(self) -> bool:
        return self.status == INFECTED


class Scanner(Protocol):
    def scan(self, stream: BinaryIO) -> ScanResult: ...


@dataclass(frozen=True)
class NotScanned:
    reason: str = "no virus scanner is configured"

    def scan(self, stream: BinaryIO) -> ScanResult:
        return ScanResult(NOT_SCANNED, self.reason)


def parse_address(address: str) -> tuple[int, str | tuple[str, int]]:
    """``tcp://host:3310``, ``host:3310``, ``unix:///run/clamav/clamd.ctl`` or an absolute path."""
    if address.startswith("unix://"):
        return socket.AF_UNIX, address[len("unix://") :]
    if address.startswith("/"):
        return socket.AF_UNIX, address
    if address.startswith("tcp://"):
        address = address[len("tcp://") :]
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(
            f"CLAMD_ADDRESS={address!r} is not valid: expected tcp://host:port or unix:///path"
        )
    return socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET, (
        host.strip("[]"),
        int(port),
    )


@dataclass
class ClamdScanner:
    address: str
    timeout: float = 30.0
    chunk_size: int = 64 * 1024

    def _connect(self) -> socket.socket:
        family, target = parse_address(self.address)
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(target)
        except OSError:
            sock.close()
            raise
        return sock

    @staticmethod
    def _reply(sock: socket.socket) -> str:
        data = b""
        while not data.endswith(b"\0"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            if len(data) > 64 * 1024:
                break
        return data.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                return self._reply(sock) == "PONG"
        except OSError:
            return False

    def scan(self, stream: BinaryIO) -> ScanResult:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(self.chunk_size):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = self._reply(sock)
        except OSError as exc:
            logger.warning("clamd at %s could not scan a document: %s", self.address, exc)
            return ScanResult(NOT_SCANNED, "the virus scanner could not be reached")
        finally:
            stream.seek(0)
        return self.interpret(reply)

    @staticmethod
    def interpret(reply: str) -> ScanResult:
        # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        _, _, verdict = reply.partition(": ")
        verdict = verdict or reply
        if verdict == "OK":
            return ScanResult(CLEAN)
        if verdict.endswith(" FOUND"):
            return ScanResult(INFECTED, verdict[: -len(" FOUND")].strip())
        logger.warning("clamd could not scan a document: %s", reply)
        return ScanResult(NOT_SCANNED, f"the virus scanner reported an error: {reply[:120]}")


def scanner_from_settings() -> Scanner:
    address = getattr(settings, "CLAMD_ADDRESS", "")
    if not address:
        return NotScanned()
    return ClamdScanner(address)
