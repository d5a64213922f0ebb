"""Uploaded documents are encrypted at rest by Civitas itself: the private storage (a local folder
here, an S3 bucket in the last test) holds ciphertext under the field-encryption keys, the owner and
case staff get the original bytes back, old keys keep opening old files until `rotate-keys`
rewrites them, files stored before encryption still open, and an altered file is refused."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from civitas.applications import services
from civitas.applications.models import Document
from civitas.security import crypto, files
from tests.applications.conftest import pdf, png, stored_files
from tests.applications.journeys import send, start_online
from tests.ops.test_storage import s3_server, url  # noqa: F401 - the moto S3 server fixture

OLD_KEY = "k2025:" + "A" * 43
NEW_KEY = "k2026:" + "B" * 43


def dev_key() -> str:
    """The key tests run with (derived from SECRET_KEY): the demo country was written with it."""
    return "dev:" + base64.b64encode(crypto.encryption_keys().get("dev")).decode()


MATERNITY = {
    "baby_born": "no",
    "due_date": (date.today() + timedelta(days=90)).strftime("%d/%m/%Y"),
    "bank_account": "CV12 3456 7890",
    "declaration": "yes",
}
KIND = "pregnancy_or_birth_proof"


@pytest.fixture
def draft(client, citizen, private_dir, no_scanner):
    client.force_login(citizen)
    return start_online(client, "maternity-care", MATERNITY)


def upload(client, draft, content: bytes, name: str = "certificate.pdf") -> Document:
    response = client.post(
        reverse("applications:upload", args=[draft.reference, KIND]),
        {"document": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Document.objects.filter(application=draft).latest("pk")


def download(client, document: Document):
    return client.get(
        reverse("applications:document", args=[document.application.reference, document.pk])
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored_bytes(private_dir, document: Document) -> bytes:
    return (private_dir / document.file.name).read_bytes()


def a_certificate(size: int = 300 * 1024) -> bytes:
    """A PDF whose body is random, so no 16 bytes of it can appear in ciphertext by chance; several
    64 KiB segments long."""
    head = b"%PDF-1.4\n"
    return head + os.urandom(size - len(head))


@pytest.mark.django_db
def test_the_storage_holds_ciphertext_and_the_owner_gets_the_original_back(
    client, draft, private_dir
):
    original = a_certificate()
    document = upload(client, draft, original, name="Scan de l'échographie.pdf")

    assert (document.encrypted, document.key_id) == (True, "dev")
    [path] = stored_files(private_dir)
    at_rest = path.read_bytes()
    assert path.suffix == ".enc", "the stored name does not claim to be a PDF"
    assert at_rest.startswith(files.MAGIC) and files.key_id_of(at_rest) == "dev"
    assert b"%PDF" not in at_rest and original[1000:1032] not in at_rest
    assert len(at_rest) < len(original) + 1024, "a small, fixed overhead per 64 KiB segment"

    response = download(client, document)
    assert response.status_code == 200 and response.streaming
    assert body(response) == original
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(original))
    assert response["Content-Disposition"].startswith("attachment;")
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''Scan%20de%20l%27%C3%A9chographie.pdf" in disposition
    assert response["Cache-Control"] == "private, no-store"
    page = client.get(reverse("applications:documents", args=[draft.reference])).content.decode()
    assert reverse("applications:document", args=[draft.reference, document.pk]) in page


@pytest.mark.django_db
def test_sniffing_and_the_virus_scanner_see_the_plaintext_before_it_is_encrypted(
    client, draft, private_dir, clamd
):
    original = a_certificate(100 * 1024)
    document = upload(client, draft, original)
    [(scanned, _chunks)] = clamd.streams
    assert scanned == original, "clamd received the file as sent"
    assert (document.file_format, document.scan_status) == ("pdf", "clean")
    assert stored_bytes(private_dir, document) != original


@pytest.mark.django_db
def test_staff_on_the_case_download_it_and_nobody_else_does(
    client, draft, private_dir, caseworker, other_citizen
):
    from civitas.accounts.testing import sign_in_staff
    from civitas.casework.demo import grant_demo_scopes

    original = png()
    upload(client, draft, original, name="photo.png")
    assert send(client, draft).status_code == 302
    document = Document.objects.get()
    assert download(client, document).status_code == 200, "the owner, after sending"

    client.logout()
    client.force_login(other_citizen)
    assert download(client, document).status_code == 404

    grant_demo_scopes()
    client.logout()
    sign_in_staff(client, caseworker)
    staff_url = reverse("casework:document", args=[draft.reference, document.pk])
    response = client.get(staff_url)
    assert response.status_code == 200
    assert body(response) == original
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(original))
    assert 'filename="photo.png"' in response["Content-Disposition"]
    from civitas.audit.models import AuditEvent

    read = AuditEvent.objects.get(action="casework:document:read")  # staff reads are kept
    assert (read.actor_id, read.subject_id) == (caseworker.pk, str(document.pk))
    assert read.after == {"application": draft.reference, "requirement": document.requirement}
    case_page = client.get(reverse("casework:case", args=[draft.reference])).content.decode()
    assert staff_url in case_page
    missing = reverse("casework:document", args=[draft.reference, document.pk + 1])
    assert client.get(missing).status_code == 404


@pytest.mark.django_db
def test_old_keys_keep_opening_old_files_and_rotation_rewrites_them(
    client, citizen, private_dir, no_scanner, django_capture_on_commit_callbacks, capsys
):
    client.force_login(citizen)
    first = a_certificate()
    dev = dev_key()
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[OLD_KEY, dev]):
        draft = start_online(client, "maternity-care", MATERNITY)
        old = upload(client, draft, first)
        assert old.key_id == "k2025"
    old_name = old.file.name

    second = a_certificate(70 * 1024)
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY, dev]):
        assert body(download(client, old)) == first, "the old key still opens the old file"
        new = upload(client, draft, second)
        assert new.key_id == "k2026"
        assert files.key_id_of(stored_bytes(private_dir, new)) == "k2026"

        call_command("security", "rotate-keys", "--dry-run")
        assert "applications.Document files: 2 checked, would rewrite 1" in capsys.readouterr().out
        with django_capture_on_commit_callbacks(execute=True):
            call_command("security", "rotate-keys")
        assert "applications.Document files: 2 checked, rewrote 1" in capsys.readouterr().out

        old.refresh_from_db()
        assert (old.encrypted, old.key_id) == (True, "k2026")
        assert old.file.name != old_name
        assert not (private_dir / old_name).exists(), "the old file goes once the row moved"
        assert len(stored_files(private_dir)) == 2
        assert files.key_id_of(stored_bytes(private_dir, old)) == "k2026"

        with django_capture_on_commit_callbacks(execute=True):
            call_command("security", "rotate-keys")
        assert "2 checked, rewrote 0" in capsys.readouterr().out, "nothing left to do"

    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        # the old keys are gone (every field moved too): both documents still open
        assert body(download(client, old)) == first
        assert body(download(client, new)) == second


@pytest.mark.django_db
def test_an_altered_file_is_refused_with_not_found_and_logged(
    client, draft, private_dir, caplog, django_capture_on_commit_callbacks
):
    original = a_certificate()
    document = upload(client, draft, original)
    other = upload(client, draft, a_certificate())
    path = private_dir / document.file.name
    intact = path.read_bytes()

    caplog.set_level(logging.ERROR, logger="civitas.applications")

    def logged() -> str:
        [record] = [r for r in caplog.records if r.name.startswith("civitas.applications")]
        return record.getMessage()

    for altered in (
        intact[:-1] + bytes([intact[-1] ^ 1]),  # one bit of the last segment
        intact[: 200 * 1024],  # cut short
        intact + intact[-1000:],  # bytes added
        stored_bytes(private_dir, other),  # another document's file put in its place
    ):
        path.write_bytes(altered)
        caplog.clear()
        response = download(client, document)
        assert response.status_code == 404
        assert b"Traceback" not in response.content
        assert f"document {document.pk}: " in logged() and "integrity check" in logged()

    path.write_bytes(intact)
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        # the key that sealed it is no longer configured: refused the same way, and the rotation
        # says so and leaves the file alone
        caplog.clear()
        with pytest.raises(services.DocumentUnavailable):
            services.open_document(Document.objects.get(pk=document.pk))
        assert "'dev' is not configured" in logged()
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(CommandError, match="could not be read"),
        ):
            call_command("security", "rotate-keys", "--model", "applications.Document")
    assert path.read_bytes() == intact
    assert len(stored_files(private_dir)) == 2, "no half-written file left behind"
    assert body(download(client, document)) == original


def legacy_document(application, content: bytes, *, sha256: str | None = None) -> Document:
    """A document as stored before encryption at rest: the file in clear, ``encrypted`` false."""
    import hashlib

    name = storages["default"].save(
        f"documents/{application.reference}/{secrets.token_hex(16)}.pdf", ContentFile(content)
    )
    return Document.objects.create(
        application=application,
        requirement=KIND,
        original_name="old-payslip.pdf",
        file_format="pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=sha256 or hashlib.sha256(content).hexdigest(),
        file=name,
        scan_status="not_scanned",
        uploaded_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_document_stored_in_clear_still_opens_and_rotation_encrypts_it(
    client, draft, private_dir, django_capture_on_commit_callbacks
):
    original = pdf(90 * 1024)
    legacy = legacy_document(draft, original)
    tampered = legacy_document(draft, pdf(2000), sha256="0" * 64)
    response = download(client, legacy)
    assert response.status_code == 200
    assert body(response) == original, "served as stored"
    assert response["Content-Length"] == str(len(original))

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="1 files could not be read"),
    ):
        call_command("security", "rotate-keys")
    legacy.refresh_from_db()
    tampered.refresh_from_db()
    assert legacy.encrypted and legacy.file.name.endswith(".enc")
    assert b"%PDF" not in stored_bytes(private_dir, legacy)
    assert body(download(client, legacy)) == original
    assert not tampered.encrypted, "a file that differs from its upload is not rewritten"
    assert sorted(p.suffix for p in stored_files(private_dir)) == [".enc", ".pdf"]


@pytest.mark.django_db
def test_a_document_removed_or_erased_takes_its_encrypted_file_along(
    client, draft, private_dir, django_capture_on_commit_callbacks
):
    document = upload(client, draft, a_certificate())
    assert len(stored_files(private_dir)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:remove_document", args=[draft.reference, document.pk]))
    assert stored_files(private_dir) == []


@pytest.mark.django_db
def test_an_s3_stored_document_is_ciphertext_in_the_bucket(
    client,
    citizen,
    settings,
    no_scanner,
    s3_server,  # noqa: F811 - the fixture imported above
):
    from boto3.s3.transfer import TransferConfig
    from storages.backends.s3 import S3Storage

    from civitas.ops.envconfig import storage_from_url

    config = storage_from_url(
        url(s3_server, "civitas-private", "docs"), variable="PRIVATE_STORAGE_URL", public=False
    )
    settings.STORAGES = {**settings.STORAGES, "default": config}
    client.force_login(citizen)
    draft = start_online(client, "maternity-care", MATERNITY)
    original = a_certificate(5 * 1024 * 1024)  # the programme's limit
    document = upload(client, draft, original)

    bucket = s3_server["client"]
    stored = bucket.get_object(Bucket="civitas-private", Key=f"docs/{document.file.name}")
    at_rest = stored["Body"].read()
    assert at_rest.startswith(files.MAGIC) and b"%PDF" not in at_rest
    assert original[4096:4128] not in at_rest
    assert stored["ContentType"] == "application/octet-stream"
    assert body(download(client, document)) == original

    # a file past the multipart threshold goes up in parts, read from the encrypting stream
    parts = S3Storage(
        **{
            **config["OPTIONS"],
            "transfer_config": TransferConfig(
                multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024
            ),
        }
    )
    large = os.urandom(11 * 1024 * 1024 + 5)
    from django.core.files import File

    name = parts.save(
        "documents/large.enc", File(files.EncryptingReader(BytesIO(large), context="t"))
    )
    with parts.open(name, "rb") as stream:
        assert files.DecryptingReader(stream, context="t").read() == large
