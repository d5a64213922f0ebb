"""A data migration step that encrypts the values a column already holds (and fills its hashes).

Used when a plain field becomes an encrypted one: the schema change turns the column into text,
then this step reads each row's raw value, encrypts it with the active key and writes the keyed
hashes of the fields that search it. It works in batches of rows by primary key, skips values
already encrypted (a re-run after an interruption continues), and runs backwards too: decrypting
puts the plaintext back so the reverse schema change can restore the old column type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations

from civitas.security import crypto
from civitas.security.fields import HashIndexField

TRUE_TEXT = {"1", "t", "true", "True", "TRUE"}


def as_bool(raw: Any) -> bool:
    """A boolean as a database left it in a text column (PostgreSQL 'true', SQLite 1)."""
    return raw is True or raw == 1 or str(raw) in TRUE_TEXT


def as_text(raw: Any) -> str:
    return str(raw)


def encrypt_existing(
    app_label: str,
    model_name: str,
    fields: dict[str, Callable[[Any], Any]],
    *,
    batch_size: int = 2000,
) -> migrations.RunPython:
    """``fields``: name of each encrypted field -> how to read its old raw value."""

    def rows(model, connection, columns):
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        last = None
        while True:
            where = "" if last is None else "WHERE id > %s "
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {names} FROM {table} {where}ORDER BY id LIMIT %s",  # noqa: S608 - our own names
                    ([] if last is None else [last]) + [batch_size],
                )
                batch = cursor.fetchall()
            if not batch:
                return
            yield batch
            last = batch[-1][0]

    def update(model, connection, columns, values):
        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", values)  # noqa: S608

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        encrypted = [model._meta.get_field(name) for name in fields]
        hashes = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, HashIndexField) and f.source in fields
        ]
        columns = [f.column for f in encrypted]
        for batch in rows(model, connection, columns):
            changes = []
            for pk, *raws in batch:
                if all(r is None or str(r).startswith(crypto.PREFIX + ":") for r in raws):
                    continue  # already done (or nothing to encrypt)
                plain = {
                    f.name: None if raw is None else fields[f.name](raw)
                    for f, raw in zip(encrypted, raws, strict=True)
                }
                tokens = [f.get_prep_value(plain[f.name]) for f in encrypted]
                digests = [h.hash_of(plain[h.source]) for h in hashes]
                changes.append((*tokens, *digests, pk))
            if changes:
                update(model, connection, columns + [h.column for h in hashes], changes)

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        encrypted = [model._meta.get_field(name) for name in fields]
        columns = [f.column for f in encrypted]
        for batch in rows(model, connection, columns):
            changes = []
            for pk, *tokens in batch:
                # the plaintext is the value's text form ("1"/"0", JSON...), which the old
                # column type reads back when the reverse schema change casts it
                plain = [
                    token
                    if token is None or not str(token).startswith(crypto.PREFIX + ":")
                    else crypto.decrypt(token, context=field.encryption_context())
                    for field, token in zip(encrypted, tokens, strict=True)
                ]
                changes.append((*plain, pk))
            if changes:
                update(model, connection, columns, changes)

    return migrations.RunPython(forward, backward)
