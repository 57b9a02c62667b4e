import datetime as dt

import factory
from django.utils import timezone

from appointments.models import Appointment
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, GymFactory, TenantFactory


def next_week(hour=10):
    """A whole hour a week from now, in UTC: free of any appointment made relative to today."""
    return (timezone.now() + dt.timedelta(days=7)).replace(hour=hour, minute=0, second=0, microsecond=0)


class AppointmentFactory(TenantFactory):
    """Writes rows directly (no overlap check): tests that need the rule go through the API."""

    class Meta:
        model = Appointment

    gym = factory.SubFactory(GymFactory)
    branch = factory.LazyAttribute(lambda o: BranchFactory(gym=o.gym))
    lead = factory.LazyAttribute(lambda o: LeadFactory(gym=o.gym, branch=o.branch))
    type = "tour"
    date = factory.Sequence(lambda n: next_week() + dt.timedelta(hours=n))
    duration = 60
    status = "scheduled"
