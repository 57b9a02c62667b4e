"""The show-rate ladder on a fixed clock: confirmation and recall calls queued at the right moment
(in the lead's time zone, across a daylight-saving change), never twice, never for the wrong
appointment or lead; what the lead says moves the appointment."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments.models import Appointment, AppointmentStatus
from appointments.services import (
    appointment_book,
    appointment_reschedule,
    appointment_set_status,
    appointment_update,
)
from appointments.showrate.outcomes import appointment_cancel_by_caller, appointment_confirm_by_caller
from appointments.showrate.selectors import appointments_needing_outcome
from appointments.showrate.services import showrate_run
from appointments.showrate.variables import call_variables
from calls.models import Call, CallStatus
from calls.services import call_update
from leads.activity import Actor
from leads.models import ActivityType, LeadActivity, LeadStatus
from leads.tests.factories import LeadFactory
from reps_dashboard.errors import BusinessRuleViolation, Conflict
from tenants.tests.factories import BranchFactory

from .factories import AppointmentFactory

NY, LA, HAWAII = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Honolulu")
STAFF = Actor.system("Front desk")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def at(tz, *args):
    return dt.datetime(*args, tzinfo=tz)


@pytest.fixture
def ladder_gym(gym):
    gym.confirmation_calls_enabled = gym.recall_calls_enabled = True
    gym.save()
    return gym


@pytest.fixture
def ny_lead(ladder_gym, branch):
    return LeadFactory(gym=ladder_gym, branch=branch, phone="+12125550101", first_name="Nia")


@pytest.fixture
def la_lead(ladder_gym, branch):
    return LeadFactory(gym=ladder_gym, branch=branch, phone="+14155550102", first_name="Leo")


def appointment(lead, start, **fields):
    return AppointmentFactory(gym=lead.gym, lead=lead, branch=lead.branch, date=start, **fields)


def run(gym, now):
    return showrate_run(gym=gym, now=now)


def ladder_calls(appointment, purpose=None):
    calls = Call.all_gyms.filter(appointment=appointment)
    return list(calls.filter(purpose=purpose) if purpose else calls)


# --- confirmation ----------------------------------------------------------------------------


def test_confirmation_call_is_queued_when_due_and_never_twice(ladder_gym, ny_lead):
    tour = appointment(ny_lead, at(NY, 2026, 3, 10, 10))  # Tuesday, daylight time
    assert run(ladder_gym, at(NY, 2026, 3, 9, 9, 59)).confirmations == []
    [call] = run(ladder_gym, at(NY, 2026, 3, 9, 10)).confirmations
    assert (call.purpose, call.appointment_id, call.status, call.direction) == ("confirmation", tour.pk, "queued",
                                                                               "outbound")
    assert call.scheduled_at == at(NY, 2026, 3, 9, 10)
    assert (call.handled_by, call.branch_id, call.lead_id) == ("ai", tour.branch_id, ny_lead.pk)
    # Beat runs again, later, many times: nothing new.
    for minutes in (0, 5, 60, 600):
        assert run(ladder_gym, at(NY, 2026, 3, 9, 10) + dt.timedelta(minutes=minutes)).confirmations == []
    assert len(ladder_calls(tour)) == 1


def test_hours_before_are_elapsed_hours_across_the_change_to_daylight_time(ladder_gym, ny_lead):
    ladder_gym.call_days = EVERY_DAY
    ladder_gym.save()
    # Sunday 2026-03-08 12:00 EDT; the clocks moved forward at 02:00 that night: 24 hours before is
    # Saturday 11:00 EST (16:00 UTC), not 12:00.
    tour = appointment(ny_lead, at(NY, 2026, 3, 8, 12))
    assert run(ladder_gym, at(NY, 2026, 3, 7, 10, 59)).confirmations == []
    [call] = run(ladder_gym, at(NY, 2026, 3, 7, 11)).confirmations
    assert call.scheduled_at == dt.datetime(2026, 3, 7, 16, tzinfo=dt.UTC)
    assert call.appointment_id == tour.pk


def test_without_a_calling_day_in_between_the_call_goes_in_the_last_window_before(ladder_gym, ny_lead):
    # Monday 08:00 EDT: 24 h before is a Sunday (no calls), Monday 09:00 is after the start, so the
    # call goes at the opening of Friday's window, 09:00 EST: the week of the change to daylight time.
    tour = appointment(ny_lead, at(NY, 2026, 3, 9, 8))
    assert run(ladder_gym, at(NY, 2026, 3, 6, 8, 59)).confirmations == []
    [call] = run(ladder_gym, at(NY, 2026, 3, 6, 9)).confirmations
    assert call.scheduled_at == dt.datetime(2026, 3, 6, 14, tzinfo=dt.UTC)
    assert call.appointment_id == tour.pk


def test_the_lead_in_another_time_zone_is_called_in_their_calling_hours(ladder_gym, ny_lead, la_lead):
    ny_tour = appointment(ny_lead, at(NY, 2026, 3, 10, 10))
    la_tour = appointment(la_lead, at(NY, 2026, 3, 10, 10, 30))
    # 24 h before is 10:00 in New York but 07:00 in Los Angeles, before its calling hours.
    calls = run(ladder_gym, at(NY, 2026, 3, 9, 10, 30)).confirmations
    assert [c.appointment_id for c in calls] == [ny_tour.pk]
    assert run(ladder_gym, at(LA, 2026, 3, 9, 8, 59)).confirmations == []
    [call] = run(ladder_gym, at(LA, 2026, 3, 9, 9)).confirmations
    assert call.appointment_id == la_tour.pk
    variables = call_variables(call)
    assert variables == {"call_purpose": "confirmation", "appointment_id": str(la_tour.pk),
                         "appointment_type": "tour", "appointment_time": "Tuesday, March 10 at 7:30 AM PDT",
                         "branch_name": "Main"}
    assert call_variables(Call.all_gyms.get(appointment=ny_tour))["appointment_time"] == "Tuesday, March 10 at 10:00 AM EDT"


def test_no_confirmation_for_settled_appointments_leads_not_to_call_or_when_off(ladder_gym, ny_lead, branch):
    start = at(NY, 2026, 3, 10, 10)
    for status in ("confirmed", "completed", "canceled", "no_show", "rescheduled"):
        appointment(LeadFactory(gym=ladder_gym, branch=branch), start, status=status)
    appointment(LeadFactory(gym=ladder_gym, branch=branch, do_not_call=True), start)
    appointment(LeadFactory(gym=ladder_gym, branch=branch, status=LeadStatus.CONVERTED), start)
    appointment(ny_lead, at(NY, 2026, 3, 9, 11))  # too close: starts within two hours
    assert run(ladder_gym, at(NY, 2026, 3, 9, 10)).confirmations == []
    ladder_gym.confirmation_calls_enabled = False
    ladder_gym.save()
    appointment(ny_lead, start)
    assert run(ladder_gym, at(NY, 2026, 3, 9, 10)).confirmations == []
    assert not Call.all_gyms.exists()


def test_a_reschedule_starts_a_new_confirmation_and_a_move_or_cancel_withdraws_the_queued_one(ladder_gym, ny_lead):
    tour = appointment(ny_lead, at(NY, 2026, 3, 10, 10))
    [first] = run(ladder_gym, at(NY, 2026, 3, 9, 10)).confirmations
    call_update(call=first, actor=STAFF, status=CallStatus.IN_PROGRESS)  # the dialer placed it
    new = appointment_reschedule(appointment=tour, start=at(NY, 2026, 3, 12, 10), actor=STAFF)
    assert run(ladder_gym, at(NY, 2026, 3, 10, 10)).confirmations == []  # the old one is rescheduled
    [second] = run(ladder_gym, at(NY, 2026, 3, 11, 10)).confirmations
    assert (second.appointment_id, new.rescheduled_from_id) == (new.pk, tour.pk)
    assert [c.pk for c in ladder_calls(tour)] == [first.pk]
    # A queued call about an appointment that moves, or stops being scheduled, is canceled.
    moved = appointment_update(appointment=new, actor=STAFF, date=at(NY, 2026, 3, 12, 11))
    second.refresh_from_db()
    assert (moved.status, second.status) == ("scheduled", "canceled")
    other = appointment(LeadFactory(gym=ladder_gym, branch=ny_lead.branch), at(NY, 2026, 3, 12, 15))
    [third] = run(ladder_gym, at(NY, 2026, 3, 11, 15)).confirmations
    appointment_set_status(appointment=other, status=AppointmentStatus.CONFIRMED, actor=STAFF)
    third.refresh_from_db()
    assert third.status == "canceled"


# --- what the lead says ------------------------------------------------------------------------


def test_confirmed_on_the_call(ladder_gym, ny_lead):
    tour = appointment(ny_lead, at(NY, 2026, 3, 10, 10))
    [call] = run(ladder_gym, at(NY, 2026, 3, 9, 10)).confirmations
    call_update(call=call, actor=STAFF, status=CallStatus.IN_PROGRESS, start_time=at(NY, 2026, 3, 9, 10, 1))
    tour.refresh_from_db()
    assert tour.confirmation_called_at == at(NY, 2026, 3, 9, 10, 1)
    confirmed = appointment_confirm_by_caller(appointment=tour)
    assert confirmed.status == "confirmed" and confirmed.caller_confirmed_at is not None
    again = appointment_confirm_by_caller(appointment=tour)  # the agent asks twice: no change
    assert (again.status, again.caller_confirmed_at) == ("confirmed", confirmed.caller_confirmed_at)
    entries = LeadActivity.all_gyms.filter(lead=ny_lead, type=ActivityType.APPOINTMENT_STATUS_CHANGED)
    assert [(e.data["from"], e.data["to"], e.actor_type) for e in entries] == [("scheduled", "confirmed",
                                                                                "voice_agent")]


def test_canceled_on_the_call_with_the_reason(ladder_gym, ny_lead):
    tour = appointment(ny_lead, at(NY, 2026, 3, 10, 10), notes="Bring shoes")
    with pytest.raises(BusinessRuleViolation) as error:
        appointment_cancel_by_caller(appointment=tour, reason="  ")
    assert error.value.field == "reason"
    canceled = appointment_cancel_by_caller(appointment=tour, reason="Moved  to another city")
    assert canceled.status == "canceled"
    assert canceled.notes == "Bring shoes\nCanceled by the lead on the phone: Moved to another city"
    entry = LeadActivity.all_gyms.get(lead=ny_lead, type=ActivityType.APPOINTMENT_STATUS_CHANGED)
    assert entry.data["reason"] == "Moved to another city" and entry.data["to"] == "canceled"
    with pytest.raises(Conflict):
        appointment_cancel_by_caller(appointment=tour, reason="again")
    with pytest.raises(Conflict):
        appointment_confirm_by_caller(appointment=tour)


# --- no-show recall ----------------------------------------------------------------------------


def test_a_no_show_is_recalled_after_the_margin_once(ladder_gym, ny_lead):
    tour = appointment(ny_lead, at(NY, 2026, 3, 10, 10))
    appointment_set_status(appointment=tour, status=AppointmentStatus.NO_SHOW, actor=STAFF)
    assert run(ladder_gym, at(NY, 2026, 3, 10, 10, 14)).recalls == []
    [call] = run(ladder_gym, at(NY, 2026, 3, 10, 10, 15)).recalls
    assert (call.purpose, call.appointment_id, call.status, call.scheduled_at) == (
        "recall", tour.pk, "queued", at(NY, 2026, 3, 10, 10, 15))
    assert run(ladder_gym, at(NY, 2026, 3, 10, 11)).recalls == []
    variables = call_variables(call, now=at(NY, 2026, 3, 10, 10, 15))
    assert variables["call_purpose"] == "recall" and variables["appointment_time"] == "Tuesday, March 10 at 10:00 AM EDT"
    # New slots from availability: the branch opens 06:00-22:00, slots every 30 minutes from the opening.
    assert variables["offered_times"] == ("Tuesday, March 10 at 10:30 AM EDT; Tuesday, March 10 at 11:00 AM EDT; "
                                          "Tuesday, March 10 at 11:30 AM EDT")
    assert variables["offered_slots"].split("; ")[0] == "2026-03-10T10:30:00-04:00"


def test_a_late_no_show_is_recalled_in_the_next_calling_window_of_the_lead(ladder_gym, la_lead):
    tour = appointment(la_lead, at(LA, 2026, 3, 10, 18, 50))
    appointment_set_status(appointment=tour, status=AppointmentStatus.NO_SHOW, actor=STAFF)
    assert run(ladder_gym, at(LA, 2026, 3, 10, 19, 5)).recalls == []  # after 19:00 in Los Angeles
    assert run(ladder_gym, at(LA, 2026, 3, 11, 8, 59)).recalls == []
    [call] = run(ladder_gym, at(LA, 2026, 3, 11, 9)).recalls
    assert call.appointment_id == tour.pk


def test_no_recall_when_off_rebooked_old_do_not_call_or_lost(ladder_gym, ny_lead, branch):
    start, now = at(NY, 2026, 3, 10, 10), at(NY, 2026, 3, 10, 11)
    rebooked = appointment(ny_lead, start, status="no_show")
    appointment(ny_lead, at(NY, 2026, 3, 12, 10))  # already booked again
    appointment(LeadFactory(gym=ladder_gym, branch=branch, do_not_call=True), start, status="no_show")
    appointment(LeadFactory(gym=ladder_gym, branch=branch, status=LeadStatus.LOST), start, status="no_show")
    appointment(LeadFactory(gym=ladder_gym, branch=branch), start - dt.timedelta(days=8), status="no_show")
    assert run(ladder_gym, now).recalls == []
    waiting = appointment(LeadFactory(gym=ladder_gym, branch=branch), start, status="no_show")
    ladder_gym.recall_calls_enabled = False
    ladder_gym.save()
    assert run(ladder_gym, now).recalls == []
    ladder_gym.recall_calls_enabled = True
    ladder_gym.save()
    assert [c.appointment_id for c in run(ladder_gym, now).recalls] == [waiting.pk]
    assert ladder_calls(rebooked) == []


def test_rebooking_within_a_week_recovers_the_no_show(ladder_gym, ny_lead, branch):
    recent = appointment(ny_lead, dt.datetime.now(dt.UTC) - dt.timedelta(days=2), status="scheduled")
    appointment_set_status(appointment=recent, status=AppointmentStatus.NO_SHOW, actor=STAFF)
    recent.refresh_from_db()
    assert recent.rebooked_as_id is None
    new = appointment_book(gym=ladder_gym, actor=STAFF, lead=ny_lead, type="tour",
                           start=dt.datetime.now(dt.UTC) + dt.timedelta(days=3), duration=60)
    recent.refresh_from_db()
    assert recent.rebooked_as_id == new.pk
    # Marked a no-show late, after the lead booked again: linked at once.
    late = appointment(ny_lead, dt.datetime.now(dt.UTC) - dt.timedelta(hours=3), status="scheduled")
    Appointment.all_gyms.filter(pk=new.pk).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    appointment_set_status(appointment=late, status=AppointmentStatus.NO_SHOW, actor=STAFF)
    late.refresh_from_db()
    assert late.rebooked_as_id == new.pk
    # A booking more than a week after the no-show recovers nothing.
    old = appointment(LeadFactory(gym=ladder_gym, branch=branch), dt.datetime.now(dt.UTC) - dt.timedelta(days=9),
                      status="no_show")
    appointment_book(gym=ladder_gym, actor=STAFF, lead=old.lead, type="tour",
                     start=dt.datetime.now(dt.UTC) + dt.timedelta(days=1), duration=60)
    old.refresh_from_db()
    assert old.rebooked_as_id is None


# --- needs an outcome ------------------------------------------------------------------------


def test_needs_an_outcome_once_the_day_is_over_in_the_branch_time_zone(ladder_gym, ny_lead, branch):
    hawaii = BranchFactory(gym=ladder_gym, name="Waikiki", timezone="Pacific/Honolulu")
    now = dt.datetime(2026, 3, 11, 5, tzinfo=dt.UTC)  # 01:00 on the 11th in New York, 19:00 on the 10th in Honolulu
    in_ny = appointment(ny_lead, at(NY, 2026, 3, 10, 12), status="confirmed")
    appointment(LeadFactory(gym=ladder_gym, branch=hawaii), at(HAWAII, 2026, 3, 10, 12))
    late = appointment(LeadFactory(gym=ladder_gym, branch=branch), at(NY, 2026, 3, 10, 23, 30))  # ends after midnight
    appointment(LeadFactory(gym=ladder_gym, branch=branch), at(NY, 2026, 3, 9, 12), status="completed")
    waiting = appointments_needing_outcome(Appointment.objects.for_gym(ladder_gym), gym=ladder_gym, now=now)
    assert list(waiting) == [in_ny]
    later = appointments_needing_outcome(Appointment.objects.for_gym(ladder_gym), gym=ladder_gym,
                                         now=now + dt.timedelta(days=1))
    assert len(later) == 3 and late in later
    # Never marked by the engine: still what staff left.
    run(ladder_gym, now + dt.timedelta(days=1))
    assert in_ny.status == Appointment.all_gyms.get(pk=in_ny.pk).status == "confirmed"


def test_a_run_with_nothing_due_reads_a_fixed_number_of_queries(ladder_gym, branch):
    def queries(leads):
        for n in range(leads):
            lead = LeadFactory(gym=ladder_gym, branch=branch, phone=f"+1415555{leads * 100 + n:04d}")
            appointment(lead, at(NY, 2026, 3, 11, 10) + dt.timedelta(minutes=30 * n))  # due on the 10th
            appointment(lead, at(NY, 2026, 3, 9, 10) + dt.timedelta(minutes=30 * n), status="no_show")
        with CaptureQueriesContext(connection) as captured:
            run(ladder_gym, at(NY, 2026, 3, 9, 23))  # outside calling hours: nothing due
        return len(captured)

    assert queries(2) == queries(8)
