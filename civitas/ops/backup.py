"""Backups: the database and both file targets in one archive, and restoring one.

An archive (``.tar.gz``) holds::

    manifest.json            format, when, database engine, migrations, a SHA-256 per member
    database.sqlite3         SQLite: a consistent copy made with SQLite's online backup API
    database.pgdump          PostgreSQL: pg_dump's custom format
    files/private/<name>     every file of the private target (documents, exports)
    files/public/<name>      every file of the public target (published datasets)

The database is copied first, then the files: files are never overwritten in place, so every file
the copied database refers to is in the archive (files added meanwhile are simply extra).

Restoring checks the whole archive (format, engine, every checksum) before it changes anything,
then replaces the database and makes each file target equal to the archive. Encryption keys are
not in the archive: keep them (and their history) in the key service, apart from backups.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from civitas.audit import services as audit

FORMAT = "civitas-backup/1"
TARGETS = {"private": "default", "public": "public"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why and nothing was changed."""


@dataclass
class Summary:
    path: Path
    engine: str
    files: dict[str, int]
    bytes: int


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def walk(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every file name in a storage (local folder or bucket), depth first."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for folder in sorted(folders):
        yield from walk(storage, f"{prefix}{folder}/")


class _HashingReader:
    """Reads a stream into the archive and hashes it on the way: files are never held whole."""

    def __init__(self, stream):
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


# --- database ------------------------------------------------------------------------------------


def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    sslmode = settings_dict.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _dump_database(workdir: Path) -> tuple[str, Path]:
    db = connections["default"]
    if db.vendor == "sqlite":
        target = workdir / "database.sqlite3"
        source = sqlite3.connect(f"file:{db.settings_dict['NAME']}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent snapshot even while others write (WAL)
        finally:
            copy.close()
            source.close()
        return "sqlite", target
    if db.vendor == "postgresql":
        target = workdir / "database.pgdump"
        args, env = _pg_env(db.settings_dict)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                *args,
                db.settings_dict["NAME"],
            ],
            env,
        )
        return "postgresql", target
    raise BackupError(f"backing up a {db.vendor} database is not supported")


def _restore_database(engine: str, dump: Path) -> None:
    db = connections["default"]
    if engine != db.vendor:
        raise BackupError(
            f"the archive holds a {engine} database but this instance uses {db.vendor}"
        )
    if engine == "sqlite":
        connections.close_all()
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(db.settings_dict["NAME"], timeout=30)
        try:
            source.backup(target)  # replaces every page of the live file, WAL included
        finally:
            target.close()
            source.close()
        return
    # Make the schema exactly the archive's: drop everything, then replay the dump, all in one
    # transaction, so a failure anywhere leaves the database as it was.
    args, env = _pg_env(db.settings_dict)
    script = dump.with_suffix(".sql")
    _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)], env)
    connections.close_all()
    _run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--command=DROP SCHEMA public CASCADE",
            "--command=CREATE SCHEMA public",
            f"--file={script}",
            *args,
            f"--dbname={db.settings_dict['NAME']}",
        ],
        env,
        failure="restoring the database failed and was rolled back (it is unchanged)",
    )


def _run(argv: list[str], env: dict, *, failure: str = "") -> None:
    program = shutil.which(argv[0])
    if program is None:
        raise BackupError(f"{argv[0]} is not installed: install the PostgreSQL client tools")
    result = subprocess.run(  # noqa: S603 - fixed programs, arguments from settings
        [program, *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{failure or argv[0] + ' failed'}: {result.stderr.strip()[:500]}")


# --- backup ----------------------------------------------------------------------------------------


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def create_backup(*, output: Path, include_files: bool = True, actor: str = "ops") -> Summary:
    """Write an archive of the database and file targets to ``output``."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():  # the archive contains the record of its own making
        audit.record(
            actor=actor,
            action="ops:backup:created",
            subject=("ops.backup", output.name),
            after={"files": include_files},
        )
    members: dict[str, str] = {}
    counts = dict.fromkeys(TARGETS, 0)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="civitas-backup-") as tmp:
        engine, dump = _dump_database(Path(tmp))
        with tarfile.open(partial, "w:gz") as archive:
            with dump.open("rb") as stream:
                members[dump.name] = _sha256(stream)
            archive.add(dump, arcname=dump.name)
            if include_files:
                for target, alias in TARGETS.items():
                    storage = storages[alias]
                    for name in walk(storage):
                        arcname = f"files/{target}/{name}"
                        info = tarfile.TarInfo(arcname)
                        info.size = storage.size(name)
                        info.mtime = int(timezone.now().timestamp())
                        with storage.open(name, "rb") as stream:
                            hashing = _HashingReader(stream)
                            archive.addfile(info, hashing)
                        members[arcname] = hashing.hexdigest()
                        counts[target] += 1
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "engine": engine,
                "migrations": _migrations(),
                "files": counts,
                "members": members,
            }
            raw = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(raw))
    os.replace(partial, output)  # a half-written archive never carries the final name
    output.chmod(0o600)
    return Summary(output, engine, counts, output.stat().st_size)


# --- restore ---------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    """Check an archive completely: format, every member present with the right checksum."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        with tarfile.open(path, "r:gz") as archive:
            try:
                manifest = json.load(archive.extractfile("manifest.json"))
            except KeyError:
                raise BackupError(f"{path} has no manifest.json: not a Civitas backup") from None
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path} is in format {manifest.get('format')!r}, not {FORMAT}")
            names = set(archive.getnames()) - {"manifest.json"}
            expected = set(manifest["members"])
            if names != expected:
                missing, extra = sorted(expected - names), sorted(names - expected)
                raise BackupError(
                    f"{path} does not match its manifest: missing {missing[:3]}, unexpected {extra[:3]}"
                )
            for member in archive.getmembers():
                if member.name == "manifest.json":
                    continue
                if (
                    not member.isfile()
                    or member.name.startswith("/")
                    or ".." in member.name.split("/")
                ):
                    raise BackupError(f"{path}: refusing the unsafe member {member.name!r}")
                if _sha256(archive.extractfile(member)) != manifest["members"][member.name]:
                    raise BackupError(f"{path}: {member.name} is damaged (checksum mismatch)")
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a readable backup archive ({exc})") from None
    return manifest


def restore_backup(*, path: Path, include_files: bool = True, actor: str = "ops") -> dict:
    """Replace the database (and file targets) with the archive's. Checks everything first."""
    manifest = read_manifest(path)
    dump_name = "database.sqlite3" if manifest["engine"] == "sqlite" else "database.pgdump"
    if manifest["engine"] != connections["default"].vendor:
        raise BackupError(
            f"the archive holds a {manifest['engine']} database but this instance uses "
            f"{connections['default'].vendor}"
        )
    with (
        tempfile.TemporaryDirectory(prefix="civitas-restore-") as tmp,
        tarfile.open(path, "r:gz") as archive,
    ):
        dump = Path(tmp) / dump_name
        with archive.extractfile(dump_name) as source, dump.open("wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        _restore_database(manifest["engine"], dump)
        if include_files:
            for target_name, alias in TARGETS.items():
                _restore_files(archive, storages[alias], f"files/{target_name}/", manifest)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="ops:backup:restored",
            subject=("ops.backup", Path(path).name),
            after={"created_at": manifest["created_at"], "files": include_files},
        )
    return manifest


def _restore_files(archive: tarfile.TarFile, storage: Storage, prefix: str, manifest: dict) -> None:
    wanted = {name[len(prefix) :] for name in manifest["members"] if name.startswith(prefix)}
    for name in list(walk(storage)):
        if name not in wanted:
            storage.delete(name)
    for name in sorted(wanted):
        if storage.exists(name):
            storage.delete(name)
        with archive.extractfile(prefix + name) as stream:
            saved = storage.save(name, File(stream, name=name))
        if saved != name:
            raise BackupError(f"the storage renamed {name!r} to {saved!r} while restoring")
