"""What the lead says on a confirmation or recall call moves the appointment.

The voice agent's tools call these (as the voice agent); each goes through the appointment
lifecycle (``appointments.services``), so the timeline, the overlap rules and the ladder's
bookkeeping follow as for any change. Confirming is idempotent (the agent may ask twice). A lead
who wants another time is rescheduled with ``appointments.services.appointment_reschedule`` (the
old appointment linked to the new one, which gets a confirmation call of its own).
"""

from django.db import transaction
from django.utils import timezone

from leads.activity import Actor
from reps_dashboard.errors import BusinessRuleViolation, InvalidTransition

from ..models import Appointment, AppointmentStatus
from ..services import appointment_set_status

VOICE_AGENT = Actor.voice_agent()
REASON_MAX = 500


def _current(appointment: Appointment) -> Appointment:
    return Appointment.all_gyms.select_for_update(of=("self",)).select_related("lead", "branch").get(pk=appointment.pk)


@transaction.atomic
def appointment_confirm_by_caller(*, appointment: Appointment, actor: Actor = VOICE_AGENT) -> Appointment:
    """The lead confirmed on the phone: a scheduled appointment becomes confirmed; a confirmed one
    stays so. Either way it counts as confirmed by the lead (``caller_confirmed_at``). Any other
    status is a 409 that says what became of it."""
    current = _current(appointment)
    if current.status == AppointmentStatus.SCHEDULED:
        current = appointment_set_status(appointment=current, status=AppointmentStatus.CONFIRMED, actor=actor)
    elif current.status != AppointmentStatus.CONFIRMED:
        raise InvalidTransition(f'This appointment is "{current.status}": only a scheduled or confirmed appointment can be '
                       "confirmed.")
    if current.caller_confirmed_at is None:
        current.caller_confirmed_at = timezone.now()
        current.save(update_fields=["caller_confirmed_at", "updated_at"])
    return current


@transaction.atomic
def appointment_cancel_by_caller(*, appointment: Appointment, reason: str, actor: Actor = VOICE_AGENT) -> Appointment:
    """The lead canceled on the phone: the appointment becomes canceled, with ``reason`` (the lead's
    words, required) on the timeline and appended to its notes. Only an active appointment (409)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise BusinessRuleViolation("Say why the lead cancels (their words).", field="reason")
    if len(reason) > REASON_MAX:
        raise BusinessRuleViolation(f"At most {REASON_MAX} characters.", field="reason")
    current = _current(appointment)
    if not current.is_active:
        raise InvalidTransition(f'This appointment is "{current.status}": only a scheduled or confirmed appointment can be '
                       "canceled.")
    current = appointment_set_status(appointment=current, status=AppointmentStatus.CANCELED, actor=actor,
                                     reason=reason)
    line = f"Canceled by the lead on the phone: {reason}"
    current.notes = f"{current.notes}\n{line}" if current.notes else line
    current.save(update_fields=["notes", "updated_at"])
    return current

