"""Statuses (contract's transitions), rescheduling, and the lead's timeline."""

import pytest

from appointments.models import Appointment, AppointmentStatus
from appointments.services import TRANSITIONS
from leads.models import LeadActivity

from .conftest import detail, local_day
from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    "scheduled": {"confirmed", "completed", "canceled", "no_show", "rescheduled"},
    "confirmed": {"completed", "canceled", "no_show", "rescheduled"},
}
CASES = [(old, new, new in ALLOWED.get(old, set())) for old in AppointmentStatus.values
         for new in AppointmentStatus.values]


def test_transition_table_is_the_contracts():
    assert {old: set(new) for old, new in TRANSITIONS.items()} == ALLOWED


@pytest.mark.parametrize("old,new,allowed", CASES, ids=[f"{o}->{n}" for o, n, _ in CASES])
def test_status_change_follows_the_lifecycle(agent_client, gym, lead, old, new, allowed):
    appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, status=old)
    response = agent_client.patch(detail(appointment.id, "/status"), {"status": new}, format="json")
    appointment.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.content
        assert set(response.json()) == {"id", "status", "updated_at"} and response.json()["status"] == new
        assert appointment.status == new
    else:
        assert response.status_code == 409
        assert f'"{old}" cannot become "{new}"' in response.json()["detail"]
        assert appointment.status == old


def test_status_change_is_on_the_timeline(agent_client, agent_user, gym, lead):
    appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
    agent_client.put(detail(appointment.id, "/status"), {"status": "confirmed"}, format="json")
    entry = LeadActivity.objects.for_gym(gym).get(lead=lead)
    assert entry.type == "appointment_status_changed" and entry.actor_user == agent_user
    assert entry.data == {"appointment_id": str(appointment.id), "from": "scheduled", "to": "confirmed"}


@pytest.mark.parametrize("body", [{}, {"status": "done"}, {"status": None}])
def test_bad_status_body_is_400(agent_client, gym, lead, body):
    appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
    assert agent_client.patch(detail(appointment.id, "/status"), body, format="json").status_code == 400


def test_patch_with_status_follows_the_lifecycle_and_same_status_is_no_change(agent_client, gym, lead):
    appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, status="completed")
    assert agent_client.patch(detail(appointment.id), {"status": "completed", "notes": "ok"},
                              format="json").status_code == 200
    assert agent_client.patch(detail(appointment.id), {"status": "scheduled"}, format="json").status_code == 409
    assert not LeadActivity.objects.for_gym(gym).exists()


class TestReschedule:
    def test_old_becomes_rescheduled_and_new_links_to_it(self, book, agent_client, gym, coach, lead):
        old = book(date=f"{local_day()}T10:00:00", staff_id=str(coach.id), notes="Bring shoes").json()
        agent_client.patch(detail(old["id"], "/status"), {"status": "confirmed"}, format="json")
        response = agent_client.post(detail(old["id"], "/reschedule"), {"date": f"{local_day(8)}T15:00:00"},
                                     format="json")
        assert response.status_code == 201, response.content
        new = response.json()
        assert new["rescheduled_from"] == old["id"] and new["id"] != old["id"]
        assert new["status"] == "scheduled" and new["date"].startswith(f"{local_day(8)}T15:00:00")
        assert (new["staff_id"], new["type"], new["duration"], new["notes"], new["branch_id"]) == (
            str(coach.id), "tour", 60, "Bring shoes", old["branch_id"])
        assert Appointment.objects.for_gym(gym).get(pk=old["id"]).status == "rescheduled"
        types = list(LeadActivity.objects.for_gym(gym).filter(lead=lead).order_by("created_at", "id")
                     .values_list("type", "data"))
        assert [t for t, _ in types] == ["appointment_booked", "appointment_status_changed",
                                         "appointment_status_changed", "appointment_booked"]
        assert types[2][1] == {"appointment_id": old["id"], "from": "confirmed", "to": "rescheduled"}
        assert types[3][1]["rescheduled_from"] == old["id"]

    def test_new_duration(self, book, agent_client):
        old = book().json()
        new = agent_client.post(detail(old["id"], "/reschedule"), {"date": f"{local_day(9)}T09:00:00",
                                                                   "duration": 30}, format="json").json()
        assert new["duration"] == 30

    @pytest.mark.parametrize("status", ["completed", "canceled", "no_show", "rescheduled"])
    def test_final_appointments_cannot_be_rescheduled(self, agent_client, gym, lead, status):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, status=status)
        response = agent_client.post(detail(appointment.id, "/reschedule"), {"date": f"{local_day(9)}T09:00:00"},
                                     format="json")
        assert response.status_code == 409

    @pytest.mark.parametrize("body", [{}, {"date": "2027-03-14T02:15:00"}, {"date": "soon"},
                                      {"date": f"{local_day(9)}T09:00:00", "duration": 200}])
    def test_bad_reschedule_body_is_400(self, agent_client, gym, lead, body):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
        assert agent_client.post(detail(appointment.id, "/reschedule"), body, format="json").status_code == 400
        appointment.refresh_from_db()
        assert appointment.status == "scheduled"
