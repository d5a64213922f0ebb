"""Key rotation: re-encrypt and re-hash every value still under a key that is no longer active.

Runs in batches, each in its own short transaction with the rows locked, so the service keeps
running while it works and an interrupted run simply continues where it stopped when run again.
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
    for model in targets if targets is not None else models_with_protected_fields():
        stats = RotationStats(model._meta.label)
        enc, hashes = encrypted_fields(model), hash_fields(model)
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
    return results
