import datetime as dt

from django.db import models
from django.db.models import Func, Q

from leads.models import Lead
from reps_dashboard.tally import Key, Tally
from tenants.models import Branch, GymOwned, User

DURATION_MIN, DURATION_MAX = 15, 180


class AppointmentType(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    ASSESSMENT = "assessment", "Assessment"
    TRAINING = "training", "Training"
    TOUR = "tour", "Tour"
    FOLLOW_UP = "follow_up", "Follow-up"
    OTHER = "other", "Other"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CONFIRMED = "confirmed", "Confirmed"
    COMPLETED = "completed", "Completed"
    CANCELED = "canceled", "Canceled"
    NO_SHOW = "no_show", "No-show"
    RESCHEDULED = "rescheduled", "Rescheduled"


# Appointments that hold their time: only these may not overlap (per staff member, per lead).
ACTIVE_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
ACTIVE = Q(status__in=ACTIVE_STATUSES)
# ``rescheduled`` is reached through a transition (or POST /reschedule), never booked directly.
BOOKABLE_STATUSES = [s for s in AppointmentStatus.values if s != AppointmentStatus.RESCHEDULED]


class MinutesAfter(Func):
    """``start + minutes`` as an *immutable* SQL expression, so that it can define a stored
    generated column (and so the exclusion constraints' range). PostgreSQL's ``timestamptz +
    interval`` is only STABLE (it depends on the session's time zone), so the sum is taken on
    UTC wall time. On SQLite, Django stores UTC as ``YYYY-MM-DD HH:MM:SS``; the result uses the
    same text form so that string comparisons stay exact (dates are whole minutes)."""

    arity = 2
    output_field = models.DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        (start_sql, start_params), (minutes_sql, minutes_params) = (
            compiler.compile(arg) for arg in self.get_source_expressions())
        params = [*start_params, *minutes_params]
        if connection.vendor == "postgresql":
            sql = (f"((({start_sql}) AT TIME ZONE 'UTC') + make_interval(mins => ({minutes_sql})))"
                   " AT TIME ZONE 'UTC'")
        else:
            sql = f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', {start_sql}, '+' || ({minutes_sql}) || ' minutes')"
        return sql, params


class Appointment(GymOwned):
    """A tour, consultation or session booked for a lead at a branch, optionally with a staff
    member. ``date`` is the start (aware, stored in UTC); ``end_time`` is computed by the
    database. Two active appointments of one staff member, or of one lead, never overlap: the
    services check it, and on PostgreSQL two exclusion constraints (migration 0002) hold the
    line under concurrency."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="appointments")
    # History of a branch: a branch with appointments is deactivated, not deleted.
    branch = models.ForeignKey(Branch, on_delete=models.RESTRICT, related_name="appointments")
    staff = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments")
    type = models.CharField(max_length=16, choices=AppointmentType.choices)
    date = models.DateTimeField(help_text="Start; stored in UTC.")
    duration = models.PositiveSmallIntegerField(help_text=f"Minutes, {DURATION_MIN}..{DURATION_MAX}.")
    end_time = models.GeneratedField(expression=MinutesAfter("date", "duration"),
                                     output_field=models.DateTimeField(), db_persist=True)
    status = models.CharField(max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED)
    notes = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reminder_sent = models.BooleanField(default=False)
    # One-to-one: an appointment is rescheduled at most once (it then becomes final).
    rescheduled_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="rescheduled_to")
    # The show-rate ladder (appointments/showrate, docs/appointments.md), kept on the row so that the
    # analytics rollups count it: when its confirmation call was placed, when the lead confirmed it
    # on the phone, and, for a no-show, the appointment the lead booked within a week after it.
    confirmation_called_at = models.DateTimeField(null=True, blank=True)
    caller_confirmed_at = models.DateTimeField(null=True, blank=True)
    rebooked_as = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    db_index=False, help_text="For a no-show: the lead's next booking within 7 days.")

    class Meta(GymOwned.Meta):
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(duration__gte=DURATION_MIN, duration__lte=DURATION_MAX),
                                   name="appointment_duration_15_180"),
        ]
        indexes = [
            # The list: default sort, date ranges, upcoming; each filter with the default sort.
            models.Index(fields=["gym", "date", "id"], name="appt_gym_date"),
            models.Index(fields=["gym", "created_at", "id"], name="appt_gym_created"),
            models.Index(fields=["gym", "status", "date", "id"], name="appt_gym_status_date"),
            models.Index(fields=["gym", "status", "id"], name="appt_gym_status"),
            models.Index(fields=["gym", "branch", "date", "id"], name="appt_gym_branch_date"),
            models.Index(fields=["gym", "lead", "date", "id"], name="appt_gym_lead_date"),
            models.Index(fields=["gym", "staff", "date", "id"], name="appt_gym_staff_date"),
            models.Index(fields=["gym", "type", "date", "id"], name="appt_gym_type_date"),
            # Overlap checks, availability and a lead's next appointment read active rows only.
            models.Index(fields=["lead", "date"], condition=ACTIVE, name="appt_lead_active"),
            models.Index(fields=["staff", "date"], condition=ACTIVE, name="appt_staff_active"),
            models.Index(fields=["branch", "date"], condition=ACTIVE, name="appt_branch_active"),
            # Deleting an appointment clears the no-shows it recovered (SET_NULL) through this index.
            models.Index(fields=["rebooked_as"], condition=Q(rebooked_as__isnull=False), name="appt_rebooked_as"),
        ]

    def __str__(self):
        # How the admin names it (titles, messages, choices): the branch's local time, labelled.
        return f"{self.get_type_display()} for {self.lead.full_name}, {self.local_start:%Y-%m-%d %H:%M %Z}"

    # Responses show start and end in the branch's timezone. The end is computed from this
    # instance's own values: Django re-reads the generated column on insert only, so after an
    # update ``end_time`` would be stale here. UTC first: adding minutes to a zone-aware value
    # is wall-clock arithmetic, wrong across a daylight-saving change.
    @property
    def local_start(self) -> dt.datetime:
        return self.date.astimezone(self.branch.tzinfo)

    @property
    def local_end(self) -> dt.datetime:
        return (self.date.astimezone(dt.UTC) + dt.timedelta(minutes=self.duration)).astimezone(self.branch.tzinfo)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


APPOINTMENT_TALLY = Tally(
    name="appointments_tally", source="appointments_appointment", table="appointments_appointmenttally",
    counter="appointments",
    keys=(Key("gym_id", "gym_id"), Key("branch_key", "branch_id", nullable_id=True), Key("status", "status"),
          Key("type", "type")),
)


class AppointmentTally(models.Model):
    """How many appointments of a gym have each (branch, status, type): the list's ``total``
    without counting a big gym's rows on every page (reps_dashboard/tally.py). Few columns on
    purpose (a total sums every tally row of the gym; see LeadTally). Derived data written only
    by database triggers, never by code; no foreign keys.
    """

    gym_id = models.UUIDField()
    branch_key = models.UUIDField()
    status = models.CharField(max_length=16)
    type = models.CharField(max_length=16)
    appointments = models.BigIntegerField()

    tally = APPOINTMENT_TALLY

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gym_id", "branch_key", "status", "type"],
                                               name="appointmenttally_key")]

    def __str__(self):
        return f"{self.appointments} appointments ({self.status}, {self.type})"
