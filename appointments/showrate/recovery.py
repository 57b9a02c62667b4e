"""No-show recovery: a no-show is recovered when its lead books again within a week of it.

The link (``Appointment.rebooked_as``) is kept on the no-show's row by the appointment services,
so the analytics rollups count it: when a lead books, its unrecovered no-shows of the week before
point at the new appointment; when an appointment is marked a no-show late, it points at a booking
the lead already made within the week after its start.
"""

import datetime as dt

from ..models import Appointment, AppointmentStatus

REBOOK_WITHIN = dt.timedelta(days=7)


def rebooking_link_new(appointment: Appointment) -> int:
    """``appointment`` was just booked: the lead's no-shows it recovers point at it (how many)."""
    booked_at = appointment.created_at
    return (Appointment.all_gyms
            .filter(gym_id=appointment.gym_id, lead_id=appointment.lead_id, status=AppointmentStatus.NO_SHOW,
                    rebooked_as__isnull=True, date__lte=booked_at, date__gte=booked_at - REBOOK_WITHIN)
            .exclude(pk=appointment.pk)
            .update(rebooked_as=appointment))


def rebooking_link_no_show(appointment: Appointment) -> None:
    """``appointment`` just became a no-show: the lead's first booking made within the week after
    its start (if any) recovered it."""
    rebooked = (Appointment.all_gyms
                .filter(gym_id=appointment.gym_id, lead_id=appointment.lead_id,
                        created_at__gte=appointment.date, created_at__lte=appointment.date + REBOOK_WITHIN)
                .exclude(pk=appointment.pk).order_by("created_at", "id").first())
    if rebooked is not None:
        Appointment.all_gyms.filter(pk=appointment.pk).update(rebooked_as=rebooked)
        appointment.rebooked_as = rebooked
