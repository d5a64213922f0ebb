"""Files staged through the GovStack Registration API: sealed at rest with nothing in clear (bytes or
name), attached as ordinary encrypted documents through the portal's checks, deleted once
attached, purged when never attached; the API's answers stay those of the published document."""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from civitas.applications.models import Application, Document
from civitas.applications.services import open_document
from civitas.casework import services
from civitas.casework.govstack import staging
from civitas.casework.govstack.ids import service_id
from civitas.casework.models import ApiClient
from civitas.registry.models import Person
from civitas.security import files
from tests.applications import conftest as applying
from tests.applications.clamd import EICAR
from tests.casework.conftest import program
from tests.casework.test_govstack import BB, IM, ROOT, call

NAME = "amina-birth-certificate.pdf"
# the applications tests' fixtures: the private storage in a folder per test, a clamd peer
private_dir, clamd, no_scanner = applying.private_dir, applying.clamd, applying.no_scanner


@pytest.fixture
def operator(caseworker, scoped, private_dir):
    _client, token = services.register_api_client(
        name="Registry hub", im_client=IM, acts_as=caseworker, actor="tests", may_submit=True
    )
    return {"HTTP_INFORMATION_MEDIATOR_CLIENT": IM, "HTTP_AUTHORIZATION": f"Bearer {token}"}


def certificate(size: int = 200 * 1024) -> bytes:
    """A PDF with a random body (no 16 bytes of it appear in ciphertext by chance), a few
    segments long."""
    return b"%PDF-1.4\n" + secrets.token_bytes(size) + b"\n%%EOF\n"


def stage(client, operator, content: bytes, name: str = NAME) -> str:
    response = call(
        client,
        operator,
        "POST",
        "/documents",
        "/documents",
        data={"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        QUERY_STRING="additionalMetadata=birth_certificates",
    )
    assert response.status_code == 200, response.content
    return response.json()["url"]


def send(client, operator, citizen, urls: list[str]):
    body = {
        "applicantId": Person.objects.get(account=citizen).national_id,
        "formData": {
            "data": {
                "children_count": {"value": 2},
                "household_income": "950.00",
                "bank_account": "CV12 3456 7890",
                "declaration": "yes",
            }
        },
        "documentUrls": urls,
    }
    sid = service_id(program("child-benefit"))
    response = client.post(
        f"{ROOT}/services/{sid}/applications",
        data=body,
        content_type="application/json",
        **operator,
    )
    if (
        response.status_code == 200
    ):  # refusals are 400 systemErrors, as before (not in the document)
        BB.check("/services/{serviceId}/applications", "post", response)
    return response


def staged_path(private_dir, url: str):
    client = ApiClient.objects.get(im_client=IM)
    return private_dir / staging.UPLOADS / str(client.pk) / url.rsplit(":", 1)[-1]


def every_file(private_dir) -> list:
    return sorted(p for p in private_dir.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_a_staged_file_is_ciphertext_and_its_name_is_not_kept_in_clear(
    client, operator, private_dir
):
    content = certificate()
    url = stage(client, operator, content)
    path = staged_path(private_dir, url)
    assert every_file(private_dir) == [path], "one sealed object, no side file"
    stored = path.read_bytes()
    assert stored.startswith(files.MAGIC)
    assert content[100:116] not in stored and b"%PDF" not in stored
    assert NAME.encode() not in stored and b"birth_certificates" not in stored


@pytest.mark.django_db
def test_attaching_makes_an_encrypted_document_and_deletes_the_staged_copy(
    client, operator, citizen, private_dir, no_scanner, django_capture_on_commit_callbacks
):
    content = certificate()
    url = stage(client, operator, content)
    path = staged_path(private_dir, url)
    with django_capture_on_commit_callbacks(execute=True):
        created = send(client, operator, citizen, [url])
    assert created.status_code == 200, created.content
    application = Application.objects.get(reference=created.json()["fileId"])
    document = application.documents.get()
    assert (document.requirement, document.original_name) == ("birth_certificates", NAME)
    assert document.encrypted and document.size == len(content)
    assert (document.file_format, document.scan_status) == ("pdf", "not_scanned")
    at_rest = (private_dir / document.file.name).read_bytes()
    assert at_rest.startswith(files.MAGIC) and content[100:116] not in at_rest
    with open_document(document) as stream:
        assert stream.read() == content
    assert not path.exists(), "the staged copy goes once the application is stored"
    assert every_file(private_dir) == [private_dir / document.file.name]

    again = send(client, operator, citizen, [url])
    assert again.json()["fileId"] == application.reference, "the same request is still one file"
    other = send(client, operator, citizen, [url, "urn:civitas:upload:nope"])
    assert other.status_code == 400 and "unknown document" in other.json()["message"]


@pytest.mark.django_db
def test_the_virus_scan_and_sniffing_see_the_plaintext_when_it_is_attached(
    client, operator, citizen, private_dir, clamd, django_capture_on_commit_callbacks
):
    content = certificate()
    clean = stage(client, operator, content)
    infected = stage(client, operator, b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n", "virus.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        refused = send(client, operator, citizen, [clean, infected])
    assert refused.status_code == 400 and "virus" in refused.json()["message"]
    assert not Document.objects.exists()
    # nothing half-done: the clean file's document went with the rollback, both staged copies stay
    assert every_file(private_dir) == sorted(
        [staged_path(private_dir, clean), staged_path(private_dir, infected)]
    )
    assert any(received == content for received, _chunks in clamd.streams)
    with django_capture_on_commit_callbacks(execute=True):
        created = send(client, operator, citizen, [clean])
    assert created.status_code == 200
    assert Document.objects.get().scan_status == "clean"


@pytest.mark.django_db
def test_an_altered_or_moved_staged_file_is_refused_and_logged(
    client, operator, citizen, private_dir, caplog
):
    first, second = stage(client, operator, certificate()), stage(client, operator, certificate())
    # the second client's token now names the first one's file: bound to its token, it fails
    staged_path(private_dir, second).write_bytes(staged_path(private_dir, first).read_bytes())
    altered = bytearray(staged_path(private_dir, first).read_bytes())
    altered[-100] ^= 1
    staged_path(private_dir, first).write_bytes(bytes(altered))
    for url in (first, second):
        with caplog.at_level(logging.ERROR, logger="civitas.casework.govstack.staging"):
            refused = send(client, operator, citizen, [url])
        assert refused.status_code == 400, refused.content
        assert "upload it again" in refused.json()["message"]
        assert "cannot be read" in caplog.text
        caplog.clear()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_file_staged_in_clear_by_an_earlier_version_is_attached_then_removed(
    client, operator, citizen, private_dir, django_capture_on_commit_callbacks
):
    api_client = ApiClient.objects.get(im_client=IM)
    token, content = secrets.token_hex(16), certificate()
    storage = storages["default"]
    storage.save(f"{staging.UPLOADS}/{api_client.pk}/{token}", ContentFile(content))
    storage.save(
        f"{staging.UPLOADS}/{api_client.pk}/{token}.json",
        ContentFile(json.dumps({"requirement": "birth_certificates", "name": NAME}).encode()),
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = send(client, operator, citizen, [f"urn:civitas:upload:{token}"])
    assert created.status_code == 200, created.content
    document = Document.objects.get()
    assert document.encrypted and document.original_name == NAME
    with open_document(document) as stream:
        assert stream.read() == content
    assert every_file(private_dir) == [private_dir / document.file.name]


@pytest.mark.django_db
def test_staged_files_never_attached_are_purged_after_the_retention_period(
    client, operator, private_dir
):
    old, fresh = stage(client, operator, certificate()), stage(client, operator, certificate())
    legacy = staged_path(private_dir, old).with_name("0123abcd.json")  # an earlier side file
    legacy.write_bytes(b'{"requirement": "", "name": "x.pdf"}')
    three_days_ago = time.time() - 3 * 86400
    for path in (staged_path(private_dir, old), legacy):
        os.utime(path, (three_days_ago, three_days_ago))
    assert staging.purge_staged_uploads(timedelta(days=2)) == 2
    assert every_file(private_dir) == [staged_path(private_dir, fresh)]
    assert staging.purge_staged_uploads(timedelta(days=2)) == 0


@pytest.mark.django_db
def test_purging_with_nothing_staged_does_nothing(private_dir):
    assert staging.purge_staged_uploads(timedelta(0)) == 0


@pytest.mark.django_db
def test_refusals_at_upload_keep_their_answers_and_leave_nothing(client, operator, private_dir):
    for data in (
        {"file": SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")},
        {"file": SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")},
        {},
    ):
        refused = client.post(f"{ROOT}/documents", data=data, **operator)
        assert refused.status_code == 400 and refused.json()["code"] == "BAD_FILE"
        BB.check("/documents", "post", refused)
    assert every_file(private_dir) == []


@pytest.mark.django_db
def test_the_daily_purge_job_removes_staged_files_past_their_period(client, operator, private_dir):
    from civitas.ops.retention import purge

    old, fresh = stage(client, operator, certificate()), stage(client, operator, certificate())
    three_days_ago = time.time() - 3 * 86400
    os.utime(staged_path(private_dir, old), (three_days_ago, three_days_ago))
    assert purge()["govstack_uploads"] == 1  # the default period is two days
    assert every_file(private_dir) == [staged_path(private_dir, fresh)]
