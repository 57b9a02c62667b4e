"""The full-text document column and the trigram index, on PostgreSQL only (SQLite searches with a
Python fallback). See knowledge/search_sql.py for why they live outside the model's state."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def create(apps, schema_editor):
    from knowledge.search_sql import CREATE_SQL

    _run(CREATE_SQL)(apps, schema_editor)


def drop(apps, schema_editor):
    from knowledge.search_sql import DROP_SQL

    _run(DROP_SQL)(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        TrigramExtension(),  # a no-op on other databases
        migrations.RunPython(create, drop, elidable=False),
    ]
