"""Key rotation: re-encrypt and re-hash every value still under a key that is no longer active.

Runs in batches, each in its own short transaction with the rows locked, so the service keeps
running while it works and an interrupted run simply continues where it stopped when run again.

Files encrypted with the same keys (``civitas.security.files``) are rewritten by the app that owns
them: it registers a function with ``register_file_rotation`` (``applications.Document`` does, in
its app's ``ready()``), and ``rotate`` runs it after the fields, so one command moves everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from civitas.security import crypto
from civitas.security.fields import encrypted_fields, hash_fields


@dataclass
class RotationStats:
    model: str
    rows: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    kind: str = "fields"  # or "files": ``rows`` files checked, ``reencrypted`` files rewritten
    failed: int = 0  # files that could not be read (missing or altered): they keep their old key


# model label -> function(batch_size=, dry_run=, progress=) -> RotationStats
FileRotation = Callable[..., RotationStats]
_file_rotations: dict[str, FileRotation] = {}


def register_file_rotation(label: str, function: FileRotation) -> None:
    """Have ``rotate`` also call ``function`` to rewrite the files of model ``label`` (files sealed
    with ``civitas.security.files`` under an old key, or not yet encrypted)."""
    _file_rotations[label] = function


def models_with_protected_fields() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if encrypted_fields(m) or hash_fields(m)]


def rotate(
    *,
    targets: Iterable[type[models.Model]] | None = None,
    batch_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[RotationStats], None] | None = None,
) -> list[RotationStats]:
    active_enc = crypto.encryption_keys().active_id
    active_hash = crypto.hash_keys().active_id
    results = []
    targets = list(targets) if targets is not None else None
    for model in targets if targets is not None else models_with_protected_fields():
        stats = RotationStats(model._meta.label)
        enc, hashes = encrypted_fields(model), hash_fields(model)
        if not enc and not hashes and model._meta.label in _file_rotations:
            continue  # only files: rewritten below
        raw = {f"_raw_{f.attname}": Cast(f.attname, models.TextField()) for f in [*enc, *hashes]}
        last_pk = None
        while True:
            with transaction.atomic():
                rows = model._base_manager.order_by("pk").annotate(**raw)
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.select_for_update()[:batch_size])
                for row in batch:
                    changes = {}
                    for field in enc:
                        token = getattr(row, f"_raw_{field.attname}")
                        if token is not None and crypto.key_id_of(token) != active_enc:
                            changes[field.attname] = getattr(row, field.attname)
                            stats.reencrypted += 1
                    for field in hashes:
                        token = getattr(row, f"_raw_{field.attname}")
                        if token is not None and crypto.key_id_of(token) != active_hash:
                            changes[field.attname] = field.hash_of(getattr(row, field.source))
                            stats.rehashed += 1
                    if changes and not dry_run:
                        model._base_manager.filter(pk=row.pk).update(**changes)
                stats.rows += len(batch)
            if progress is not None:
                progress(stats)
            if len(batch) < batch_size:
                break
            last_pk = batch[-1].pk
        results.append(stats)
    labels = None if targets is None else {model._meta.label for model in targets}
    for label, rotate_files in _file_rotations.items():
        if labels is None or label in labels:
            results.append(rotate_files(batch_size=batch_size, dry_run=dry_run, progress=progress))
    return results
