"""Calls of the ladder that no longer apply are canceled before the dialer places them."""

from calls.models import Call, CallPurpose, CallStatus
from calls.services import call_update
from leads.activity import Actor

from ..models import Appointment, AppointmentStatus


def appointment_calls_withdraw(*, appointment: Appointment, actor: Actor, moved: bool = False) -> list[Call]:
    """Cancels ``appointment``'s queued confirmation call once the appointment is no longer
    ``scheduled`` (confirmed by staff, canceled, completed, rescheduled...) or was ``moved`` to
    another time (it was for the old one), and its queued recall call once it is no longer a
    no-show. Call in the transaction of the change."""
    stale = []
    if moved or appointment.status != AppointmentStatus.SCHEDULED:
        stale.append(CallPurpose.CONFIRMATION)
    if appointment.status != AppointmentStatus.NO_SHOW:
        stale.append(CallPurpose.RECALL)
    # Locked: a call the dialer is placing right now is re-read once it lets go, and left out as no
    # longer queued (it is not relabelled canceled while in progress).
    queued = (Call.all_gyms.filter(gym_id=appointment.gym_id, appointment=appointment, purpose__in=stale,
                                   status=CallStatus.QUEUED).select_for_update(of=("self",)).order_by("id"))
    return [call_update(call=call, actor=actor, status=CallStatus.CANCELED) for call in queued]
