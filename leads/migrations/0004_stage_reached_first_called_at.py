"""``Lead.first_called_at`` and ``Lead.stage_reached`` (analytics: speed to lead and the funnel),
backfilled from the calls and from the timeline.

* ``first_called_at``: the earliest placed call (not queued or canceled), by its start, else by
  when it was logged, as the call services keep it from now on.
* ``stage_reached``: the furthest of the current status and every status the timeline shows the
  lead in (``lead_created``'s status, ``status_changed``'s from and to); ``lost`` ranks lowest.
"""

from django.conf import settings
from django.db import migrations, models

_RANK = "CASE {} WHEN 'contacted' THEN 1 WHEN 'qualified' THEN 2 WHEN 'converted' THEN 3 ELSE 0 END"

FIRST_CALLED = """
UPDATE leads_lead SET first_called_at = (
    SELECT min(coalesce(c.start_time, c.created_at)) FROM calls_call c
    WHERE c.lead_id = leads_lead.id AND c.status NOT IN ('queued', 'canceled'))
WHERE EXISTS (SELECT 1 FROM calls_call c WHERE c.lead_id = leads_lead.id AND c.status NOT IN ('queued', 'canceled'))
"""


def _stage_sql(json_text):
    """``json_text(key)``: the SQL reading a text value of the activity's ``data``."""
    ranks = " UNION ALL ".join([
        f"SELECT {_RANK.format('leads_lead.status')} AS r",
        *(f"SELECT {_RANK.format(json_text(key))} FROM leads_leadactivity a "
          f"WHERE a.lead_id = leads_lead.id AND a.type = '{kind}'"
          for kind, key in (("status_changed", "to"), ("status_changed", "from"), ("lead_created", "status"))),
    ])
    return (f"UPDATE leads_lead SET stage_reached = CASE (SELECT max(r) FROM ({ranks}) AS ranks) "
            "WHEN 3 THEN 'converted' WHEN 2 THEN 'qualified' WHEN 1 THEN 'contacted' ELSE 'new' END")


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        stage = _stage_sql(lambda key: f"(a.data ->> '{key}')")
    else:
        stage = _stage_sql(lambda key: f"json_extract(a.data, '$.{key}')")
    schema_editor.execute(FIRST_CALLED)
    schema_editor.execute(stage)


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0003_postgres_search_and_sort_indexes'),
        ('calls', '0001_initial'),
        ('tenants', '0002_api_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='lead',
            name='first_called_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='lead',
            name='stage_reached',
            field=models.CharField(choices=[('new', 'New'), ('contacted', 'Contacted'), ('qualified', 'Qualified'), ('converted', 'Converted')], default='new', editable=False, max_length=16),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('first_called_at__isnull', False)), fields=['gym', 'created_at'], include=('first_called_at', 'branch'), name='lead_gym_created_called'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
