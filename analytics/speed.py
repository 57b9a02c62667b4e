"""Speed to lead: from a lead's creation to its first placed call (``Lead.first_called_at``).

Over the leads created in the period that have been called: the median in minutes, and how many
were called within 5 minutes. One query: ``percentile_cont`` on PostgreSQL; on SQLite, which has
no ordered-set aggregate, the middle of a ``ROW_NUMBER()`` ordering. A first call logged before the
lead was entered (an inbound call that created the lead) counts as 0 minutes.
"""

import datetime as dt

from django.db import connection
from django.db.models import Aggregate, Case, Count, F, FloatField, Func, Q, When
from django.db.models.functions import Greatest

from leads.models import Lead

WITHIN = dt.timedelta(minutes=5)


class Seconds(Func):
    """Seconds from the first timestamp to the second."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        # date_part is double precision; EXTRACT is numeric since PostgreSQL 14, 3x slower to sort.
        return self.as_sql(compiler, connection, template="date_part('epoch', %(expressions)s)",
                           arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def speed_to_lead(*, gym, period, branch=None) -> dict:
    """``{"median_seconds": float | None, "called": int, "within_5_minutes": int}``."""
    rows = Lead.objects.for_gym(gym).filter(created_at__gte=period.start, created_at__lt=period.end,
                                            first_called_at__isnull=False)
    if branch is not None:
        rows = rows.filter(branch=branch)
    seconds = Greatest(Seconds("first_called_at", "created_at"), 0.0)
    within = Q(first_called_at__lte=F("created_at") + WITHIN)
    if connection.vendor == "postgresql":
        # Counting a column of the covering index, not the id: then the index serves alone.
        return rows.aggregate(median_seconds=Median(seconds), called=Count("first_called_at"),
                              within_5_minutes=Count("first_called_at", filter=within))
    speeds = rows.annotate(s=seconds, w=Case(When(within, then=1), default=0)).values_list("s", "w")
    sql, params = speeds.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN s END), COUNT(*), COALESCE(SUM(w), 0) "
            f"FROM (SELECT s, w, ROW_NUMBER() OVER (ORDER BY s) AS rn, COUNT(*) OVER () AS n FROM ({sql}))", params)
        median, called, within_count = cursor.fetchone()
    return {"median_seconds": median, "called": called, "within_5_minutes": within_count}
