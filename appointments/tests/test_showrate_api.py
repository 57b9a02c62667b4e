"""The show-rate ladder through HTTP and the command line: the gym's settings, the "needs an
outcome" list, a ladder call's purpose and appointment, ``manage.py run_showrate``."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from calls.models import Call
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

NEEDS_OUTCOME = "/api/appointments/needs-outcome"


def test_ladder_settings_default_off_and_admins_change_them(admin_client, agent_client, gym):
    body = admin_client.get("/api/settings/gym").json()
    assert (body["confirmation_calls_enabled"], body["confirmation_hours_before"], body["no_show_margin_minutes"],
            body["recall_calls_enabled"]) == (False, 24, 15, False)
    change = {"confirmation_calls_enabled": True, "confirmation_hours_before": 48, "no_show_margin_minutes": 30,
              "recall_calls_enabled": True}
    assert agent_client.patch("/api/settings/gym", change, format="json").status_code == 403
    response = admin_client.patch("/api/settings/gym", change, format="json")
    assert response.status_code == 200, response.content
    gym.refresh_from_db()
    assert (gym.confirmation_calls_enabled, gym.confirmation_hours_before, gym.no_show_margin_minutes,
            gym.recall_calls_enabled) == (True, 48, 30, True)


@pytest.mark.parametrize("body,field", [
    ({"confirmation_hours_before": 0}, "confirmation_hours_before"),
    ({"confirmation_hours_before": 169}, "confirmation_hours_before"),
    ({"no_show_margin_minutes": -1}, "no_show_margin_minutes"),
    ({"no_show_margin_minutes": 1441}, "no_show_margin_minutes"),
    ({"recall_calls_enabled": "sometimes"}, "recall_calls_enabled"),
])
def test_ladder_settings_refuse_bad_values_by_name(admin_client, gym, body, field):
    response = admin_client.patch("/api/settings/gym", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    gym.refresh_from_db()
    assert (gym.confirmation_hours_before, gym.no_show_margin_minutes, gym.recall_calls_enabled) == (24, 15, False)


def test_needs_an_outcome_lists_active_appointments_whose_day_is_over(agent_client, gym, branch, other_gym):
    now = timezone.now()
    west = BranchFactory(gym=gym, name="West", timezone="Pacific/Honolulu")

    def book(days, status="scheduled", at=branch, **fields):
        return AppointmentFactory(gym=at.gym, branch=at, lead=LeadFactory(gym=at.gym, branch=at),
                                  date=now + dt.timedelta(days=days), status=status, **fields)

    waiting = [book(-2), book(-1, "confirmed"), book(-3, at=west)]
    book(-2, "completed"), book(-2, "no_show"), book(-1, "canceled"), book(1)
    book(-2, at=BranchFactory(gym=other_gym))
    response = agent_client.get(NEEDS_OUTCOME)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["data"]] == [str(a.pk) for a in sorted(waiting, key=lambda a: a.date)]
    assert body["pagination"]["total"] == 3
    confirmed = agent_client.get(NEEDS_OUTCOME, {"status": "confirmed"}).json()
    assert [row["id"] for row in confirmed["data"]] == [str(waiting[1].pk)]


def test_a_ladder_call_answers_with_its_purpose_and_appointment(agent_client, gym, branch):
    appointment = AppointmentFactory(gym=gym, branch=branch, lead=LeadFactory(gym=gym, branch=branch))
    call = Call.all_gyms.create(gym=gym, lead=appointment.lead, purpose="confirmation", appointment=appointment,
                                scheduled_at=timezone.now())
    detail = agent_client.get(f"/api/calls/{call.pk}").json()
    assert (detail["purpose"], detail["appointment_id"]) == ("confirmation", str(appointment.pk))
    [row] = agent_client.get("/api/calls").json()["data"]
    assert (row["purpose"], row["appointment_id"]) == ("confirmation", str(appointment.pk))


def test_run_showrate_command_queues_once(gym, branch, other_gym):
    gym.confirmation_calls_enabled = True
    gym.save()
    lead = LeadFactory(gym=gym, branch=branch, phone="+12125550123")
    AppointmentFactory(gym=gym, branch=branch, lead=lead, date=dt.datetime(2026, 3, 10, 14, tzinfo=dt.UTC))
    out = io.StringIO()
    call_command("run_showrate", "--now", "2026-03-09T10:00:00-04:00", stdout=out)
    assert "Home Gym: 1 confirmation and 0 recall calls queued" in out.getvalue()
    assert "Other Gym" not in out.getvalue()  # the ladder is off there
    out = io.StringIO()
    call_command("run_showrate", "--now", "2026-03-09T10:05:00-04:00", "--gym", str(gym.pk), stdout=out)
    assert out.getvalue().endswith("0 confirmation and 0 recall calls queued.\n")
    assert Call.all_gyms.filter(purpose="confirmation").count() == 1
    with pytest.raises(CommandError, match="No gym has the id"):
        call_command("run_showrate", "--gym", "00000000-0000-0000-0000-000000000000", stdout=io.StringIO())
    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("run_showrate", "--now", "yesterday", stdout=io.StringIO())
