"""A trigram index on ``search_text`` on PostgreSQL, so that ``search`` (substring matches with
LIKE '%term%') does not scan every lead of the gym. SQLite has no such index type; the search
itself is the same query on both (see docs/leads.md)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS lead_search_text_trgm ON leads_lead USING gin (search_text gin_trgm_ops)"
DROP = "DROP INDEX IF EXISTS lead_search_text_trgm"


def _on_postgres(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_search_text_and_list_indexes")]

    operations = [
        TrigramExtension(),  # a no-op on other databases
        migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP), elidable=False),
    ]
