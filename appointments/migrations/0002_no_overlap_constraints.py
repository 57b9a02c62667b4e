"""No double booking, enforced by PostgreSQL: two active (scheduled or confirmed) appointments of
one staff member, or of one lead, never overlap. Half-open ranges ``[date, end_time)`` so that
back-to-back appointments are fine. PostgreSQL only (SQLite has no exclusion constraints; there
the booking service's check is the guard), so the constraints are not part of the model state:
``makemigrations`` stays identical on both databases. The services turn a violation into a 409."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

ACTIVE = "status IN ('scheduled', 'confirmed')"
TABLE = "appointments_appointment"
CREATE_SQL = [
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT appointment_staff_no_overlap EXCLUDE USING gist
        (staff_id WITH =, tstzrange(date, end_time, '[)') WITH &&) WHERE ({ACTIVE} AND staff_id IS NOT NULL)""",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT appointment_lead_no_overlap EXCLUDE USING gist
        (lead_id WITH =, tstzrange(date, end_time, '[)') WITH &&) WHERE ({ACTIVE})""",
]
DROP_SQL = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appointment_lead_no_overlap",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appointment_staff_no_overlap",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        BtreeGistExtension(),  # a no-op on other databases
        migrations.RunPython(_on_postgresql(CREATE_SQL), _on_postgresql(DROP_SQL), elidable=False),
    ]
