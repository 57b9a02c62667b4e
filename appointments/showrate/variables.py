"""The dynamic variables of a ladder call: what the voice agent says about the appointment.

Retell wants strings. Times are spoken in the lead's time zone (``calls.calling_hours``), with its
abbreviation, so a lead in Los Angeles hears Los Angeles time for a tour at a New York branch.
"""

import datetime as dt

from django.utils import timezone

from calls.calling_hours import lead_timezone
from calls.models import Call, CallPurpose

from ..availability import next_free_slots

OFFERED_SLOTS = 3


def spoken(moment: dt.datetime, tz) -> str:
    """``Tuesday, March 10 at 9:30 AM EDT``."""
    local = moment.astimezone(tz)
    return f"{local:%A, %B} {local.day} at {local.hour % 12 or 12}:{local:%M %p %Z}"


def call_variables(call: Call, *, now: dt.datetime | None = None) -> dict[str, str]:
    """``call_purpose`` for every call; for a confirmation or recall call also the appointment's
    ``appointment_id``, ``appointment_type``, ``appointment_time`` and ``branch_name``; for a recall
    the next free times of the branch to offer (``offered_times`` spoken, ``offered_slots`` as
    ISO-8601 starts for the booking tool, both separated by "; ")."""
    variables = {"call_purpose": call.purpose}
    appointment = call.appointment
    if call.purpose == CallPurpose.OUTREACH or appointment is None:
        return variables
    lead, branch = appointment.lead, appointment.branch
    tz = lead_timezone(phone=lead.phone, gym=call.gym)
    variables.update(appointment_id=str(appointment.pk), appointment_type=appointment.get_type_display().lower(),
                     appointment_time=spoken(appointment.date, tz), branch_name=branch.name)
    if call.purpose == CallPurpose.RECALL:
        now = now or timezone.now()
        slots = next_free_slots(branch=branch, after=now, now=now, duration=appointment.duration,
                                staff=appointment.staff, lead=lead, count=OFFERED_SLOTS)
        variables.update(offered_times="; ".join(spoken(slot.start_time, tz) for slot in slots),
                         offered_slots="; ".join(slot.start_time.isoformat() for slot in slots))
    return variables
