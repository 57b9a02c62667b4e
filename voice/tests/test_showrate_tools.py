"""The voice agent's tools on a confirmation or recall call: confirm, cancel with the reason, move."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.conftest import local_day
from appointments.tests.factories import AppointmentFactory
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

pytestmark = pytest.mark.django_db
CONFIRM, CANCEL = "/api/voice/appointments/confirm", "/api/voice/appointments/cancel"
MOVE = "/api/voice/appointments/reschedule"


@pytest.fixture
def tour(gym, branch):
    lead = LeadFactory(gym=gym, branch=branch, phone="+14155550142")
    return AppointmentFactory(gym=gym, lead=lead, branch=branch, date=timezone.now() + dt.timedelta(days=1))


def test_the_lead_confirms(key_client, tour):
    response = key_client.post(CONFIRM, {"appointment_id": str(tour.pk)}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    tour.refresh_from_db()
    assert tour.caller_confirmed_at is not None
    assert key_client.post(CONFIRM, {"appointment_id": str(tour.pk)}, format="json").status_code == 200  # again


def test_the_lead_cancels_with_a_reason(key_client, tour):
    assert key_client.post(CANCEL, {"appointment_id": str(tour.pk)}, format="json").status_code == 400
    response = key_client.post(CANCEL, {"appointment_id": str(tour.pk), "reason": "Found a gym closer to home"},
                               format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "canceled"
    entry = LeadActivity.all_gyms.get(lead=tour.lead, type="appointment_status_changed")
    assert entry.data["reason"] == "Found a gym closer to home"
    again = key_client.post(CONFIRM, {"appointment_id": str(tour.pk)}, format="json")
    assert again.status_code == 409 and "canceled" in again.json()["detail"]


def test_the_lead_moves_to_another_time(key_client, tour, gym, branch):
    day = local_day(9)
    response = key_client.post(MOVE, {"appointment_id": str(tour.pk), "date": f"{day}T11:00:00"}, format="json")
    assert response.status_code == 201, response.content
    new = Appointment.all_gyms.get(pk=response.json()["id"])
    assert response.json()["date"].startswith(f"{day}T11:00:00") and new.status == "scheduled"
    assert new.rescheduled_from_id == tour.pk
    # The lead has another appointment a day later: moving onto it answers with the next free slots.
    taken = AppointmentFactory(gym=gym, lead=new.lead, branch=branch, date=new.date + dt.timedelta(days=1))
    conflict = key_client.post(MOVE, {"appointment_id": str(new.pk), "date": taken.date.isoformat()}, format="json")
    assert conflict.status_code == 409, conflict.content
    assert conflict.json()["existing_id"] == str(taken.pk) and len(conflict.json()["next_available_slots"]) == 3
    # The old one is rescheduled, so final: the lifecycle's 409, no slots.
    final = key_client.post(MOVE, {"appointment_id": str(tour.pk), "date": f"{day}T12:00:00"}, format="json")
    assert final.status_code == 409 and "existing_id" not in final.json()
    bad = key_client.post(MOVE, {"appointment_id": str(new.pk), "date": "next tuesday"}, format="json")
    assert bad.status_code == 400 and "date" in bad.json()


def test_another_gyms_appointment_reads_as_unknown(key_client, other_gym):
    theirs = AppointmentFactory(gym=other_gym, branch=BranchFactory(gym=other_gym))
    for url in (CONFIRM, CANCEL, MOVE):
        response = key_client.post(url, {"appointment_id": str(theirs.pk), "reason": "x", "date": "2030-01-01T10:00"},
                                   format="json")
        assert response.status_code == 400 and "appointment_id" in response.json()
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"
