"""Appointments' part of the isolation world (see reps_dashboard/tests/isolation_world.py)."""

import datetime as dt

from appointments.models import Appointment
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tenants.models import Branch, User

from .factories import AppointmentFactory, next_week

ID_PARAMS = {"appointment_id": Appointment, "lead_id": Lead}


def populate(side):
    m = side.marker
    branch, staff = side.get(Branch), side.get(User)
    # The leads app's world may have made the side's leads already.
    if Lead not in side.objects:
        side.add(LeadFactory(gym=side.gym, branch=branch, first_name=m, last_name=m,
                             email=f"{m.lower()}@example.com", notes=f"{m} lead"))
    lead = side.get(Lead)
    old = side.add(AppointmentFactory(gym=side.gym, lead=lead, branch=branch, staff=staff, status="rescheduled",
                                      notes=f"{m} old time", date=next_week(9) - dt.timedelta(days=1)))
    side.add(AppointmentFactory(gym=side.gym, lead=lead, branch=branch, staff=staff, created_by=staff,
                                rescheduled_from=old, notes=f"{m} notes", date=next_week(9)))
    side.add(AppointmentFactory(gym=side.gym, lead=lead, branch=branch, status="completed", notes=f"{m} done",
                                date=next_week(9) - dt.timedelta(days=14)))
