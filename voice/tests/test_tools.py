"""The in-call tools: what the agent asks mid-call, with the gym's API key (and nothing else)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.models import Appointment
from appointments.tests.conftest import local_day
from appointments.tests.factories import AppointmentFactory
from calls.tests.factories import CallFactory
from knowledge.tests.factories import KnowledgeEntryFactory
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.api_keys import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db

LOOKUP = "/api/voice/leads/lookup"
SEARCH = "/api/voice/knowledge/search"
AVAILABILITY = "/api/voice/availability"
BOOK = "/api/voice/appointments"
DUE = "/api/voice/calls/due"


def do_not_call(lead_id):
    return f"/api/voice/leads/{lead_id}/do-not-call"


def weekday():
    """A day ahead, Monday to Friday (the branches' default hours: 06:00-22:00), without a clock change."""
    days = 7
    while dt.date.fromisoformat(local_day(days)).weekday() >= 5:
        days += 1
    return local_day(days)


def client_with_key(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def caller(gym, branch):
    return LeadFactory(gym=gym, branch=branch, first_name="Maria", last_name="Gonzalez", phone="+14155550142",
                       interest="family plan", last_conversation_summary="Asked about prices.")


class TestLookup:
    def test_the_callers_lead_with_its_context(self, key_client, caller, branch):
        soon = AppointmentFactory(gym=caller.gym, lead=caller, branch=branch, date=timezone.now() + dt.timedelta(days=2))
        AppointmentFactory(gym=caller.gym, lead=caller, branch=branch, date=timezone.now() + dt.timedelta(days=5))
        AppointmentFactory(gym=caller.gym, lead=caller, branch=branch, status="canceled",
                           date=timezone.now() + dt.timedelta(days=1))
        response = key_client.get(LOOKUP, {"phone": "(415) 555-0142"})
        assert response.status_code == 200, response.content
        answer = response.json()
        assert (answer["found"], answer["message"]) == (True, "The caller is Maria Gonzalez.")
        assert [b["id"] for b in answer["branches"]] == [str(branch.id)]
        body = answer["lead"]
        assert (body["id"], body["status"], body["interest"], body["last_conversation_summary"], body["do_not_call"]) == (
            str(caller.id), "new", "family plan", "Asked about prices.", False)
        assert body["branch_name"] == branch.name
        assert body["next_appointment"]["id"] == str(soon.id)
        assert body["next_appointment"]["date"].endswith(("-05:00", "-04:00"))  # the branch's offset

    def test_no_appointment_reads_null(self, key_client, caller):
        assert key_client.get(LOOKUP, {"phone": caller.phone}).json()["lead"]["next_appointment"] is None

    def test_an_unknown_number_is_an_answer_not_an_error(self, key_client, caller, branch):
        response = key_client.get(LOOKUP, {"phone": "+14155550199"})
        assert response.status_code == 200
        body = response.json()
        assert (body["found"], body["lead"]) == (False, None)
        assert "not in our records" in body["message"]
        assert body["branches"][0]["opening_hours"]["mon"] == ["06:00", "22:00"]

    @pytest.mark.parametrize("query", [{}, {"phone": ""}, {"phone": "not a number"}, {"phone": "+1 555"}])
    def test_a_missing_or_invalid_number_is_400(self, key_client, query):
        response = key_client.get(LOOKUP, query)
        assert response.status_code == 400 and "phone" in response.json()

    def test_another_gyms_lead_is_not_found(self, key_client, other_gym):
        LeadFactory(gym=other_gym, phone="+14155550177")
        assert key_client.get(LOOKUP, {"phone": "+14155550177"}).json()["found"] is False


class TestDoNotCall:
    def test_marks_the_lead_and_its_timeline_names_the_voice_agent(self, key_client, caller):
        response = key_client.post(do_not_call(caller.id))
        assert response.status_code == 200
        assert (response.json()["do_not_call"], response.json()["found"]) == (True, True)
        caller.refresh_from_db()
        assert caller.do_not_call
        entry = LeadActivity.all_gyms.get(lead=caller)
        assert (entry.type, entry.actor_type, entry.actor_name) == ("do_not_call_set", "voice_agent", "AI voice agent")

    def test_another_gyms_lead_is_404_like_a_random_id(self, key_client, other_gym):
        foreign = LeadFactory(gym=other_gym)
        for lead_id in (foreign.id, "0d4e6f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"):
            response = key_client.post(do_not_call(lead_id))
            assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
        foreign.refresh_from_db()
        assert not foreign.do_not_call


class TestKnowledge:
    def test_the_same_search_as_the_staff_api(self, key_client, admin_client, gym, branch):
        KnowledgeEntryFactory(gym=gym, question="How much does a membership cost?",
                              answer="Basic is $39 per month and Premium is $69 per month.")
        KnowledgeEntryFactory(gym=gym, question="Do you have a pool?", answer="Yes, a 25 metre pool at Downtown.")
        query = {"q": "membership price per month", "branch_id": str(branch.id), "limit": 1}
        machine, staff = key_client.get(SEARCH, query), admin_client.get("/api/knowledge/search", query)
        assert machine.status_code == 200
        assert machine.json()["data"] == staff.json()["data"]
        assert machine.json()["data"][0]["question"] == "How much does a membership cost?"
        assert machine.json()["found"] is True and "$39" in machine.json()["message"]

    def test_nothing_found_is_an_answer(self, key_client):
        body = key_client.get(SEARCH, {"q": "sauna"}).json()
        assert (body["found"], body["data"]) == (False, [])
        assert "call back" in body["message"]

    def test_q_is_required_and_another_gyms_branch_is_400(self, key_client, other_gym):
        from tenants.tests.factories import BranchFactory

        assert "q" in key_client.get(SEARCH).json()
        response = key_client.get(SEARCH, {"q": "pool", "branch_id": str(BranchFactory(gym=other_gym).id)})
        assert response.status_code == 400 and "branch_id" in response.json()


class TestAvailabilityAndBooking:
    def test_availability_is_the_branchs_day(self, key_client, admin_client, branch):
        query = {"branch_id": str(branch.id), "date": local_day(), "duration": 30}
        machine = key_client.get(AVAILABILITY, query)
        assert machine.status_code == 200
        staff = admin_client.get("/api/appointments/availability", query).json()
        assert machine.json()["available_slots"] == [s for s in staff["available_slots"] if s["available"]]
        assert machine.json()["available_slots"] and machine.json()["date"] == local_day()
        assert (machine.json()["found"], machine.json()["timezone"]) == (True, staff["timezone"])

    def test_booking_as_the_voice_agent(self, key_client, caller, branch):
        response = key_client.post(BOOK, {"lead_id": str(caller.id), "type": "tour",
                                          "date": f"{local_day()}T18:00:00"}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["booked"] is True and response.json()["message"].startswith("Booked: tour at ")
        body = response.json()["appointment"]
        assert (body["duration"], body["branch_id"], body["created_by"]) == (60, str(branch.id), None)
        entry = LeadActivity.all_gyms.get(lead=caller, type="appointment_booked")
        assert entry.actor_type == "voice_agent"

    def test_a_taken_time_is_an_answer_with_the_next_free_slots(self, key_client, caller, gym, branch):
        other, day = LeadFactory(gym=gym, branch=branch), weekday()
        first = key_client.post(BOOK, {"lead_id": str(caller.id), "type": "tour", "date": f"{day}T18:00:00"},
                                format="json")
        assert first.status_code == 201
        response = key_client.post(BOOK, {"lead_id": str(caller.id), "type": "consultation",
                                          "date": f"{day}T18:30:00", "duration": 30}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["booked"] is False and body["appointment"] is None
        assert body["existing_id"] == first.json()["appointment"]["id"] and "Double booking" in body["message"]
        starts = [slot["start_time"][11:16] for slot in body["next_available_slots"]]
        assert starts == ["19:00", "19:30", "20:00"]  # after the caller's 18:00-19:00 tour
        assert Appointment.all_gyms.count() == 1
        assert key_client.post(BOOK, {"lead_id": str(other.id), "type": "tour", "date": f"{day}T18:00:00"},
                               format="json").status_code == 201  # the branch takes two visitors at once

    @pytest.mark.parametrize("change,field", [({"type": "massage"}, "type"), ({"duration": 5}, "duration"),
                                              ({"date": "2026-13-01T10:00:00"}, "date"), ({"lead_id": "nope"}, "lead_id")])
    def test_bad_booking_input_is_400_naming_the_field(self, key_client, caller, change, field):
        body = {"lead_id": str(caller.id), "type": "tour", "date": f"{local_day()}T18:00:00", **change}
        response = key_client.post(BOOK, body, format="json")
        assert response.status_code == 400 and field in response.json()

    def test_another_gyms_lead_is_refused_like_an_unknown_one(self, key_client, other_gym):
        foreign = LeadFactory(gym=other_gym)
        answers = [key_client.post(BOOK, {"lead_id": lead_id, "type": "tour", "date": f"{local_day()}T18:00:00"},
                                   format="json") for lead_id in (str(foreign.id), "0d4e6f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6")]
        assert [a.status_code for a in answers] == [400, 400]
        assert answers[0].json() == answers[1].json() == {"lead_id": ["No such object: the id is unknown."]}


class TestDueCalls:
    def test_queued_calls_whose_time_has_come_oldest_first(self, key_client, gym, caller):
        now = timezone.now()

        def queued(minutes, **fields):
            return CallFactory(gym=gym, status="queued", start_time=None, duration=None,
                               scheduled_at=now + dt.timedelta(minutes=minutes), **fields)

        late, early = queued(-5), queued(-50)
        queued(30)  # not yet
        queued(-10, lead=LeadFactory(gym=gym, do_not_call=True))  # never dialed
        CallFactory(gym=gym, status="completed", scheduled_at=now - dt.timedelta(hours=1))
        body = key_client.get(DUE).json()
        assert [row["id"] for row in body["data"]] == [str(early.id), str(late.id)]
        assert body["pagination"] == {"total": 2, "page": 1, "limit": 10, "pages": 1}
        assert body["data"][0]["lead"]["phone"] == early.lead.phone

    def test_the_list_costs_the_same_queries_for_1_or_50_rows(self, key_client, gym, data_queries):
        for minutes in range(60):
            CallFactory(gym=gym, status="queued", start_time=None, duration=None,
                        scheduled_at=timezone.now() - dt.timedelta(minutes=minutes + 1))
        key_client.get(DUE)  # the key's last-use stamp, written at most once a minute
        for limit in (1, 50):
            with data_queries(3):  # the key, the count, the page
                assert len(key_client.get(DUE, {"limit": limit}).json()["data"]) == limit


class TestWhoMayCall:
    ENDPOINTS = [("get", LOOKUP, {"phone": "+14155550142"}), ("get", SEARCH, {"q": "pool"}), ("get", DUE, {}),
                 ("get", AVAILABILITY, {}), ("post", BOOK, {})]

    def test_a_revoked_key_is_401(self, gym, caller):
        key, raw = api_key_create(gym=gym, name="old")
        api_key_revoke(key=key)
        client = client_with_key(raw)
        for method, url, data in self.ENDPOINTS + [("post", do_not_call(caller.id), {})]:
            response = getattr(client, method)(url, data)
            assert response.status_code == 401, url
            assert response["WWW-Authenticate"] == "Api-Key"

    def test_staff_tokens_and_anonymous_callers_are_401(self, admin_client, api_client, caller):
        for client in (admin_client, api_client()):
            for method, url, data in self.ENDPOINTS + [("post", do_not_call(caller.id), {})]:
                assert getattr(client, method)(url, data).status_code == 401, url
        caller.refresh_from_db()
        assert not caller.do_not_call

    def test_another_gyms_key_sees_another_gym(self, other_gym, caller):
        _, raw = api_key_create(gym=other_gym, name="theirs")
        client = client_with_key(raw)
        assert client.get(LOOKUP, {"phone": caller.phone}).json()["found"] is False
        assert client.post(do_not_call(caller.id)).status_code == 404
        assert client.get(DUE).json()["data"] == []
