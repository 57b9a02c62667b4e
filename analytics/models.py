"""Daily rollups: per gym, local day of the gym's timezone, branch and (dimension, key), how many
leads, calls or appointments there were, with the few sums the endpoints need.

Derived data, written only by the PostgreSQL triggers of ``analytics/rollups.py`` (and rebuilt by
``manage.py rebuild_analytics``), never by application code. Like the calls tally, these rows are not
``GymOwned``: the triggers insert them, and rows follow the source rows alone (no foreign keys; a row
whose total falls to 0 is removed). Their ``gym_id`` column puts them under row-level security.

One row per (day, branch, dimension, key), never the cross product of dimensions: dimension ``all``
(key ``""``) holds the day's totals, every other dimension one row per value (nulls have none).
A lead- or call-less branch is the nil UUID.
"""

from django.db import models

KEY_FIELDS = ["gym_id", "dimension", "day", "branch_key", "key"]


class DailyRollup(models.Model):
    gym_id = models.UUIDField()
    # Leading the key after the gym: a series reads only the ``all`` rows of its period.
    dimension = models.CharField(max_length=16)
    day = models.DateField(help_text="Local day of the gym's timezone.")
    branch_key = models.UUIDField(help_text="The branch's id; the nil UUID for none.")
    key = models.CharField(max_length=40, help_text='The dimension\'s value ("" for the dimension "all").')
    total = models.BigIntegerField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.day} {self.dimension}={self.key}: {self.total}"


class LeadDay(DailyRollup):
    """Leads by ``created_at``; dimensions ``status``, ``source``, ``stage_reached``."""

    converted = models.BigIntegerField(help_text="Of these, leads whose status is converted.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY_FIELDS, name="analytics_leadday_key")]


class CallDay(DailyRollup):
    """Calls by ``start_time`` (calls not started yet have none and are not counted); dimensions
    ``direction``, ``status``, ``outcome``, ``sentiment``, ``campaign``."""

    completed = models.BigIntegerField()
    booked = models.BigIntegerField(help_text="Outcome appointment_booked.")
    duration = models.BigIntegerField(help_text="Seconds, every call's duration.")
    completed_duration = models.BigIntegerField(help_text="Seconds, completed calls with a duration.")
    completed_timed = models.BigIntegerField(help_text="Completed calls with a duration.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY_FIELDS, name="analytics_callday_key")]


class AppointmentDay(DailyRollup):
    """Appointments by ``date``; dimensions ``status``, ``type``."""

    completed = models.BigIntegerField()
    no_show = models.BigIntegerField()
    confirmation_called = models.BigIntegerField(default=0, help_text="Whose confirmation call was placed.")
    confirmed_by_call = models.BigIntegerField(default=0, help_text="Of those, confirmed by the lead.")
    no_show_rebooked = models.BigIntegerField(default=0, help_text="No-shows rebooked within 7 days.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY_FIELDS, name="analytics_appointmentday_key")]
