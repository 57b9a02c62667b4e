"""The demo gym's show-rate ladder (seed_demo, after its appointments): the ladder turned on, and
for past tours the confirmation calls the voice agent made the day before (most leads confirmed)
and recall calls after no-shows, so the admin and the analytics' confirmation rate show something."""

import datetime as dt

from django.utils import timezone

from calls.models import CallDirection, CallPurpose, CallStatus, HandledBy
from calls.services import call_create
from leads.activity import Actor

from ..models import Appointment, AppointmentStatus

VOICE_AGENT = Actor.voice_agent()
CALL_LENGTH = dt.timedelta(minutes=2)


def _call(gym, appointment, purpose, start, summary):
    return call_create(gym=gym, actor=VOICE_AGENT, lead=appointment.lead, direction=CallDirection.OUTBOUND,
                       status=CallStatus.COMPLETED, handled_by=HandledBy.AI, purpose=purpose, appointment=appointment,
                       branch=appointment.branch, start_time=start, end_time=start + CALL_LENGTH, summary=summary)


def seed(*, gym, booked, rng, stdout):
    gym.confirmation_calls_enabled = gym.recall_calls_enabled = True
    gym.save(update_fields=["confirmation_calls_enabled", "recall_calls_enabled", "updated_at"])
    now = timezone.now()
    settled = [a for a in booked if a.date < now and a.status in (AppointmentStatus.COMPLETED,
                                                                   AppointmentStatus.NO_SHOW)]
    confirmations = recalls = 0
    for appointment in settled:
        if rng.random() < 0.7:
            start = appointment.date - dt.timedelta(hours=24)
            confirmed = appointment.status == AppointmentStatus.COMPLETED and rng.random() < 0.8
            _call(gym, appointment, CallPurpose.CONFIRMATION, start,
                  "Confirmed the appointment." if confirmed else "Said they would try to make it.")
            if confirmed:
                Appointment.all_gyms.filter(pk=appointment.pk).update(caller_confirmed_at=start + CALL_LENGTH)
            confirmations += 1
        if appointment.status == AppointmentStatus.NO_SHOW and rng.random() < 0.6:
            _call(gym, appointment, CallPurpose.RECALL, appointment.date + dt.timedelta(hours=2),
                  "Missed the tour; offered new times.")
            recalls += 1
    stdout.write(f"Show-rate ladder: on; {confirmations} confirmation and {recalls} recall calls.")
