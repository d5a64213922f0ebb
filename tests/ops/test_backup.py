"""`civitas backup` and `civitas restore`: what was backed up comes back exactly — rows, private
and public files, an intact audit chain — and a damaged archive is refused before anything changes."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from civitas.ops.backup import FORMAT, BackupError, read_manifest


def state() -> dict:
    from django.core.files.storage import storages

    from civitas.accounts.models import User
    from civitas.audit.services import verify_chain
    from civitas.ops.backup import walk

    return {
        "users": sorted(User.objects.values_list("email", "full_name")),
        "private": {
            name: storages["default"].open(name).read() for name in walk(storages["default"])
        },
        "public": sorted(walk(storages["public"])),
        "audit_ok": verify_chain().ok,
    }


@pytest.fixture
def file_targets(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "public")},
        },
    }


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_exactly_what_was_backed_up(file_targets, tmp_path, monkeypatch):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django.core.management import CommandError, call_command

    from civitas.accounts import services
    from civitas.accounts.models import User

    services.create_citizen(email="kept@example.org", password="a-long-password-1")
    storages["default"].save("documents/2026/payslip.pdf", ContentFile(b"%PDF private"))
    storages["public"].save("datasets/benefits.csv", ContentFile(b"region,count\nnorth,12\n"))
    before = state()
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", "--output", str(archive))
    with tarfile.open(archive) as tar:
        assert "files/private/documents/2026/payslip.pdf" in tar.getnames()
    assert oct(archive.stat().st_mode)[-3:] == "600", "backups hold personal data"

    User.objects.filter(email="kept@example.org").update(full_name="changed after the backup")
    services.create_citizen(email="later@example.org", password="a-long-password-2")
    storages["default"].delete("documents/2026/payslip.pdf")
    storages["default"].save("documents/2026/later.pdf", ContentFile(b"later"))
    assert state() != before

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(archive))

    call_command("restore", str(archive), "--yes")
    after = state()
    assert after == before
    assert after["audit_ok"]


def _archive(path, members: dict[str, bytes], *, manifest: dict | None = None) -> None:
    manifest = manifest or {
        "format": FORMAT,
        "created_at": "2026-01-01T00:00:00+00:00",
        "engine": "sqlite",
        "files": {"private": 0, "public": 0},
        "members": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {**members, "manifest.json": json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_sound_archive_passes_the_check(tmp_path):
    _archive(tmp_path / "ok.tar.gz", {"database.sqlite3": b"db", "files/private/a.pdf": b"a"})
    assert read_manifest(tmp_path / "ok.tar.gz")["engine"] == "sqlite"


def test_a_damaged_member_is_named(tmp_path):
    good = {"database.sqlite3": b"db", "files/private/a.pdf": b"original"}
    manifest = {
        "format": FORMAT,
        "created_at": "2026-01-01T00:00:00+00:00",
        "engine": "sqlite",
        "files": {"private": 1, "public": 0},
        "members": {name: hashlib.sha256(data).hexdigest() for name, data in good.items()},
    }
    _archive(
        tmp_path / "bad.tar.gz", {**good, "files/private/a.pdf": b"tampered"}, manifest=manifest
    )
    with pytest.raises(BackupError, match=r"files/private/a.pdf is damaged"):
        read_manifest(tmp_path / "bad.tar.gz")


def test_a_missing_member_is_named(tmp_path):
    manifest = {
        "format": FORMAT,
        "created_at": "x",
        "engine": "sqlite",
        "files": {},
        "members": {"database.sqlite3": "0" * 64, "files/public/d.csv": "0" * 64},
    }
    _archive(tmp_path / "short.tar.gz", {"database.sqlite3": b"db"}, manifest=manifest)
    with pytest.raises(BackupError, match="missing"):
        read_manifest(tmp_path / "short.tar.gz")


def test_unsafe_paths_are_refused(tmp_path):
    _archive(tmp_path / "evil.tar.gz", {"database.sqlite3": b"db", "files/../../etc/x": b"x"})
    with pytest.raises(BackupError, match="unsafe member"):
        read_manifest(tmp_path / "evil.tar.gz")


def test_something_else_is_not_taken_for_a_backup(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(BackupError, match="not a readable backup archive"):
        read_manifest(tmp_path / "notes.txt")
    with pytest.raises(BackupError, match="does not exist"):
        read_manifest(tmp_path / "nothing.tar.gz")
    _archive(tmp_path / "old.tar.gz", {}, manifest={"format": "other/9", "members": {}})
    with pytest.raises(BackupError, match="format"):
        read_manifest(tmp_path / "old.tar.gz")
