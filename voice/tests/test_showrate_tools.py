"""The voice agent's tools on a confirmation or recall call: confirm, cancel with the reason, move.
Each receives what Retell sends a custom function ({"name", "call", "args"}, the call object built
with the SDK's own type) and finds the appointment in the call's dynamic variables."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.conftest import local_day
from appointments.tests.factories import AppointmentFactory
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

from .fake_retell import sdk_call

pytestmark = pytest.mark.django_db
CONFIRM, CANCEL = "/api/voice/appointments/confirm", "/api/voice/appointments/cancel"
MOVE = "/api/voice/appointments/reschedule"


@pytest.fixture
def tour(gym, branch):
    lead = LeadFactory(gym=gym, branch=branch, phone="+14155550142")
    return AppointmentFactory(gym=gym, lead=lead, branch=branch, date=timezone.now() + dt.timedelta(days=1))


def confirmation_call(appointment):
    """The call object of a confirmation call we placed: the appointment in its dynamic variables."""
    return sdk_call(call_id="call_confirm_0001", call_status="ongoing", direction="outbound",
                    to_number=appointment.lead.phone,
                    metadata={"lead_id": str(appointment.lead_id), "call_id": "8a3c6a6e-0d1e-4a8e-9a55-0c1f7f0e1a11"},
                    retell_llm_dynamic_variables={"appointment_id": str(appointment.pk),
                                                  "call_purpose": "confirmation"})


def retell(client, url, name, args, call):
    return client.post(url, {"name": name, "call": call, "args": args}, format="json")


def test_the_lead_confirms_the_appointment_of_the_call(key_client, tour):
    response = retell(key_client, CONFIRM, "confirm_appointment", {}, confirmation_call(tour))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmed"] is True and body["appointment"]["status"] == "confirmed"
    assert body["message"].startswith("Confirmed: tour at Main")
    tour.refresh_from_db()
    assert tour.caller_confirmed_at is not None
    again = retell(key_client, CONFIRM, "confirm_appointment", {}, confirmation_call(tour))
    assert again.status_code == 200 and again.json()["confirmed"] is True  # asked twice: still confirmed


def test_the_arguments_alone_name_the_appointment(key_client, tour):
    response = key_client.post(CONFIRM, {"appointment_id": str(tour.pk)}, format="json")  # "args only"
    assert response.status_code == 200 and response.json()["confirmed"] is True


def test_the_lead_cancels_with_a_reason(key_client, tour):
    call = confirmation_call(tour)
    missing = retell(key_client, CANCEL, "cancel_appointment", {}, call)
    assert missing.status_code == 400 and "reason" in missing.json()
    response = retell(key_client, CANCEL, "cancel_appointment", {"reason": "Found a gym closer to home"}, call)
    assert response.status_code == 200, response.content
    assert response.json()["canceled"] is True and response.json()["appointment"]["status"] == "canceled"
    entry = LeadActivity.all_gyms.get(lead=tour.lead, type="appointment_status_changed")
    assert entry.data["reason"] == "Found a gym closer to home"
    # A canceled appointment cannot be confirmed: an answer the agent can say, not a failed function.
    again = retell(key_client, CONFIRM, "confirm_appointment", {}, call)
    assert again.status_code == 200, again.content
    assert again.json()["confirmed"] is False and "canceled" in again.json()["message"]


def test_the_lead_moves_to_another_time(key_client, tour, gym, branch):
    day = local_day(9)
    response = retell(key_client, MOVE, "reschedule_appointment", {"date": f"{day}T11:00:00"}, confirmation_call(tour))
    assert response.status_code == 201, response.content
    body = response.json()
    new = Appointment.all_gyms.get(pk=body["appointment"]["id"])
    assert body["rescheduled"] is True and body["appointment"]["date"].startswith(f"{day}T11:00:00")
    assert new.status == "scheduled" and new.rescheduled_from_id == tour.pk
    # The lead has another appointment a day later: moving onto it answers with the next free slots.
    taken = AppointmentFactory(gym=gym, lead=new.lead, branch=branch, date=new.date + dt.timedelta(days=1))
    conflict = retell(key_client, MOVE, "reschedule_appointment", {"date": taken.date.isoformat()},
                      confirmation_call(new))
    assert conflict.status_code == 200, conflict.content
    answer = conflict.json()
    assert answer["rescheduled"] is False and answer["existing_id"] == str(taken.pk)
    assert len(answer["next_available_slots"]) == 3 and "next free time" in answer["message"]
    # The old one is rescheduled, so final: not moved, no slots.
    final = retell(key_client, MOVE, "reschedule_appointment", {"date": f"{day}T12:00:00"}, confirmation_call(tour))
    assert final.status_code == 200 and final.json()["rescheduled"] is False
    assert final.json()["existing_id"] is None and final.json()["next_available_slots"] == []
    bad = retell(key_client, MOVE, "reschedule_appointment", {"date": "next tuesday"}, confirmation_call(new))
    assert bad.status_code == 400 and "date" in bad.json()


def test_without_an_appointment_the_agent_is_told_what_to_send(key_client, tour):
    plain = sdk_call(call_id="call_plain_0001", call_status="ongoing", direction="outbound", to_number="+14155550142")
    response = retell(key_client, CONFIRM, "confirm_appointment", {}, plain)
    assert response.status_code == 400
    assert "appointment_id dynamic variable" in response.json()["appointment_id"][0]
    tour.refresh_from_db()
    assert tour.status == "scheduled"


def test_another_gyms_appointment_reads_as_unknown(key_client, other_gym, tour):
    theirs = AppointmentFactory(gym=other_gym, branch=BranchFactory(gym=other_gym))
    nowhere = {"appointment_id": "6f1c1b7e-9d52-4a55-8d1c-111111111111"}
    for url in (CONFIRM, CANCEL, MOVE):
        args = {"reason": "x", "date": "2030-01-01T10:00"}
        response = key_client.post(url, {**args, "appointment_id": str(theirs.pk)}, format="json")
        unknown = key_client.post(url, {**args, **nowhere}, format="json")
        assert response.status_code == unknown.status_code == 400
        assert response.json()["appointment_id"] == [
            unknown.json()["appointment_id"][0].replace(nowhere["appointment_id"], str(theirs.pk))]
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"
