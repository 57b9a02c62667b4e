"""Every way Retell says a call ended, read from the SDK's own type, and the caller's wishes."""

import typing

import pytest
from retell.types import PhoneCallResponse

from calls.models import Call, CallStatus
from calls.tests.factories import CallFactory
from leads.models import LeadActivity
from voice.retell_payload import DISCONNECTION, PLATFORM_FAILURES

from .conftest import sample

pytestmark = pytest.mark.django_db


def sdk_reasons():
    [literal] = [arg for arg in typing.get_args(PhoneCallResponse.model_fields["disconnection_reason"].annotation)
                 if arg is not type(None)]
    return typing.get_args(literal)


def test_every_reason_the_sdk_knows_is_mapped():
    reasons = sdk_reasons()
    assert len(reasons) >= 39
    assert [reason for reason in reasons if reason not in DISCONNECTION] == []


@pytest.mark.parametrize("reason", sdk_reasons())
def test_each_reason_lands_on_a_contract_status(deliver, lead, reason):
    payload = sample("analyzed", lead, disconnection_reason=reason)  # call_status "ended", analysis successful
    assert deliver(payload).status_code == 200
    call = Call.all_gyms.get()
    assert call.status in CallStatus.values and call.metrics["disconnection_reason"] == reason
    lead.refresh_from_db()
    if reason in PLATFORM_FAILURES:
        assert (call.status, call.outcome, lead.status) == ("failed", None, "new")  # never forward
    elif reason == "manual_stopped":
        assert call.status == "completed"  # as call_status "ended" says


@pytest.mark.parametrize("reason", ["credit_exhausted", "budget_reached", "no_concurrency_fallback",
                                    "concurrency_limit_reached", "no_valid_payment", "network_blocked", "error_asr"])
def test_billing_and_platform_limits_never_complete_a_call_whatever_the_analysis(deliver, lead, reason):
    analysis = {"call_successful": True, "in_voicemail": True, "custom_analysis_data": {"outcome": "appointment_booked"}}
    deliver(sample("analyzed", lead, disconnection_reason=reason, call_status="ended", call_analysis=analysis))
    call = Call.all_gyms.get()
    assert (call.status, call.outcome) == ("failed", None)
    lead.refresh_from_db()
    assert lead.status == "new"


def test_the_caller_asking_not_to_be_called_again_stops_every_call(deliver, lead, gym):
    queued = [CallFactory(gym=gym, lead=lead, status="queued", start_time=None, duration=None) for _ in range(2)]
    payload = sample("analyzed", lead, disconnection_reason="user_requested_dnc")
    assert deliver(payload).json() == {"outcome": "created"}
    lead.refresh_from_db()
    assert lead.do_not_call
    assert {Call.all_gyms.get(pk=call.pk).status for call in queued} == {"canceled"}
    placed = Call.all_gyms.get(external_call_id=payload["call"]["call_id"])
    assert (placed.status, placed.outcome) == ("completed", "not_interested")
    entry = LeadActivity.all_gyms.get(lead=lead, type="do_not_call_set")
    assert (entry.actor_type, entry.actor_name) == ("voice_agent", "AI voice agent")
    assert deliver(payload).json() == {"outcome": "unchanged"}  # a replay does it once
    assert LeadActivity.all_gyms.filter(lead=lead, type="do_not_call_set").count() == 1


def test_a_callback_request_is_the_outcome_whatever_the_analysis(deliver, lead):
    analysis = {"call_successful": True, "custom_analysis_data": {"outcome": "information_provided"}}
    deliver(sample("analyzed", lead, disconnection_reason="user_requested_callback", call_analysis=analysis))
    call = Call.all_gyms.get()
    assert (call.status, call.outcome) == ("completed", "callback_requested")


@pytest.mark.parametrize("reason", ["transfer_bridged", "call_take_over"])
def test_a_call_handed_to_staff_keeps_what_the_staff_said(deliver, lead, reason):
    turns = [{"role": "agent", "content": "Let me put you through.", "words": [{"word": "Let", "start": 0.5}]},
             {"role": "transfer_target", "content": "Hi, this is Sam at the front desk.",
              "words": [{"word": "Hi", "start": 9.0}]},
             {"role": "user", "content": "Hi Sam.", "words": [{"word": "Hi", "start": 11.0}]}]
    deliver(sample("ended", lead, disconnection_reason=reason, transcript_object=turns,
                   transfer_destination="+14155550111"))
    call = Call.all_gyms.get()
    assert call.status == "completed"
    assert call.transcript[1] == {"speaker": "agent", "text": "[Staff] Hi, this is Sam at the front desk.",
                                  "timestamp": 9.0}
    assert (call.metrics["transferred_to_staff"], call.metrics["transfer_destination"]) == (True, "+14155550111")


def test_a_reason_we_do_not_know_is_read_from_call_status_and_logged(deliver, lead, caplog):
    deliver(sample("ended", lead, disconnection_reason="something_new"))
    assert Call.all_gyms.get().status == "completed"
    assert "something_new" in caplog.text
