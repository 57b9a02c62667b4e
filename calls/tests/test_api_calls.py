import datetime as dt

import pytest
from django.urls import reverse

from calls.models import Call
from leads.models import Lead, LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

from .factories import CallFactory, CallNoteFactory, CampaignFactory

pytestmark = pytest.mark.django_db

LIST = "/api/calls"
LIST_FIELDS = {"id", "lead_id", "lead", "branch_id", "direction", "status", "outcome", "sentiment", "start_time",
               "end_time", "duration", "scheduled_at", "notes", "summary", "recording_url", "campaign_id",
               "campaign_name", "handled_by", "external_call_id", "purpose", "appointment_id", "created_at",
               "updated_at"}
DETAIL_FIELDS = LIST_FIELDS | {"transcript", "metrics", "call_notes"}


def detail(call_id):
    return f"/api/calls/{call_id}"


@pytest.fixture
def lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch)


def ids(response):
    return [row["id"] for row in response.json()["data"]]


class TestCreate:
    def test_lead_id_alone_queues_an_outbound_call(self, agent_client, lead):
        response = agent_client.post(LIST, {"lead_id": str(lead.id)}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == DETAIL_FIELDS
        assert (body["direction"], body["status"], body["handled_by"], body["branch_id"]) == (
            "outbound", "queued", "staff", str(lead.branch_id))
        assert body["scheduled_at"] and body["transcript"] is None and body["call_notes"] == []
        assert body["lead"] == {"id": str(lead.id), "first_name": lead.first_name, "last_name": lead.last_name,
                                "phone": lead.phone, "email": lead.email}

    def test_logging_a_call_shows_on_the_lead(self, agent_client, agent_user, lead):
        response = agent_client.post(LIST, {
            "lead_id": str(lead.id), "direction": "inbound", "status": "completed", "outcome": "appointment_booked",
            "sentiment": "positive", "start_time": "2026-03-02T10:00:00-05:00", "end_time": "2026-03-02T10:04:30-05:00",
            "summary": "Booked a tour for Thursday.", "notes": "Friendly.", "recording_url": "https://rec.example.com/1.mp3",
            "transcript": "Agent: Hi!\nUser: Hello, I want a tour.\nThursday works.",
        }, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["duration"] == 270 and body["start_time"] == "2026-03-02T15:00:00Z"
        assert body["transcript"] == [
            {"speaker": "agent", "text": "Hi!", "timestamp": None},
            {"speaker": "customer", "text": "Hello, I want a tour.\nThursday works.", "timestamp": None}]
        row = Lead.all_gyms.get(pk=lead.pk)
        assert (row.call_count, row.last_called, row.last_conversation_summary, row.status) == (
            1, dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), "Booked a tour for Thursday.", "contacted")
        entries = LeadActivity.all_gyms.filter(lead=lead)
        assert set(entries.values_list("type", flat=True)) == {"call_logged", "call_outcome_set", "status_changed"}
        assert all(entry.actor_user_id == agent_user.id for entry in entries)

    def test_transcript_turns_with_timestamps_are_returned_as_sent(self, agent_client, lead):
        turns = [{"speaker": "agent", "text": "Hi", "timestamp": 0}, {"speaker": "customer", "text": "Yo", "timestamp": 1.5},
                 {"speaker": "system", "text": "Call ended", "timestamp": None}]
        response = agent_client.post(LIST, {"lead_id": str(lead.id), "transcript": turns}, format="json")
        assert response.json()["transcript"] == turns and response.json()["status"] == "completed"

    def test_naive_datetimes_are_read_in_the_branch_timezone(self, agent_client, gym):
        branch = BranchFactory(gym=gym, timezone="Europe/Paris")
        lead = LeadFactory(gym=gym, branch=branch)
        response = agent_client.post(LIST, {"lead_id": str(lead.id), "start_time": "2026-07-01T10:00:00",
                                            "scheduled_at": "2026-07-01T09:00:00"}, format="json")
        assert response.json()["start_time"] == "2026-07-01T08:00:00Z"
        assert response.json()["scheduled_at"] == "2026-07-01T07:00:00Z"

    def test_naive_datetimes_without_branch_are_read_in_the_gym_timezone(self, agent_client, gym):
        lead = LeadFactory(gym=gym, branch=None)  # the gym is in America/New_York
        response = agent_client.post(LIST, {"lead_id": str(lead.id), "start_time": "2026-01-15T10:00:00"}, format="json")
        assert response.json()["start_time"] == "2026-01-15T15:00:00Z" and response.json()["branch_id"] is None

    def test_explicit_branch_and_campaign(self, agent_client, gym, lead):
        other_branch = BranchFactory(gym=gym)
        campaign = CampaignFactory(gym=gym, name="Spring")
        response = agent_client.post(LIST, {"lead_id": str(lead.id), "branch_id": str(other_branch.id),
                                            "campaign_id": str(campaign.id)}, format="json")
        body = response.json()
        assert (body["branch_id"], body["campaign_id"], body["campaign_name"]) == (
            str(other_branch.id), str(campaign.id), "Spring")

    def test_do_not_call_lead_is_409_when_queued(self, agent_client, gym):
        lead = LeadFactory(gym=gym, do_not_call=True)
        response = agent_client.post(LIST, {"lead_id": str(lead.id)}, format="json")
        assert response.status_code == 409 and "do-not-call" in response.json()["detail"]
        response = agent_client.post(LIST, {"lead_id": str(lead.id), "direction": "inbound"}, format="json")
        assert response.status_code == 201

    def test_duplicate_external_call_id_is_409_with_existing_id(self, agent_client, gym, lead):
        first = agent_client.post(LIST, {"lead_id": str(lead.id), "external_call_id": "retell-1"}, format="json")
        again = agent_client.post(LIST, {"lead_id": str(lead.id), "external_call_id": "retell-1"}, format="json")
        assert again.status_code == 409 and again.json()["existing_id"] == first.json()["id"]

    @pytest.mark.parametrize("change,field", [
        ({"lead_id": None}, "lead_id"),
        ({"lead_id": "not-a-uuid"}, "lead_id"),
        ({"lead_id": "00000000-0000-4000-8000-000000000000"}, "lead_id"),
        ({"direction": "sideways"}, "direction"),
        ({"status": "ringing"}, "status"),
        ({"outcome": "sold"}, "outcome"),
        ({"sentiment": "ecstatic"}, "sentiment"),
        ({"handled_by": "robot"}, "handled_by"),
        ({"duration": -5}, "duration"),
        ({"duration": 10**12}, "duration"),
        ({"start_time": "2026-03-02T10:00:00Z", "end_time": "2026-03-02T09:59:59Z"}, "end_time"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"start_time": "9999-12-31T23:59:59"}, "start_time"),
        ({"transcript": [{"speaker": "bot", "text": "hi"}]}, "transcript"),
        ({"transcript": "Hello without a prefix"}, "transcript"),
        ({"transcript": {"speaker": "agent"}}, "transcript"),
        ({"recording_url": "not a url"}, "recording_url"),
        ({"campaign_id": "00000000-0000-4000-8000-000000000000"}, "campaign_id"),
        ({"branch_id": "00000000-0000-4000-8000-000000000000"}, "branch_id"),
    ])
    def test_bad_input_is_400_naming_the_field_and_writes_nothing(self, agent_client, lead, change, field):
        body = {"lead_id": str(lead.id), **change}
        if body["lead_id"] is None:
            del body["lead_id"]
        response = agent_client.post(LIST, body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert not Call.all_gyms.exists()

    def test_other_gyms_ids_are_rejected_like_unknown_ones(self, agent_client, other_gym, lead):
        foreign = {"lead_id": str(LeadFactory(gym=other_gym).id),
                   "campaign_id": str(CampaignFactory(gym=other_gym).id),
                   "branch_id": str(BranchFactory(gym=other_gym).id)}
        unknown = dict.fromkeys(foreign, "00000000-0000-4000-8000-000000000000")
        for name in foreign:
            body = {"lead_id": str(lead.id), name: foreign[name]}
            answer = agent_client.post(LIST, body, format="json")
            missing = agent_client.post(LIST, {**body, name: unknown[name]}, format="json")
            assert answer.status_code == 400 and answer.json() == missing.json(), name


class TestReadUpdateDelete:
    def test_detail_shows_transcript_metrics_and_notes(self, agent_client, gym, admin_user):
        call = CallFactory(gym=gym, transcript=[{"speaker": "agent", "text": "Hi", "timestamp": 0}],
                           metrics={"latency_ms": 800})
        CallNoteFactory(gym=gym, call=call, author=admin_user, content="first")
        CallNoteFactory(gym=gym, call=call, author=None, content="second")
        body = agent_client.get(detail(call.id)).json()
        assert set(body) == DETAIL_FIELDS and body["metrics"] == {"latency_ms": 800}
        assert [(n["content"], n["created_by"]) for n in body["call_notes"]] == [
            ("first", {"id": str(admin_user.id), "first_name": admin_user.first_name,
                       "last_name": admin_user.last_name}),
            ("second", None)]

    def test_detail_costs_the_same_queries_for_many_notes(self, agent_client, gym, data_queries):
        call = CallFactory(gym=gym)
        CallNoteFactory.create_batch(5, gym=gym, call=call)
        with data_queries(3):  # user, call (lead, campaign), notes (authors)
            assert len(agent_client.get(detail(call.id)).json()["call_notes"]) == 5

    def test_patch_and_put_are_partial_and_show_new_values(self, agent_client, lead):
        call_id = agent_client.post(LIST, {"lead_id": str(lead.id)}, format="json").json()["id"]
        response = agent_client.patch(detail(call_id), {"status": "completed", "start_time": "2026-03-02T10:00:00Z",
                                                        "duration": 95, "summary": "Asked about parking."},
                                      format="json")
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["duration"]) == ("completed", 95)
        response = agent_client.put(detail(call_id), {"sentiment": "positive", "lead_id": str(lead.id)}, format="json")
        assert response.status_code == 200 and response.json()["sentiment"] == "positive"
        assert response.json()["summary"] == "Asked about parking."
        row = Lead.all_gyms.get(pk=lead.pk)
        assert (row.call_count, row.status, row.last_conversation_summary) == (1, "contacted", "Asked about parking.")

    def test_update_cannot_move_a_call_to_another_lead(self, agent_client, gym, lead):
        call = CallFactory(gym=gym, lead=lead)
        response = agent_client.patch(detail(call.id), {"lead_id": str(LeadFactory(gym=gym).id)}, format="json")
        assert response.status_code == 400 and "lead_id" in response.json()

    def test_update_validates_against_stored_values(self, agent_client, gym):
        call = CallFactory(gym=gym, start_time=dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC))
        response = agent_client.patch(detail(call.id), {"end_time": "2026-03-02T14:00:00Z"}, format="json")
        assert response.status_code == 400 and "end_time" in response.json()

    def test_naive_update_is_read_in_the_calls_branch_timezone(self, agent_client, gym):
        call = CallFactory(gym=gym, lead=LeadFactory(gym=gym, branch=BranchFactory(gym=gym, timezone="Asia/Tokyo")))
        response = agent_client.patch(detail(call.id), {"start_time": "2026-03-02T09:00:00", "end_time": None},
                                      format="json")
        assert response.json()["start_time"] == "2026-03-02T00:00:00Z"

    def test_only_managers_and_admins_delete(self, agent_client, manager_client, gym):
        call = CallFactory(gym=gym)
        assert agent_client.delete(detail(call.id)).status_code == 403
        assert manager_client.delete(detail(call.id)).status_code == 204
        assert manager_client.delete(detail(call.id)).status_code == 404

    def test_delete_recomputes_the_lead(self, admin_client, lead):
        for start in ("2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"):
            admin_client.post(LIST, {"lead_id": str(lead.id), "status": "completed", "start_time": start}, format="json")
        latest = Call.all_gyms.order_by("-start_time").first()
        assert admin_client.delete(detail(latest.id)).status_code == 204
        row = Lead.all_gyms.get(pk=lead.pk)
        assert (row.call_count, row.last_called) == (1, dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC))

    def test_malformed_and_unknown_ids_are_404(self, agent_client):
        assert agent_client.get(detail("not-a-uuid")).status_code == 404
        assert agent_client.get(detail("00000000-0000-4000-8000-000000000000")).status_code == 404

    def test_anonymous_is_401(self, api_client):
        assert api_client().get(LIST).status_code == 401


class TestOutcome:
    def test_put_and_patch_set_the_outcome(self, agent_client, gym, lead):
        call = CallFactory(gym=gym, lead=lead)
        response = agent_client.put(f"{detail(call.id)}/outcome", {"outcome": "callback_requested"}, format="json")
        assert response.status_code == 200
        assert set(response.json()) == {"id", "outcome", "updated_at"}
        response = agent_client.patch(f"{detail(call.id)}/outcome/", {"outcome": "appointment_booked"}, format="json")
        assert response.json()["outcome"] == "appointment_booked"
        booked = LeadActivity.all_gyms.filter(lead=lead, type="call_outcome_set", data__outcome="appointment_booked")
        assert booked.count() == 1

    @pytest.mark.parametrize("body", [{}, {"outcome": "sold"}, {"outcome": None}])
    def test_bad_outcome_is_400(self, agent_client, gym, body):
        call = CallFactory(gym=gym)
        response = agent_client.put(f"{detail(call.id)}/outcome", body, format="json")
        assert response.status_code == 400 and "outcome" in response.json()

    def test_route_name(self):
        assert reverse("call-outcome", args=["00000000-0000-4000-8000-000000000000"]) == (
            "/api/calls/00000000-0000-4000-8000-000000000000/outcome")


class TestNotes:
    def test_post_note_then_list_it(self, agent_client, agent_user, gym):
        call = CallFactory(gym=gym)
        response = agent_client.post(f"{detail(call.id)}/notes", {"content": "  Call back after 6pm. "}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "call_id", "content", "created_at", "created_by"}
        assert (body["call_id"], body["content"], body["created_by"]["id"]) == (
            str(call.id), "Call back after 6pm.", str(agent_user.id))
        listed = agent_client.get(f"{detail(call.id)}/notes").json()
        assert listed["pagination"] == {"total": 1, "page": 1, "limit": 10, "pages": 1}
        assert listed["data"][0]["id"] == body["id"] and "call_id" not in listed["data"][0]
        assert LeadActivity.all_gyms.filter(lead=call.lead, type="note_added").count() == 1

    @pytest.mark.parametrize("body", [{}, {"content": ""}, {"content": "   "}, {"content": "x" * 10_001}])
    def test_empty_or_huge_note_is_400(self, agent_client, gym, body):
        call = CallFactory(gym=gym)
        response = agent_client.post(f"{detail(call.id)}/notes", body, format="json")
        assert response.status_code == 400 and "content" in response.json()

    @pytest.mark.parametrize("rows", [1, 30])
    def test_note_list_is_paginated_in_constant_queries(self, agent_client, gym, rows, data_queries):
        call = CallFactory(gym=gym)
        CallNoteFactory.create_batch(rows, gym=gym, call=call)
        with data_queries(4):  # user, call, count, notes with authors
            response = agent_client.get(f"{detail(call.id)}/notes", {"limit": 50})
        assert len(response.json()["data"]) == rows

    def test_notes_of_a_missing_call_are_404(self, agent_client):
        assert agent_client.get(f"{detail('00000000-0000-4000-8000-000000000000')}/notes").status_code == 404


class TestBranchDeletion:
    def test_a_branch_holding_calls_cannot_be_deleted(self, admin_client, gym):
        other = BranchFactory(gym=gym)
        CallFactory(gym=gym, branch=other)  # its lead is in another branch
        assert admin_client.delete(f"/api/settings/branches/{other.id}").status_code == 409

    def test_deleting_a_campaigns_branch_makes_it_gym_wide(self, admin_client, gym):
        other = BranchFactory(gym=gym)
        campaign = CampaignFactory(gym=gym, branch=other)
        assert admin_client.delete(f"/api/settings/branches/{other.id}").status_code == 204
        assert admin_client.get(f"/api/settings/campaigns/{campaign.id}").json()["branch_id"] is None
