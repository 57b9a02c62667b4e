"""The show-rate ladder's rates in GET /api/analytics/appointments, counted both ways: one
appointment walked through the real ladder (engine, dialer, the lead confirming), the rest built."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from appointments.models import Appointment
from appointments.showrate.outcomes import appointment_confirm_by_caller
from appointments.showrate.services import showrate_run
from appointments.tests.factories import AppointmentFactory
from calls.models import CallStatus
from calls.services import call_update
from leads.activity import Actor
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

NY = ZoneInfo("America/New_York")
PERIOD = {"start_date": "2026-03-09", "end_date": "2026-03-15"}


def at(*args):
    return dt.datetime(*args, tzinfo=NY)


@pytest.fixture
def ladder(gym, branch):
    gym.confirmation_calls_enabled = True
    gym.save()
    north = BranchFactory(gym=gym, name="North")
    lead = LeadFactory(gym=gym, branch=branch, phone="+12125550111")
    walked = AppointmentFactory(gym=gym, lead=lead, branch=branch, date=at(2026, 3, 10, 10))
    [call] = showrate_run(gym=gym, now=at(2026, 3, 9, 10)).confirmations
    call_update(call=call, actor=Actor.voice_agent(), status=CallStatus.IN_PROGRESS)
    appointment_confirm_by_caller(appointment=walked)
    Appointment.all_gyms.filter(pk=walked.pk).update(status="completed")

    def make(branch, day, status, **fields):
        return AppointmentFactory(gym=gym, branch=branch, lead=LeadFactory(gym=gym, branch=branch),
                                  date=at(2026, 3, day, 11), status=status, **fields)

    placed = at(2026, 3, 9, 12)
    make(branch, 11, "no_show", confirmation_called_at=placed)  # called, did not confirm
    make(north, 12, "completed", confirmation_called_at=placed, caller_confirmed_at=placed)
    make(north, 12, "confirmed", caller_confirmed_at=placed)  # confirmed in an inbound call: not counted
    rebooking = make(north, 20, "scheduled")
    make(north, 13, "no_show", rebooked_as=rebooking)
    make(north, 14, "no_show")
    make(branch, 25, "no_show", confirmation_called_at=placed)  # outside the period
    return {"main": branch, "north": north}


def test_confirmation_and_recovery_rates_per_period_and_branch(admin_client, ladder, counting):
    response = admin_client.get("/api/analytics/appointments", PERIOD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["confirmation_calls"], body["confirmed_by_call"], body["no_shows_rebooked"]) == (3, 2, 1)
    assert (body["confirmation_rate"], body["no_show_recovery_rate"]) == (0.6667, 0.3333)
    assert (body["show_rate"], body["no_show_rate"]) == (0.4, 0.6)  # unchanged meaning: completed / (completed + no_show)
    main, north = body["by_branch"]
    assert (main["name"], main["confirmation_rate"], main["no_show"], main["no_show_recovery_rate"]) == (
        "Main", 0.5, 1, 0.0)
    assert (north["name"], north["confirmation_rate"], north["no_show"], north["no_show_recovery_rate"],
            north["no_show_rate"]) == ("North", 1.0, 2, 0.5, 0.6667)
    only_north = admin_client.get("/api/analytics/appointments", {**PERIOD, "branch_id": str(ladder["north"].pk)})
    assert (only_north.json()["confirmation_rate"], only_north.json()["no_show_recovery_rate"]) == (1.0, 0.5)
