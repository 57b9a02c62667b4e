"""What the analytics count, declared once for both ways of counting it.

A ``Fact`` is a source table (leads, calls, appointments) seen as rows dated by one timestamp, with
the dimensions its breakdowns use and the measures its numbers add up. ``analytics/rollups.py``
turns it into the PostgreSQL triggers and rebuild that keep the daily rollups; ``analytics/counting.py``
turns it into conditional aggregation over the raw rows. Each measure therefore exists twice, as the
SQL of one source row and as an ORM aggregate; the agreement test (tests/test_rollups.py) holds the
two together.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from appointments.models import Appointment, AppointmentStatus, AppointmentType
from calls.models import Call, CallDirection, CallOutcome, CallStatus, Sentiment
from leads.models import Lead, LeadSource, LeadStage, LeadStatus

from .models import AppointmentDay, CallDay, LeadDay

ALL = "all"  # the dimension of a day's totals (key "")


def _both(a: Q | None, b: Q | None) -> Q | None:
    if a is None or b is None:
        return a if b is None else b
    return a & b


@dataclass(frozen=True)
class Measure:
    sql: str  # its value for one source row ``r``, in PostgreSQL
    raw: Callable[[Q | None], object]  # the ORM aggregate over the rows matching the given Q


def counted(condition: Q | None = None, when: str = "") -> Measure:
    """Rows matching ``condition`` (``when``: the same in SQL; NULL counts as false)."""
    sql = f"(({when}) IS TRUE)::int" if when else "1"
    return Measure(sql=sql, raw=lambda q: Count("pk", filter=_both(q, condition)))


def summed(field: str, condition: Q | None = None, sql: str = "") -> Measure:
    return Measure(sql=sql or f"coalesce(r.{field}, 0)", raw=lambda q: Sum(field, filter=_both(q, condition)))


@dataclass(frozen=True)
class Fact:
    name: str
    source: type
    rollup: type
    time_field: str
    dimensions: dict  # dimension -> (source column, its enum values or None for ids)
    measures: dict  # rollup column -> Measure; "total" counts the rows
    tracked: tuple = ()  # other source columns the measures read (an update of one changes the rollups)

    @property
    def table(self) -> str:
        return self.source._meta.db_table

    def column(self, dimension: str) -> str:
        return self.dimensions[dimension][0]

    def values(self, dimension: str) -> list[str]:
        return list(self.dimensions[dimension][1])


_COMPLETED = "r.status = 'completed'"

LEADS = Fact(
    name="leads", source=Lead, rollup=LeadDay, time_field="created_at",
    dimensions={"status": ("status", LeadStatus.values), "source": ("source", LeadSource.values),
                "stage": ("stage_reached", LeadStage.values)},
    measures={"total": counted(),
              "converted": counted(Q(status=LeadStatus.CONVERTED), when="r.status = 'converted'")},
)

CALLS = Fact(
    name="calls", source=Call, rollup=CallDay, time_field="start_time",
    dimensions={"direction": ("direction", CallDirection.values), "status": ("status", CallStatus.values),
                "outcome": ("outcome", CallOutcome.values), "sentiment": ("sentiment", Sentiment.values),
                "campaign": ("campaign_id", None)},
    measures={
        "total": counted(),
        "completed": counted(Q(status=CallStatus.COMPLETED), when=_COMPLETED),
        "booked": counted(Q(outcome=CallOutcome.APPOINTMENT_BOOKED), when="r.outcome = 'appointment_booked'"),
        "duration": summed("duration"),
        "completed_duration": summed("duration", Q(status=CallStatus.COMPLETED),
                                     sql=f"CASE WHEN {_COMPLETED} THEN coalesce(r.duration, 0) ELSE 0 END"),
        "completed_timed": counted(Q(status=CallStatus.COMPLETED, duration__isnull=False),
                                   when=f"{_COMPLETED} AND r.duration IS NOT NULL"),
    },
)

APPOINTMENTS = Fact(
    name="appointments", source=Appointment, rollup=AppointmentDay, time_field="date",
    dimensions={"status": ("status", AppointmentStatus.values), "type": ("type", AppointmentType.values)},
    measures={"total": counted(),
              "completed": counted(Q(status=AppointmentStatus.COMPLETED), when="r.status = 'completed'"),
              "no_show": counted(Q(status=AppointmentStatus.NO_SHOW), when="r.status = 'no_show'"),
              # The show-rate ladder (appointments/showrate): kept on the appointment row.
              "confirmation_called": counted(Q(confirmation_called_at__isnull=False),
                                             when="r.confirmation_called_at IS NOT NULL"),
              "confirmed_by_call": counted(
                  Q(confirmation_called_at__isnull=False, caller_confirmed_at__isnull=False),
                  when="r.confirmation_called_at IS NOT NULL AND r.caller_confirmed_at IS NOT NULL"),
              "no_show_rebooked": counted(Q(status=AppointmentStatus.NO_SHOW, rebooked_as__isnull=False),
                                          when="r.status = 'no_show' AND r.rebooked_as_id IS NOT NULL")},
    tracked=("confirmation_called_at", "caller_confirmed_at", "rebooked_as_id"),
)

FACTS = (LEADS, CALLS, APPOINTMENTS)
