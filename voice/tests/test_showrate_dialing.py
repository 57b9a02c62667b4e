"""A confirmation call of the show-rate ladder placed through Retell (the local stub): the
appointment goes in the dynamic variables, and placing it counts for the confirmation rate."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.showrate.services import showrate_run
from appointments.tests.factories import AppointmentFactory
from calls.models import Call
from voice.dialing import call_place

pytestmark = pytest.mark.django_db


def test_a_confirmation_call_is_placed_with_its_appointment(gym, branch, lead, integration, retell):
    gym.confirmation_calls_enabled = True
    gym.call_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    gym.save()
    # The lead's number is in San Francisco: 09:00-19:00 there, whatever the hour is now.
    now = timezone.now().astimezone(branch.tzinfo).replace(hour=14, minute=0, second=0, microsecond=0)
    tour = AppointmentFactory(gym=gym, lead=lead, branch=branch, date=now + dt.timedelta(hours=23))
    [call] = showrate_run(gym=gym, now=now).confirmations
    placed = call_place(gym=gym, call=Call.all_gyms.get(pk=call.pk))
    assert placed.status == "in_progress"
    [sent] = retell.requests
    variables = sent["json"]["retell_llm_dynamic_variables"]
    assert (variables["call_purpose"], variables["appointment_id"], variables["appointment_type"],
            variables["branch_name"]) == ("confirmation", str(tour.pk), "tour", branch.name)
    assert variables["appointment_time"].endswith(("PST", "PDT"))  # the lead's time zone, not the gym's
    assert all(isinstance(value, str) for value in variables.values())
    tour.refresh_from_db()
    assert tour.confirmation_called_at is not None
