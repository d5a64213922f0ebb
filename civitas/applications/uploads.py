"""Receiving documents: the size limit enforced while the upload streams in, and the file's
format read from its first bytes (never from its name or the content type the browser claims)."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# format -> (magic bytes at offset 0, content type we serve it as)
SIGNATURES: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
HEAD_BYTES = 16
MULTIPART_SLACK = 64 * 1024  # room for the other form fields and the multipart boundaries


def sniff(head: bytes) -> str | None:
    """The format whose signature ``head`` starts with: "pdf", "png", "jpeg" or None."""
    for name, (magic, _content_type) in SIGNATURES.items():
        if head.startswith(magic):
            return name
    return None


def content_type_of(file_format: str) -> str:
    return SIGNATURES[file_format][1]


class SizeLimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and drops the file once it passes ``limit``, so an
    oversized upload is never held in memory or on disk. Put it first in
    ``request.upload_handlers``; the names of dropped fields are in ``too_large``."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large: set[str] = set()

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file


def limit_uploads(request, *, limit: int) -> SizeLimitedUploadHandler:
    """Install the size limit on ``request`` before its body is read."""
    handler = SizeLimitedUploadHandler(request, limit=limit)
    request.upload_handlers.insert(0, handler)
    return handler


def declared_length_too_large(request, *, limit: int) -> bool:
    """True when the request announces a body far larger than the limit allows (refused before
    reading any of it)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit + MULTIPART_SLACK
