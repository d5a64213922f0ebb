"""Documents: accepted formats judged from the content, size enforced while the upload streams,
virus-scanned when clamd is there, and a refused upload leaves nothing behind."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.urls import reverse

from civitas.applications import services
from civitas.applications.models import Document
from civitas.applications.uploads import SizeLimitedUploadHandler, sniff
from civitas.audit.models import AuditEvent
from tests.applications.clamd import EICAR
from tests.applications.conftest import pdf, png, stored_files
from tests.applications.journeys import send, start_online

MATERNITY = {
    "baby_born": "no",
    "due_date": (date.today() + timedelta(days=90)).strftime("%d/%m/%Y"),
    "bank_account": "CV12 3456 7890",
    "declaration": "yes",
}


@pytest.fixture
def draft(client, citizen, private_dir, no_scanner):
    client.force_login(citizen)
    return start_online(client, "maternity-care", MATERNITY)


def upload(
    client, draft, content: bytes, name: str, content_type: str, kind="pregnancy_or_birth_proof"
):
    url = reverse("applications:upload", args=[draft.reference, kind])
    return client.post(
        url, {"document": SimpleUploadedFile(name, content, content_type=content_type)}
    )


def test_formats_come_from_the_first_bytes():
    assert sniff(pdf()) == "pdf"
    assert sniff(png()) == "png"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert sniff(b"<html>") is None
    assert sniff(b"") is None


@pytest.mark.django_db
def test_the_documents_page_states_formats_and_size(client, draft):
    html = client.get(reverse("applications:documents", args=[draft.reference])).content.decode()
    assert "The file must be a PDF, PNG or JPEG and smaller than 5 MB." in html


@pytest.mark.django_db
def test_a_pdf_named_like_a_picture_is_kept_as_the_pdf_it_is(client, draft, private_dir):
    response = upload(client, draft, pdf(), "scan.png", "image/png")
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.file_format, document.content_type) == ("pdf", "application/pdf")
    assert document.original_name == "scan.png"
    assert document.scan_status == "not_scanned"
    [path] = stored_files(private_dir)
    assert path.read_bytes() != pdf(), "encrypted at rest (see test_documents_at_rest.py)"
    with services.open_document(document) as stream:
        assert stream.read() == pdf()
    assert "scan" not in path.name, "never the name the person gave"
    assert AuditEvent.objects.filter(action="applications:document:added").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just text", "certificate.pdf", "The selected file must be a PDF, PNG or JPEG"),
        (
            b"MZ\x90\x00 a program",
            "certificate.jpg",
            "The selected file must be a PDF, PNG or JPEG",
        ),
        (b"", "certificate.pdf", "The selected file is empty"),
    ],
)
def test_a_wrong_file_is_refused_with_what_to_do_and_nothing_kept(
    client, draft, private_dir, content, name, message
):
    response = upload(client, draft, content, name, "application/pdf")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(private_dir) == []


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_and_nothing_kept(client, draft, private_dir):
    too_big = pdf(5 * 1024 * 1024 + 1)
    response = upload(client, draft, too_big, "big.pdf", "application/pdf")
    assert response.status_code == 400
    assert "The selected file must be smaller than 5 MB" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(private_dir) == []


@pytest.mark.django_db
def test_a_body_announced_far_over_the_limit_is_refused_unread(client, draft, private_dir):
    response = upload(client, draft, pdf(6 * 1024 * 1024), "huge.pdf", "application/pdf")
    assert response.status_code == 413
    assert "smaller than 5 MB" in response.content.decode()
    assert stored_files(private_dir) == []


def test_the_size_limit_drops_a_file_as_soon_as_it_passes_the_limit():
    handler = SizeLimitedUploadHandler(limit=10)
    handler.new_file("document", "a.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"678901", 5)
    assert handler.too_large == {"document"}


@pytest.mark.django_db
def test_an_infected_file_is_refused_and_the_refusal_audited(client, draft, private_dir, clamd):
    response = upload(client, draft, pdf() + EICAR, "certificate.pdf", "application/pdf")
    assert response.status_code == 400
    assert "contains a virus" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(private_dir) == []
    refusal = AuditEvent.objects.get(action="applications:document:refused_infected")
    assert refusal.after["signature"] == "Eicar-Test-Signature"

    assert upload(client, draft, pdf(), "certificate.pdf", "application/pdf").status_code == 302
    assert Document.objects.get().scan_status == "clean"


@pytest.mark.django_db
def test_a_required_document_must_be_there_before_sending(client, draft, private_dir):
    refused = send(client, draft)
    assert refused.status_code == 400
    assert "Upload pregnancy certificate or birth certificate" in refused.content.decode()
    upload(client, draft, png(), "photo.png", "image/png")
    assert send(client, draft).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
    # once sent, documents stay with the application
    document = Document.objects.get()
    response = client.post(
        reverse("applications:remove_document", args=[draft.reference, document.pk])
    )
    assert response.status_code == 302
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.django_db
def test_a_draft_document_can_be_removed_and_its_file_goes(
    client, draft, private_dir, django_capture_on_commit_callbacks
):
    upload(client, draft, png(), "photo.png", "image/png")
    document = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:remove_document", args=[draft.reference, document.pk]))
    assert not Document.objects.exists()
    assert stored_files(private_dir) == []


@pytest.mark.django_db
def test_someone_else_cannot_upload_to_my_draft(client, draft, other_citizen, private_dir):
    client.force_login(other_citizen)
    response = upload(client, draft, pdf(), "x.pdf", "application/pdf")
    assert response.status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_uploads_keep_the_csrf_check(draft, citizen, private_dir):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    page = browser.get(reverse("applications:documents", args=[draft.reference])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    url = reverse("applications:upload", args=[draft.reference, "pregnancy_or_birth_proof"])
    forged = browser.post(url, {"document": SimpleUploadedFile("a.pdf", pdf(), "application/pdf")})
    assert forged.status_code == 403
    assert not Document.objects.exists()
    big = browser.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "document": SimpleUploadedFile("a.pdf", pdf(5 * 1024 * 1024 + 10), "application/pdf"),
        },
    )
    assert "smaller than 5 MB" in big.content.decode()
    sent = browser.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "document": SimpleUploadedFile("a.pdf", pdf(), "application/pdf"),
        },
    )
    assert sent.status_code == 302
    assert Document.objects.count() == 1
