"""Each in-call tool receives exactly what Retell sends a custom function: POST
{"name", "call", "args"} (or the arguments at the root), and finds the caller from the call."""

import datetime as dt

import pytest

from appointments.models import Appointment
from calls.models import Call
from calls.tests.factories import CallFactory
from knowledge.tests.factories import KnowledgeEntryFactory
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

from .fake_retell import sdk_call
from .test_tools import weekday

pytestmark = pytest.mark.django_db

LOOKUP = "/api/voice/leads/lookup"
SEARCH = "/api/voice/knowledge/search"
AVAILABILITY = "/api/voice/availability"
BOOK = "/api/voice/appointments"
DO_NOT_CALL = "/api/voice/leads/do-not-call"
CALLER = "+14155550142"


def outbound_call(lead):
    """The call object of a call we placed: our ids in the metadata, the lead's number called."""
    return sdk_call(call_id="call_live_0001", call_status="ongoing", direction="outbound", to_number=lead.phone,
                    metadata={"lead_id": str(lead.id), "call_id": "8a3c6a6e-0d1e-4a8e-9a55-0c1f7f0e1a11"})


def inbound_call(number=CALLER):
    return sdk_call(call_id="call_live_0002", call_status="ongoing", direction="inbound", from_number=number,
                    to_number="+14155550100")


def retell(client, url, name, args, call):
    """POSTs the body Retell sends a custom function."""
    return client.post(url, {"name": name, "call": call, "args": args}, format="json")


@pytest.fixture
def caller(gym, branch):
    return LeadFactory(gym=gym, branch=branch, first_name="Maria", last_name="Gonzalez", phone=CALLER)


class TestLookup:
    def test_the_caller_of_an_outbound_call_by_our_lead_id(self, key_client, caller, gym):
        LeadFactory(gym=gym, phone="+14155550177")
        call = {**outbound_call(caller), "to_number": "+14155550177"}  # the metadata wins over the number
        body = retell(key_client, LOOKUP, "lookup_caller", {}, call).json()
        assert (body["found"], body["lead"]["id"]) == (True, str(caller.id))

    def test_an_inbound_caller_by_their_number(self, key_client, caller):
        body = retell(key_client, LOOKUP, "lookup_caller", {}, inbound_call("(415) 555-0142")).json()
        assert body["lead"]["id"] == str(caller.id)

    def test_arguments_at_the_root(self, key_client, caller):
        body = key_client.post(LOOKUP, {"phone": "415-555-0142"}, format="json").json()
        assert body["lead"]["id"] == str(caller.id)

    def test_an_unknown_caller_gets_the_branches_to_choose_from(self, key_client, gym, branch):
        second = BranchFactory(gym=gym, name="Uptown")
        response = retell(key_client, LOOKUP, "lookup_caller", {}, inbound_call("+12125550177"))
        assert response.status_code == 200
        body = response.json()
        assert (body["found"], body["lead"]) == (False, None)
        assert {b["id"] for b in body["branches"]} == {str(branch.id), str(second.id)}

    def test_neither_a_number_nor_a_call_is_400(self, key_client):
        response = key_client.post(LOOKUP, {"name": "lookup_caller", "args": {}}, format="json")
        assert response.status_code == 400 and "phone" in response.json()

    def test_a_body_that_is_not_an_object_is_400(self, key_client):
        assert key_client.post(LOOKUP, [1, 2], format="json").status_code == 400


def test_knowledge_search_takes_the_question_from_the_args(key_client, gym, caller):
    KnowledgeEntryFactory(gym=gym, question="Do you have a pool?", answer="Yes, a 25 metre pool at Downtown.")
    response = retell(key_client, SEARCH, "search_knowledge", {"q": "is there a pool"}, inbound_call())
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True and body["data"][0]["question"] == "Do you have a pool?"
    assert body["message"] == "Best answer: Yes, a 25 metre pool at Downtown."


class TestAvailability:
    def test_the_callers_branch_by_default(self, key_client, caller, branch):
        body = retell(key_client, AVAILABILITY, "check_availability", {"date": weekday(), "duration": 30},
                      outbound_call(caller)).json()
        assert (body["found"], body["branch_id"]) == (True, str(branch.id))
        assert all(slot["available"] for slot in body["available_slots"])

    def test_a_caller_without_a_branch_and_several_branches_is_asked(self, key_client, gym, branch):
        BranchFactory(gym=gym, name="Uptown")
        LeadFactory(gym=gym, branch=None, phone=CALLER)
        body = retell(key_client, AVAILABILITY, "check_availability", {"date": weekday()}, inbound_call()).json()
        assert (body["found"], body["available_slots"], len(body["branches"])) == (False, [], 2)

    def test_a_closed_day_is_an_answer(self, key_client, caller, branch):
        branch.opening_hours = {**branch.opening_hours, "sun": None}
        branch.save()
        sunday = dt.date.fromisoformat(weekday())
        sunday += dt.timedelta(days=6 - sunday.weekday())
        body = retell(key_client, AVAILABILITY, "check_availability", {"date": sunday.isoformat()},
                      outbound_call(caller)).json()
        assert (body["found"], body["available_slots"]) == (False, [])
        assert "Nothing is free" in body["message"]


class TestBooking:
    def test_books_the_caller_of_the_call_with_retells_exact_body(self, key_client, caller, branch):
        day = weekday()
        response = retell(key_client, BOOK, "book_appointment", {"type": "tour", "date": f"{day}T18:00:00"},
                          outbound_call(caller))
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["booked"], body["appointment"]["lead_id"], body["appointment"]["branch_id"]) == (
            True, str(caller.id), str(branch.id))
        assert LeadActivity.all_gyms.get(lead=caller, type="appointment_booked").actor_type == "voice_agent"

    def test_arguments_at_the_root_with_a_lead_id(self, key_client, caller):
        response = key_client.post(BOOK, {"lead_id": str(caller.id), "type": "tour", "date": f"{weekday()}T10:00:00"},
                                   format="json")
        assert (response.status_code, response.json()["booked"]) == (201, True)

    def test_a_new_caller_without_a_branch_books_at_the_gyms_only_branch(self, key_client, gym, branch, deliver):
        deliver({"event": "call_started", "call": inbound_call("+12125550177")})  # the webhook creates the caller
        body = retell(key_client, BOOK, "book_appointment", {"type": "tour", "date": f"{weekday()}T18:00:00"},
                      inbound_call("+12125550177")).json()
        assert body["booked"] is True and body["appointment"]["branch_id"] == str(branch.id)

    def test_with_several_branches_the_agent_is_asked_then_books_the_named_one(self, key_client, gym, branch):
        uptown = BranchFactory(gym=gym, name="Uptown")
        LeadFactory(gym=gym, branch=None, phone=CALLER)
        args = {"type": "tour", "date": f"{weekday()}T18:00:00"}
        first = retell(key_client, BOOK, "book_appointment", args, inbound_call())
        assert (first.status_code, first.json()["booked"]) == (200, False)
        assert {b["name"] for b in first.json()["branches"]} == {branch.name, "Uptown"}
        second = retell(key_client, BOOK, "book_appointment", {**args, "branch_id": str(uptown.id)}, inbound_call())
        assert second.status_code == 201 and second.json()["appointment"]["branch_id"] == str(uptown.id)

    def test_outside_opening_hours_is_an_answer_with_the_next_free_slots(self, key_client, caller):
        response = retell(key_client, BOOK, "book_appointment", {"type": "tour", "date": f"{weekday()}T22:30:00"},
                          outbound_call(caller))
        assert response.status_code == 200
        body = response.json()
        assert body["booked"] is False and "is not open" in body["message"]
        assert body["next_available_slots"][0]["start_time"][11:16] == "06:00"  # the next morning
        assert not Appointment.all_gyms.exists()

    def test_a_past_time_is_an_answer(self, key_client, caller):
        body = retell(key_client, BOOK, "book_appointment", {"type": "tour", "date": "2020-01-06T10:00:00"},
                      outbound_call(caller)).json()
        assert (body["booked"], body["message"][:13]) == (False, "That time has")

    def test_an_unknown_caller_is_an_answer(self, key_client, branch):
        response = retell(key_client, BOOK, "book_appointment", {"type": "tour", "date": f"{weekday()}T18:00:00"},
                          inbound_call("+12125550199"))
        assert (response.status_code, response.json()["booked"]) == (200, False)

    def test_malformed_arguments_stay_400(self, key_client, caller):
        response = retell(key_client, BOOK, "book_appointment", {"type": "massage", "date": "tomorrow"},
                          outbound_call(caller))
        assert response.status_code == 400 and {"type", "date"} <= set(response.json())


class TestDoNotCall:
    def test_the_caller_of_the_call_is_never_called_again(self, key_client, caller, gym):
        queued = CallFactory(gym=gym, lead=caller, status="queued", start_time=None, duration=None)
        response = retell(key_client, DO_NOT_CALL, "do_not_call", {}, outbound_call(caller))
        assert response.status_code == 200
        body = response.json()
        assert (body["found"], body["id"], body["do_not_call"], body["canceled_calls"]) == (
            True, str(caller.id), True, 1)
        caller.refresh_from_db()
        assert caller.do_not_call and Call.all_gyms.get(pk=queued.pk).status == "canceled"
        assert retell(key_client, DO_NOT_CALL, "do_not_call", {}, outbound_call(caller)).json()["canceled_calls"] == 0
        assert LeadActivity.all_gyms.filter(lead=caller, type="do_not_call_set").count() == 1

    def test_an_unknown_caller_is_an_answer(self, key_client):
        body = retell(key_client, DO_NOT_CALL, "do_not_call", {}, inbound_call("+12125550199")).json()
        assert (body["found"], body["do_not_call"]) == (False, False)

    def test_without_the_key_it_is_401(self, api_client, caller):
        assert api_client().post(DO_NOT_CALL, {"call": outbound_call(caller)}, format="json").status_code == 401
        caller.refresh_from_db()
        assert not caller.do_not_call


def test_a_null_branch_is_the_default_branch(key_client, caller, branch):
    body = retell(key_client, AVAILABILITY, "check_availability", {"date": weekday(), "branch_id": None},
                  outbound_call(caller)).json()
    assert body["branch_id"] == str(branch.id)
