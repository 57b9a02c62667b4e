"""Full-text and trigram indexes, on PostgreSQL only (SQLite searches with a Python fallback).

They are not declared in the model's Meta (Meta indexes would be created on every backend), so
this migration creates and drops them itself, only when the database is PostgreSQL.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def _indexes():
    from knowledge.search_sql import postgres_indexes

    return postgres_indexes()


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("knowledge", "KnowledgeEntry")
    for index in _indexes():
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("knowledge", "KnowledgeEntry")
    for index in _indexes():
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        TrigramExtension(),  # a no-op on other databases
        migrations.RunPython(create, drop, elidable=False),
    ]
