"""The show-rate ladder on beat: the cross-gym task runs what ``manage.py run_showrate`` runs, for each
gym that turned the ladder on, each in its own scope."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import Call
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, GymFactory

from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def gym_with_tour(*, ladder_on):
    gym = GymFactory(timezone="America/New_York", call_days=EVERY_DAY, call_hours_start=dt.time(0, 0),
                     call_hours_end=dt.time.max, confirmation_calls_enabled=ladder_on)
    branch = BranchFactory(gym=gym)
    lead = LeadFactory(gym=gym, branch=branch, phone="+12125550101")
    # Due: an appointment sooner than the gym's confirmation_hours_before (24 h by default).
    start = (timezone.now() + dt.timedelta(hours=20)).replace(second=0, microsecond=0)
    return AppointmentFactory(gym=gym, lead=lead, branch=branch, date=start)


def test_beat_queues_the_confirmation_call_of_a_gym_with_the_ladder_on(django_capture_on_commit_callbacks):
    from appointments.tasks import run_showrate

    tour = gym_with_tour(ladder_on=True)
    off = gym_with_tour(ladder_on=False)
    with django_capture_on_commit_callbacks(execute=True):  # the per-gym task, sent on commit (eager)
        run_showrate.delay()
    [call] = Call.all_gyms.filter(appointment=tour)
    assert (call.purpose, call.status, call.direction, call.lead_id) == ("confirmation", "queued", "outbound",
                                                                         tour.lead_id)
    assert not Call.all_gyms.filter(appointment=off).exists()
    with django_capture_on_commit_callbacks(execute=True):  # beat again: nothing queued twice
        run_showrate.delay()
    assert Call.all_gyms.filter(appointment=tour).count() == 1
