"""On SQLite, store ballots in a WITHOUT ROWID table (ADR 0021).

An ordinary SQLite table keeps a hidden, ever-increasing rowid, which would remember the order in
which ballots were cast and so let it be matched with the order of the "has voted" markers. A
WITHOUT ROWID table is a B-tree ordered by its primary key — here a random UUID — so nothing in
the ballot table records the order of casting. PostgreSQL has no rowid; its physical order is
randomised when the vote closes (services.budgets.close_voting).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    ballot = apps.get_model("participation", "Ballot")
    table = ballot._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in ballot._meta.local_concrete_fields)
    create_sql, params = schema_editor.table_sql(ballot)
    schema_editor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}__rowid"')
    schema_editor.execute(f"{create_sql} WITHOUT ROWID", params)
    schema_editor.execute(
        f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{table}__rowid"'
    )
    schema_editor.execute(f'DROP TABLE "{table}__rowid"')
    for statement in schema_editor._model_indexes_sql(ballot):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
