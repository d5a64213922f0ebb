"""Reads on the hot path, compiled to SQL once per process instead of on every request.

Django builds and compiles a queryset's SQL each time it is evaluated. For the one-row lookups
every API request makes (the bearer token, the idempotency key, the person, the programme in
force, the status read) compiling costs about four times what running the query does (measured:
~0.3 ms against ~0.07 ms), and was the largest single cost of a submission.

``Prepared`` takes a function that builds the queryset from its parameters, compiles it once
per database with sample values, remembers where each parameter sits in the SQL's parameters,
and from then on runs that SQL with the new values through ``Manager.raw``. ``raw`` still
applies every field's converters, so encrypted fields decrypt, dates parse and JSON loads exactly
as through the queryset (the tests compare both on SQLite and PostgreSQL).

``insert`` does the same for ``Model.objects.create`` on the models every submission writes.

Parameters are plain values as the database stores them (an ``int`` primary key, a ``str``),
never model instances, and each must be used once in the query. ``select_related`` cannot be
kept (whole rows of one model): make a second prepared lookup for the related row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router

SAMPLES = {
    int: lambda index: -7_300_001 - index,
    str: lambda index: f"\x1fprepared parameter {index}\x1f",
}


@dataclass(frozen=True)
class _Compiled:
    model: type[models.Model]
    alias: str
    sql: str
    constants: list[Any]
    slots: list[int]  # where each value goes among the parameters
    converters: dict[int, tuple[list, Any]]  # column -> (converter functions, expression)


class Prepared:
    """``Prepared(lambda pk, key: Model.objects.filter(...)[:1], int, str)``, then call it with
    the values: a list of model instances (``first`` for one or None)."""

    def __init__(self, build: Callable[..., models.QuerySet], *types: type):
        unknown = [t for t in types if t not in SAMPLES]
        if unknown:
            raise ImproperlyConfigured(f"Prepared parameters must be int or str, not {unknown}")
        self.build = build
        self.types = types
        self._compiled: dict[str, _Compiled] = {}

    def __call__(self, *values: Any, using: str | None = None) -> list[models.Model]:
        if len(values) != len(self.types):
            raise TypeError(f"expected {len(self.types)} values, got {len(values)}")
        compiled = self._compiled.get(using or "")
        if compiled is None:
            compiled = self._compiled[using or ""] = self._compile(using)
        params = list(compiled.constants)
        for slot, value, kind in zip(compiled.slots, values, self.types, strict=True):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"expected {kind.__name__}, got {value!r}")
            params[slot] = value
        connection = connections[compiled.alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            if compiled.converters:  # what the queryset would do: decrypt, parse dates, load JSON
                row = list(row)
                for index, (functions, expression) in compiled.converters.items():
                    value = row[index]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[index] = value
            found.append(compiled.model.from_db(compiled.alias, None, row))
        return found

    def first(self, *values: Any, using: str | None = None) -> models.Model | None:
        rows = self(*values, using=using)
        return rows[0] if rows else None

    def _compile(self, using: str | None) -> _Compiled:
        samples = [SAMPLES[kind](index) for index, kind in enumerate(self.types)]
        queryset = self.build(*samples)
        if using:
            queryset = queryset.using(using)
        model = queryset.model
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        columns = [column for column, _sql, _alias in compiler.select]
        if [getattr(c, "target", None) for c in columns] != list(model._meta.concrete_fields):
            raise ImproperlyConfigured(
                f"Prepared query {self.build!r} must read whole rows of one model "
                "(no select_related, only, values or annotations)"
            )
        params = list(params)
        slots = []
        for sample in samples:
            found = [i for i, param in enumerate(params) if param == sample]
            if len(found) != 1:
                raise ImproperlyConfigured(
                    f"Prepared query {self.build!r}: a parameter must appear exactly once in the "
                    f"compiled SQL's parameters (found {len(found)} times in {params!r})"
                )
            slots.append(found[0])
        # The converters depend on the fields and the database engine, not on the connection
        # object, so one set serves every thread's connection.
        converters = compiler.get_converters(columns)
        return _Compiled(model, queryset.db, sql, params, slots, converters)


_INSERTS: dict[tuple[type[models.Model], str], tuple[str, list[models.Field]]] = {}


def insert(obj: models.Model) -> models.Model:
    """Save the new ``obj`` as ``Model.objects.create`` would, with its INSERT built once per
    model and database. For models with an automatic primary key, no ``save()`` of their own and
    no save signals (the audit trail, applications, messages): those would be skipped here."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    statement = _INSERTS.get((model, alias))
    if statement is None:
        statement = _INSERTS[(model, alias)] = _insert_statement(model, connection)
    sql, fields = statement
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if connection.features.can_return_columns_from_insert:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
    return obj


def _insert_statement(model: type[models.Model], connection) -> tuple[str, list[models.Field]]:
    meta = model._meta
    if not isinstance(meta.pk, models.AutoField | models.BigAutoField):
        raise ImproperlyConfigured(f"insert() needs an automatic primary key: {meta.label}")
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk and not f.generated]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    if connection.features.can_return_columns_from_insert:
        returning, _ = connection.ops.return_insert_columns([meta.pk])
        sql = f"{sql} {returning}"
    return sql, fields
