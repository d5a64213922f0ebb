"""Serving a document back: to the person who sent it (here) and to case staff
(``civitas.casework.views.case.document``), both through ``document_response``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from civitas.applications import selectors, services
from civitas.applications.models import Document
from civitas.security.files import SEGMENT_SIZE


def document_response(document: Document) -> FileResponse:
    """The original file, decrypted as it streams, with the type, size and name it was sent with.
    A missing file and one that fails its integrity check (logged by ``open_document``) answer
    the same 404, never a half-sent file or an error trace."""
    try:
        stream = services.open_document(document)
    except services.DocumentUnavailable:
        raise Http404("No such document") from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    if "Content-Length" not in response:
        response["Content-Length"] = str(document.size)  # decrypted as it streams: not measurable
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response.block_size = SEGMENT_SIZE
    return response


@login_required
def download(request, reference: str, document_id: int):
    document = selectors.document_for(
        user=request.user, reference=reference, document_id=document_id
    )
    return document_response(document)
