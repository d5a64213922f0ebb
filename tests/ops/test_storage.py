"""The private and public targets on S3-compatible object storage (django-storages), against a
real S3 server (moto in server mode) on 127.0.0.1: switched by environment variables alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.base import ContentFile

from civitas.config.env import ConfigurationError
from civitas.ops.backup import walk
from civitas.ops.envconfig import storage_from_url
from tests.conftest import free_port
from tests.ops.conftest import civitas


@pytest.fixture(scope="module")
def s3_server():
    program = shutil.which("moto_server", path=os.path.dirname(sys.executable))
    if program is None:
        pytest.skip("moto[server] is not installed")
    port = free_port()
    server = subprocess.Popen(
        [program, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            assert time.monotonic() < deadline, "the S3 server did not start"
            time.sleep(0.2)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="civitas",
        aws_secret_access_key="civitas-secret",
        region_name="us-east-1",
    )
    for bucket in ("civitas-private", "civitas-public"):
        client.create_bucket(Bucket=bucket)
    try:
        yield {"endpoint": endpoint, "client": client}
    finally:
        server.terminate()
        server.wait(timeout=10)


def url(server, bucket: str, prefix: str) -> str:
    return (
        f"s3://civitas:civitas-secret@{bucket}/{prefix}?endpoint_url={server['endpoint']}"
        "&region=us-east-1&addressing_style=path"
    )


def make_storage(config: dict):
    from storages.backends.s3 import S3Storage

    return S3Storage(**config["OPTIONS"])


def test_private_files_are_stored_in_the_bucket_and_only_reachable_by_signed_url(s3_server):
    config = storage_from_url(
        url(s3_server, "civitas-private", "prod"), variable="PRIVATE_STORAGE_URL", public=False
    )
    storage = make_storage(config)
    name = storage.save("documents/2026/payslip.pdf", ContentFile(b"%PDF personal"))
    assert name == "documents/2026/payslip.pdf"
    head = s3_server["client"].head_object(Bucket="civitas-private", Key=f"prod/{name}")
    assert head["CacheControl"] == "private, no-store"
    with storage.open(name) as stream:
        assert stream.read() == b"%PDF personal"
    again = storage.save("documents/2026/payslip.pdf", ContentFile(b"second"))
    assert again != name, "a file is never overwritten in place"
    assert sorted(walk(storage)) == sorted([name, again])

    signed = storage.url(name)
    query = parse_qs(urlparse(signed).query)
    assert "X-Amz-Signature" in query or "Signature" in query
    assert int(query.get("X-Amz-Expires", ["300"])[0]) <= 300
    storage.delete(name)
    assert not storage.exists(name)


def test_public_files_have_plain_cacheable_urls(s3_server):
    config = storage_from_url(
        url(s3_server, "civitas-public", "open") + "&custom_domain=data.example.gov",
        variable="PUBLIC_STORAGE_URL",
        public=True,
    )
    storage = make_storage(config)
    name = storage.save("datasets/benefits.csv", ContentFile(b"region,count\n"))
    assert storage.url(name) == "https://data.example.gov/open/datasets/benefits.csv"
    head = s3_server["client"].head_object(Bucket="civitas-public", Key=f"open/{name}")
    assert head["CacheControl"].startswith("public")


def test_environment_variables_switch_both_targets_to_object_storage(s3_server, instance_env):
    env = {
        **instance_env,
        "PRIVATE_STORAGE_URL": url(s3_server, "civitas-private", "switch"),
        "PUBLIC_STORAGE_URL": url(s3_server, "civitas-public", "switch"),
    }
    script = (
        "import json\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import storages\n"
        "a = storages['default'].save('a.txt', ContentFile(b'private'))\n"
        "b = storages['public'].save('b.txt', ContentFile(b'public'))\n"
        "print(json.dumps([type(storages['default']).__name__, a, b]))\n"
    )
    out = civitas("shell", "--no-imports", "-c", script, env=env).stdout
    kind, private_name, public_name = json.loads(out.strip().splitlines()[-1])
    assert kind == "S3Storage"
    client = s3_server["client"]
    private = client.get_object(Bucket="civitas-private", Key=f"switch/{private_name}")
    public = client.get_object(Bucket="civitas-public", Key=f"switch/{public_name}")
    assert (private["Body"].read(), public["Body"].read()) == (b"private", b"public")


def test_storage_urls_are_checked_and_secrets_kept_out_of_errors():
    with pytest.raises(ConfigurationError, match="PRIVATE_STORAGE_URL") as error:
        storage_from_url("ftp://user:hunter2@host/x", variable="PRIVATE_STORAGE_URL", public=False)
    assert "hunter2" not in str(error.value)
    with pytest.raises(ConfigurationError, match="unknown option"):
        storage_from_url("s3://b/p?colour=blue", variable="PUBLIC_STORAGE_URL", public=True)
    with pytest.raises(ConfigurationError, match="custom_domain"):
        storage_from_url(
            "s3://b/p?custom_domain=x.org", variable="PRIVATE_STORAGE_URL", public=False
        )
    local = storage_from_url("file:///srv/private", variable="PRIVATE_STORAGE_URL", public=False)
    assert local["OPTIONS"]["location"] == "/srv/private"
