"""A protocol-level peer of ClamAV's daemon for tests: a real TCP (or unix socket) server on
127.0.0.1 that speaks clamd's PING and INSTREAM commands and flags the EICAR test string.

It does not scan for real viruses; it checks that our client speaks the protocol clamd speaks
(null-terminated "z" commands, length-prefixed chunks, a zero-length end, "stream: ... FOUND").
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

# The EICAR anti-virus test string, assembled at run time so the source file itself is not flagged
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"


class _Handler(socketserver.BaseRequestHandler):
    def _read_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def _command(self) -> bytes:
        data = b""
        while not data.endswith((b"\0", b"\n")):
            chunk = self.request.recv(1)
            if not chunk:
                break
            data += chunk
        return data

    def handle(self):
        server = self.server
        command = self._command()
        server.commands.append(command)
        if command in (b"zPING\0", b"nPING\n"):
            self.request.sendall(b"PONG\0")
            return
        if command not in (b"zINSTREAM\0", b"nINSTREAM\n"):
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        received = b""
        chunks = 0
        while True:
            (size,) = struct.unpack("!L", self._read_exact(4))
            if size == 0:
                break
            chunks += 1
            received += self._read_exact(size)
            if len(received) > server.stream_max:
                self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                return
        server.streams.append((received, chunks))
        if EICAR in received:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class FakeClamd:
    """``with FakeClamd() as clamd: clamd.address`` -> "tcp://127.0.0.1:<port>"."""

    def __init__(self, *, unix_path: str | None = None, stream_max: int = 25 * 1024 * 1024):
        self.unix_path = unix_path
        self.stream_max = stream_max

    def __enter__(self) -> FakeClamd:
        if self.unix_path:
            self.server = _UnixServer(self.unix_path, _Handler)
            self.address = f"unix://{self.unix_path}"
        else:
            self.server = _TCPServer(("127.0.0.1", 0), _Handler)
            self.address = f"tcp://127.0.0.1:{self.server.server_address[1]}"
        self.server.commands = []
        self.server.streams = []
        self.server.stream_max = self.stream_max
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def commands(self) -> list[bytes]:
        return self.server.commands

    @property
    def streams(self) -> list[tuple[bytes, int]]:
        return self.server.streams

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
