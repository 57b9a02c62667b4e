"""Retell's call events become one correct call on the right lead, whatever the order or the replays."""

import datetime as dt

import pytest

from calls.models import Call
from calls.tests.factories import CallFactory
from leads.models import Lead, LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import GymFactory
from voice.models import WebhookEvent

from .conftest import sample

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 11, 25, 13, 0, tzinfo=dt.UTC)  # the sample's start_timestamp
SUMMARY = ("Maria asked about the family plan ($129/month for up to four people) and booked a tour for "
           "Thursday 6pm at the Downtown branch.")


def the_call():
    return Call.all_gyms.get()


def timeline(lead):
    return list(LeadActivity.all_gyms.filter(lead=lead).order_by("created_at", "id")
                .values_list("type", "actor_type"))


def inbound(**changes):
    """A call_ended of an inbound call from an unknown number (no metadata, no dynamic variables)."""
    payload = sample("ended", None, direction="inbound", from_number="+12125550177", to_number="+14155550100",
                     metadata={}, retell_llm_dynamic_variables={})
    payload["call"].update(changes)
    return payload


class TestTheSampleCall:
    def test_the_three_events_make_one_complete_call_on_the_lead(self, deliver, lead):
        outcomes = [deliver(sample(event, lead)).json()["outcome"] for event in ("started", "ended", "analyzed")]
        assert outcomes == ["created", "updated", "updated"]
        call = the_call()
        assert (call.lead_id, call.external_call_id, call.direction, call.status, call.handled_by) == (
            lead.id, "call_8f2c1d0e6b9a4c3f8e7d6a5b4c3d2e1f", "outbound", "completed", "ai")
        assert (call.outcome, call.sentiment, call.summary) == ("appointment_booked", "positive", SUMMARY)
        assert (call.start_time, call.end_time, call.duration) == (START, START + dt.timedelta(seconds=185), 185)
        assert call.recording_url.endswith("/recording.wav")
        assert [turn["speaker"] for turn in call.transcript] == ["agent", "customer", "agent", "customer", "agent"]
        assert call.transcript[1] == {"speaker": "customer", "text": "Yes, how much is it for two adults and a teenager?",
                                      "timestamp": 5.1}
        assert call.metrics["disconnection_reason"] == "user_hangup" and call.metrics["call_successful"] is True
        lead.refresh_from_db()
        assert (lead.call_count, lead.last_called, lead.last_conversation_summary, lead.status, lead.interest) == (
            1, START, SUMMARY, "contacted", "family plan")

    def test_the_lead_timeline_says_what_the_voice_agent_did(self, deliver, lead):
        for event in ("started", "ended", "analyzed"):
            deliver(sample(event, lead))
        assert timeline(lead) == [
            ("call_logged", "voice_agent"),  # outbound call logged (in progress)
            ("call_logged", "voice_agent"),  # in progress -> completed
            ("status_changed", "voice_agent"),  # new -> contacted after a completed call
            ("call_outcome_set", "voice_agent"),  # appointment booked
            ("lead_updated", "voice_agent"),  # interest from the analysis
        ]

    def test_each_delivery_is_kept_for_audit(self, deliver, lead):
        payloads = [sample(event, lead) for event in ("started", "ended", "analyzed")]
        for payload in payloads:
            deliver(payload)
        events = list(WebhookEvent.all_gyms.order_by("received_at", "id"))
        assert [(e.event, e.outcome, e.external_call_id) for e in events] == [
            ("call_started", "created", "call_8f2c1d0e6b9a4c3f8e7d6a5b4c3d2e1f"),
            ("call_ended", "updated", "call_8f2c1d0e6b9a4c3f8e7d6a5b4c3d2e1f"),
            ("call_analyzed", "updated", "call_8f2c1d0e6b9a4c3f8e7d6a5b4c3d2e1f")]
        assert [e.payload for e in events] == payloads
        assert {e.call_id for e in events} == {the_call().id}

    def test_the_call_shows_in_the_api_like_any_other(self, deliver, lead, admin_client):
        deliver(sample("analyzed", lead))
        body = admin_client.get(f"/api/calls/{the_call().id}").json()
        assert (body["handled_by"], body["outcome"], body["duration"], body["lead_id"]) == (
            "ai", "appointment_booked", 185, str(lead.id))


class TestReplaysAndOrder:
    def test_ten_replays_make_one_call_counted_once(self, deliver, lead):
        for _ in range(10):
            assert deliver(sample("analyzed", lead)).status_code == 200
        assert Call.all_gyms.count() == 1
        lead.refresh_from_db()
        assert lead.call_count == 1
        assert [e.outcome for e in WebhookEvent.all_gyms.order_by("received_at", "id")] == ["created"] + ["unchanged"] * 9
        assert len(timeline(lead)) == 4  # logged, contacted, outcome, interest: once

    def test_replayed_mixed_events_converge(self, deliver, lead):
        for event in ("started", "ended", "started", "analyzed", "ended", "analyzed", "started"):
            deliver(sample(event, lead))
        call = the_call()
        assert (call.status, call.outcome, call.sentiment, call.duration) == (
            "completed", "appointment_booked", "positive", 185)
        lead.refresh_from_db()
        assert lead.call_count == 1

    def test_call_started_after_call_analyzed_undoes_nothing(self, deliver, lead):
        deliver(sample("analyzed", lead))
        before = the_call()
        response = deliver(sample("started", lead, start_timestamp=1764075590000))
        assert response.json() == {"outcome": "unchanged"}
        after = the_call()
        assert (after.status, after.start_time, after.end_time, after.outcome, after.summary, after.transcript) == (
            before.status, before.start_time, before.end_time, before.outcome, before.summary, before.transcript)

    def test_call_ended_after_call_analyzed_keeps_the_analysis(self, deliver, lead):
        deliver(sample("started", lead))
        deliver(sample("analyzed", lead))
        deliver(sample("ended", lead, disconnection_reason="agent_hangup"))
        call = the_call()
        assert (call.outcome, call.sentiment, call.summary) == ("appointment_booked", "positive", SUMMARY)
        assert call.metrics["disconnection_reason"] == "user_hangup"

    def test_an_earlier_event_still_fills_what_is_missing(self, deliver, lead):
        deliver(sample("analyzed", lead, recording_url=None))
        deliver(sample("ended", lead))
        assert the_call().recording_url.endswith("/recording.wav")


class TestWhichLead:
    def test_an_unknown_inbound_caller_becomes_a_phone_lead(self, deliver, gym):
        assert deliver(inbound()).json() == {"outcome": "created"}
        lead = Lead.all_gyms.get()
        assert (lead.gym_id, lead.phone, lead.source, lead.first_name, lead.last_name) == (
            gym.id, "+12125550177", "phone", "Unknown", "caller")
        assert timeline(lead)[0] == ("lead_created", "voice_agent")
        assert the_call().direction == "inbound" and the_call().lead_id == lead.id

    def test_the_new_callers_name_comes_from_the_dynamic_variables(self, deliver):
        deliver(inbound(retell_llm_dynamic_variables={"customer_name": "Sam  de la Cruz"}))
        assert Lead.all_gyms.values_list("first_name", "last_name").get() == ("Sam", "de la Cruz")

    def test_replays_of_an_unknown_caller_make_one_lead(self, deliver):
        for _ in range(3):
            deliver(inbound())
        assert (Lead.all_gyms.count(), Call.all_gyms.count()) == (1, 1)

    def test_a_known_caller_is_found_by_the_normalised_number(self, deliver, gym, branch):
        known = LeadFactory(gym=gym, branch=branch, phone="+12125550177")
        deliver(inbound())
        assert the_call().lead_id == known.id and Lead.all_gyms.count() == 1

    def test_metadata_lead_id_comes_before_the_number(self, deliver, gym, branch, lead):
        named = LeadFactory(gym=gym, branch=branch)
        deliver(sample("ended", named))  # to_number is `lead`'s phone
        assert the_call().lead_id == named.id

    def test_another_gyms_lead_id_in_the_metadata_is_ignored(self, deliver, lead):
        foreign = LeadFactory(gym=GymFactory(), phone="+12125550188")
        deliver(sample("ended", foreign))
        assert the_call().lead_id == lead.id  # found by the number, in this gym
        foreign.refresh_from_db()
        assert foreign.call_count == 0

    def test_an_outbound_call_to_nobody_known_is_recorded_unmatched(self, deliver, gym):
        response = deliver(sample("ended", None, to_number="+12125550199"))
        assert response.json() == {"outcome": "unmatched"}
        assert not Call.all_gyms.exists() and not Lead.all_gyms.exists()
        assert WebhookEvent.all_gyms.get().outcome == "unmatched"

    def test_a_withheld_caller_id_files_nothing(self, deliver):
        assert deliver(inbound(from_number="anonymous")).json() == {"outcome": "unmatched"}
        assert not Lead.all_gyms.exists()

    def test_a_call_we_queued_is_found_by_its_metadata_call_id(self, deliver, gym, lead):
        queued = CallFactory(gym=gym, lead=lead, status="queued", start_time=None, duration=None)
        payload = sample("started", lead)
        payload["call"]["metadata"]["call_id"] = str(queued.id)
        deliver(payload)
        queued.refresh_from_db()
        assert (Call.all_gyms.count(), queued.external_call_id, queued.status) == (
            1, "call_8f2c1d0e6b9a4c3f8e7d6a5b4c3d2e1f", "in_progress")

    def test_the_campaign_in_the_metadata_is_kept(self, deliver, gym, lead):
        from calls.tests.factories import CampaignFactory

        campaign = CampaignFactory(gym=gym)
        payload = sample("ended", lead)
        payload["call"]["metadata"]["campaign_id"] = str(campaign.id)
        deliver(payload)
        assert the_call().campaign_id == campaign.id


class TestMapping:
    @pytest.mark.parametrize("call_status,reason,voicemail,expected", [
        ("ended", "user_hangup", False, ("completed", "information_provided")),
        ("ended", "agent_hangup", None, ("completed", None)),
        ("ended", "voicemail_reached", None, ("voicemail", "left_message")),
        ("ended", "user_hangup", True, ("voicemail", "left_message")),
        ("not_connected", "dial_no_answer", None, ("missed", "no_answer")),
        ("not_connected", "dial_busy", None, ("missed", "no_answer")),
        ("not_connected", "invalid_destination", None, ("failed", "wrong_number")),
        ("not_connected", "dial_failed", None, ("failed", None)),
        ("error", "error_llm_websocket_open", None, ("failed", None)),
        ("ended", "some_future_reason", None, ("completed", None)),
    ])
    def test_status_and_outcome(self, deliver, lead, call_status, reason, voicemail, expected):
        analysis = {"call_successful": True} if voicemail is False else {}
        if voicemail:
            analysis["in_voicemail"] = True
        payload = sample("ended", lead, call_status=call_status, disconnection_reason=reason)
        if analysis:
            payload["call"]["call_analysis"] = analysis
        deliver(payload)
        call = the_call()
        assert (call.status, call.outcome) == expected

    @pytest.mark.parametrize("retell,ours", [("Positive", "positive"), ("Neutral", "neutral"),
                                             ("Negative", "negative"), ("Unknown", None)])
    def test_sentiment(self, deliver, lead, retell, ours):
        payload = sample("analyzed", lead)
        payload["call"]["call_analysis"]["user_sentiment"] = retell
        deliver(payload)
        assert the_call().sentiment == ours

    @pytest.mark.parametrize("custom,outcome", [({"outcome": "callback_requested"}, "callback_requested"),
                                                ({"appointment_booked": True}, "appointment_booked"),
                                                ({"outcome": "not-one-of-ours"}, "information_provided")])
    def test_the_agents_own_analysis_names_the_outcome(self, deliver, lead, custom, outcome):
        payload = sample("analyzed", lead)
        payload["call"]["call_analysis"]["custom_analysis_data"] = custom
        deliver(payload)
        assert the_call().outcome == outcome

    def test_a_plain_text_transcript_is_read_when_there_are_no_turns(self, deliver, lead):
        deliver(sample("ended", lead, transcript_object=None, transcript="Agent: Hello\nUser: Hi there\n"))
        assert the_call().transcript == [{"speaker": "agent", "text": "Hello", "timestamp": None},
                                         {"speaker": "customer", "text": "Hi there", "timestamp": None}]

    def test_a_do_not_call_leads_call_is_still_logged(self, deliver, lead):
        Lead.all_gyms.filter(pk=lead.pk).update(do_not_call=True)
        assert deliver(sample("ended", lead)).status_code == 200
        assert the_call().lead_id == lead.id


class TestBadPayloads:
    def test_unknown_events_are_acknowledged_recorded_and_ignored(self, deliver, lead):
        response = deliver({"event": "transcript_updated", "call": {"call_id": "call_x"}})
        assert (response.status_code, response.json()) == (200, {"outcome": "ignored"})
        event = WebhookEvent.all_gyms.get()
        assert (event.event, event.outcome, event.external_call_id) == ("transcript_updated", "ignored", "call_x")
        assert not Call.all_gyms.exists()

    @pytest.mark.parametrize("change,field", [
        ({"call_id": None}, "call.call_id"),
        ({"start_timestamp": "yesterday"}, "call.start_timestamp"),
        ({"end_timestamp": 1764075500000}, "call.end_timestamp"),
    ])
    def test_a_payload_that_cannot_be_applied_is_400_naming_the_field_and_kept(self, deliver, lead, change, field):
        response = deliver(sample("ended", lead, **change))
        assert response.status_code == 400
        assert list(response.json()) == [field]
        event = WebhookEvent.all_gyms.get()
        assert event.outcome == "invalid" and event.detail.startswith(field)
        assert not Call.all_gyms.exists()

    @pytest.mark.parametrize("payload", [{"call": {}}, ["call_started"], {"event": "call_started", "call": "x"}])
    def test_a_payload_without_an_event_or_call_is_400(self, deliver, payload):
        assert deliver(payload).status_code == 400
        assert not Call.all_gyms.exists()

    @pytest.mark.parametrize("body", [b"{not json", b'{"event": "call_ended", "call": {"call_id": "a\\u0000b"}}',
                                      b'{"event": "call_ended", "event": "call_started"}', b'{"n": NaN}'])
    def test_a_body_that_is_not_storable_json_is_400_and_writes_nothing(self, deliver, body):
        assert deliver(None, body=body).status_code == 400
        assert not WebhookEvent.all_gyms.exists()


def test_a_delivery_costs_a_bounded_number_of_queries(deliver, lead, data_queries):
    deliver(sample("ended", lead))
    with data_queries(17, at_most=True):
        assert deliver(sample("analyzed", lead)).json() == {"outcome": "updated"}
    with data_queries(6, at_most=True):
        assert deliver(sample("analyzed", lead)).json() == {"outcome": "unchanged"}
