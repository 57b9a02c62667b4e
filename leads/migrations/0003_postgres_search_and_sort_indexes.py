"""PostgreSQL-only indexes of the lead list (SQLite has neither index type; the queries are the
same on both, see docs/leads.md):

* a trigram index on ``search_text``, so that ``search`` (LIKE '%term%') does not read every lead;
* ``DESC NULLS LAST`` indexes for the two nullable sort fields, which sort empty values last in
  both directions: a plain index serves ascending order only.
"""

from django.db import migrations

CREATE = [
    # Reversing this migration keeps the extension: other apps' indexes use it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS lead_search_text_trgm ON leads_lead USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS lead_gym_last_called_desc ON leads_lead (gym_id, last_called DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS lead_gym_score_desc ON leads_lead (gym_id, score DESC NULLS LAST, id DESC)",
]
DROP = [
    "DROP INDEX IF EXISTS lead_gym_score_desc",
    "DROP INDEX IF EXISTS lead_gym_last_called_desc",
    "DROP INDEX IF EXISTS lead_search_text_trgm",
]


def _on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_search_text_and_list_indexes")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP), elidable=False)]
