"""Appointment reads: the lists, overlap lookups, and what other apps show of appointments."""

import datetime as dt

from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from .localtime import UTC
from .models import ACTIVE, DURATION_MAX, Appointment

LEAD_DETAIL_LIMIT = 10


# What a list row shows (serializers.AppointmentSerializer): the lead's and branch's few columns
# only. Whole related rows cost a parsed UUID and a model field per column, 50 times a page.
LIST_COLUMNS = ("id", "gym_id", "lead_id", "branch_id", "staff_id", "type", "date", "duration", "status", "notes",
                "rescheduled_from_id", "created_at",
                "lead__id", "lead__first_name", "lead__last_name", "lead__phone", "lead__email", "lead__status",
                "branch__id", "branch__name", "branch__timezone")


def list_rows(appointments):
    return appointments.select_related("lead", "branch").only(*LIST_COLUMNS)


def upcoming(appointments, *, now=None):
    """Active appointments from now on."""
    return appointments.filter(ACTIVE, date__gte=now or timezone.now())


def overlapping(queryset, *, start: dt.datetime, end: dt.datetime):
    """Active rows of ``queryset`` whose ``[date, end_time)`` meets ``[start, end)``.

    Bounds are compared in UTC: arithmetic on a zone-aware datetime is wall-clock arithmetic,
    wrong across a daylight-saving change. The lower bound on ``date`` (no appointment lasts longer than DURATION_MAX) keeps the scan
    of the partial (…, date) indexes to a few rows instead of everything before ``end``.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return queryset.filter(ACTIVE, date__lt=end, end_time__gt=start,
                           date__gt=start - dt.timedelta(minutes=DURATION_MAX))


def appointment_conflict(*, gym, start, end, lead=None, staff=None, exclude_ids=()):
    """The first active appointment of ``lead`` or of ``staff`` overlapping ``[start, end)``."""
    who = Q()
    if lead is not None:
        who |= Q(lead=lead)
    if staff is not None:
        who |= Q(staff=staff)
    if not who:
        return None
    candidates = Appointment.objects.for_gym(gym).filter(who).exclude(pk__in=list(exclude_ids))
    return (overlapping(candidates, start=start, end=end)
            .select_related("lead", "staff", "branch").order_by("date", "id").first())


def lead_next_appointment_subquery():
    """For ``Lead.objects.annotate(appointment_date=lead_next_appointment_subquery())``: the
    start of the lead's next active appointment from now on, or null. One index probe per lead
    (partial index ``appt_lead_active`` on (lead, date) of active rows)."""
    return Subquery(
        Appointment.all_gyms.filter(ACTIVE, lead=OuterRef("pk"), date__gte=Now())
        .order_by("date").values("date")[:1]
    )


def appointment_for_lead_detail(*, lead, now=None, limit=LEAD_DETAIL_LIMIT) -> list[Appointment]:
    """For the lead detail: its upcoming active appointments (soonest first), then its latest
    other ones (most recent first), at most ``limit`` in all. One query (a lead has few
    appointments: its index reads them all and the sort is over a handful of rows)."""
    now = now or timezone.now()
    upcoming = ACTIVE & Q(date__gte=now)
    return list(
        Appointment.objects.for_gym(lead.gym_id).filter(lead=lead).select_related("branch")
        .annotate(is_upcoming=Case(When(upcoming, then=Value(1)), default=Value(0)),
                  upcoming_date=Case(When(upcoming, then=F("date"))), upcoming_id=Case(When(upcoming, then=F("id"))))
        .order_by(F("is_upcoming").desc(), F("upcoming_date").asc(nulls_last=True),
                  F("upcoming_id").asc(nulls_last=True), F("date").desc(), "-id")[:limit]
    )
