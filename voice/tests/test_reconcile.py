"""A dial whose answer was lost, or a call whose webhooks never came, is settled from Retell's own
record (get-call through the SDK, against the fake Retell), and the person is never rung twice."""

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from calls.models import Call
from calls.tests.factories import CallFactory
from leads.tests.factories import LeadFactory
from voice import selectors
from voice.models import WebhookEvent
from voice.reconcile import NOTE, call_reconcile

from .factories import RetellIntegrationFactory

pytestmark = pytest.mark.django_db

ANALYSIS = {"call_summary": "Booked a tour.", "user_sentiment": "Positive", "call_successful": True,
            "custom_analysis_data": {"outcome": "appointment_booked"}}
START = 1_764_075_600_000


@pytest.fixture
def integration(gym):
    return RetellIntegrationFactory(gym=gym)


@pytest.fixture
def lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch, phone="+14155550142")


@pytest.fixture(autouse=True)
def _calling_hours_always_open(gym):
    """The dialer never calls outside the calling window; these tests run at any hour of any day."""
    gym.call_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    gym.call_hours_start, gym.call_hours_end = dt.time(0, 0), dt.time.max
    gym.save()


def lost_answer(agent_client, lead, retell, settings):
    """Queues a call whose create-phone-call Retell carried out but answered too late (the dialer
    task runs eagerly once the request commits)."""
    settings.RETELL_TIMEOUT_SECONDS = 0.3
    retell.delay = 1.0
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = agent_client.post("/api/calls", {"lead_id": str(lead.id)}, format="json")
    assert response.status_code == 201
    retell.delay = 0.0
    settings.RETELL_TIMEOUT_SECONDS = 2.0
    call = Call.all_gyms.get(pk=response.json()["id"])
    assert (call.status, call.metrics["dial_state"], retell.placed) == ("in_progress", "unknown", ["call_fake_0001"])
    return call


def placed(agent_client, lead):
    """A call POSTed and placed by the dialer (eagerly, once the request commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = agent_client.post("/api/calls", {"lead_id": str(lead.id)}, format="json")
    return Call.all_gyms.get(pk=response.json()["id"])


def ended(retell, **fields):
    return retell.finish("call_fake_0001", start_timestamp=START, end_timestamp=START + 185_000,
                         disconnection_reason="user_hangup", **fields)


class TestALostAnswer:
    def test_the_webhook_with_our_call_id_completes_the_same_row(self, agent_client, lead, integration, retell,
                                                                 settings, deliver):
        call = lost_answer(agent_client, lead, retell, settings)
        payload = {"event": "call_analyzed", "call": ended(retell, call_analysis=ANALYSIS)}
        assert deliver(payload).json() == {"outcome": "updated"}
        [row] = Call.all_gyms.all()
        assert (row.pk, row.external_call_id, row.status, row.outcome) == (
            call.pk, "call_fake_0001", "completed", "appointment_booked")
        assert row.metrics["dial_state"] == "placed"

    def test_the_reconciler_learns_the_call_idempotently_and_settles_it(self, agent_client, lead, integration, retell,
                                                                        settings, gym):
        call = lost_answer(agent_client, lead, retell, settings)
        ended(retell, call_analysis=ANALYSIS)
        settled = call_reconcile(gym=gym, call=call)
        assert (settled.external_call_id, settled.status, settled.outcome, settled.duration) == (
            "call_fake_0001", "completed", "appointment_booked", 185)
        creates = retell.creates()
        assert len(creates) == 2 and creates[0]["json"]["idempotency_key"] == creates[1]["json"]["idempotency_key"]
        assert retell.placed == ["call_fake_0001"]  # the second request rang nobody
        assert [r["path"] for r in retell.requests][-1] == "/v2/get-call/call_fake_0001"
        event = WebhookEvent.all_gyms.get()
        assert (event.event, event.outcome, event.detail, event.call_id) == ("call_analyzed", "updated", NOTE, call.pk)
        lead.refresh_from_db()
        assert (lead.call_count, lead.status) == (1, "contacted")

    def test_a_call_nobody_confirmed_within_the_hour_fails_without_asking(self, agent_client, lead, integration,
                                                                          retell, settings, gym):
        call = lost_answer(agent_client, lead, retell, settings)
        settled = call_reconcile(gym=gym, call=call, now=timezone.now() + dt.timedelta(minutes=56))
        assert (settled.status, settled.metrics["dial_state"]) == ("failed", "unconfirmed")
        assert len(retell.creates()) == 1

    def test_a_lead_who_asked_not_to_be_called_is_not_asked_about_again(self, agent_client, lead, integration,
                                                                         retell, settings, gym):
        call = lost_answer(agent_client, lead, retell, settings)
        lead.do_not_call = True
        lead.save()
        settled = call_reconcile(gym=gym, call=call)
        assert (settled.status, settled.metrics["dial_state"]) == ("failed", "unconfirmed")
        assert len(retell.creates()) == 1

    def test_retell_still_unreachable_changes_nothing(self, agent_client, lead, integration, retell, settings, gym):
        call = lost_answer(agent_client, lead, retell, settings)
        settings.RETELL_API_BASE_URL = "http://127.0.0.1:9"
        settled = call_reconcile(gym=gym, call=call)
        assert (settled.status, settled.metrics["dial_state"], settled.external_call_id) == ("in_progress", "unknown", "")


def test_a_late_webhook_completes_a_call_given_up_on(agent_client, lead, integration, retell, settings, gym, deliver):
    call = lost_answer(agent_client, lead, retell, settings)
    call_reconcile(gym=gym, call=call, now=timezone.now() + dt.timedelta(hours=2))
    assert deliver({"event": "call_ended", "call": ended(retell)}).json() == {"outcome": "updated"}
    [row] = Call.all_gyms.all()
    assert (row.pk, row.status, row.metrics["dial_state"]) == (call.pk, "completed", "placed")


@pytest.mark.parametrize("reason,status,outcome", [("dial_no_answer", "missed", "no_answer"),
                                                    ("credit_exhausted", "failed", None)])
def test_a_placed_call_whose_webhooks_never_came_is_settled(agent_client, lead, integration, retell, gym, reason,
                                                            status, outcome):
    call = placed(agent_client, lead)
    retell.finish("call_fake_0001", disconnection_reason=reason)
    settled = call_reconcile(gym=gym, call=call)
    assert (settled.status, settled.outcome) == (status, outcome)
    assert call_reconcile(gym=gym, call=settled).status == status  # settled: nothing more is asked
    assert [r["path"] for r in retell.requests].count("/v2/get-call/call_fake_0001") == 1


def test_a_call_still_ongoing_stays_in_progress(agent_client, lead, integration, retell, gym):
    call = placed(agent_client, lead)
    retell.calls["call_fake_0001"]["call_status"] = "ongoing"
    assert call_reconcile(gym=gym, call=call).status == "in_progress"


def test_the_calls_to_reconcile(gym, lead, integration):
    now = timezone.now()
    placed = CallFactory(gym=gym, lead=lead, status="in_progress", external_call_id="call_a")
    unknown = CallFactory(gym=gym, lead=lead, status="in_progress", metrics={"dial_state": "unknown"})
    CallFactory(gym=gym, lead=lead, status="in_progress")  # staff's own, nothing to ask Retell
    CallFactory(gym=gym, lead=lead, status="completed", external_call_id="call_b")
    CallFactory(gym=gym, lead=lead, status="queued", start_time=None, duration=None)
    assert set(selectors.calls_to_reconcile(gym=gym, now=now + dt.timedelta(minutes=11))) == {placed, unknown}
    assert not selectors.calls_to_reconcile(gym=gym, now=now)  # just touched: the webhooks may still come


class TestOnBeat:
    def test_the_beat_job_settles_the_call_of_a_lost_webhook(self, agent_client, lead, integration, retell, settings,
                                                              gym, other_gym, django_capture_on_commit_callbacks):
        from voice.tasks import reconcile_calls

        call = lost_answer(agent_client, lead, retell, settings)
        ended(retell, call_analysis=ANALYSIS)  # Retell ended the call; its webhooks never came
        Call.all_gyms.filter(pk=call.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
        with django_capture_on_commit_callbacks(execute=True):  # the per-gym task, sent on commit (eager)
            reconcile_calls.delay()
        call.refresh_from_db()
        assert (call.external_call_id, call.status, call.outcome) == ("call_fake_0001", "completed",
                                                                      "appointment_booked")
        assert retell.placed == ["call_fake_0001"]  # settled without ringing the person again

    def test_a_call_heard_from_recently_is_left_alone(self, agent_client, lead, integration, retell, settings,
                                                      django_capture_on_commit_callbacks):
        from voice.tasks import reconcile_calls

        call = lost_answer(agent_client, lead, retell, settings)
        requests = len(retell.requests)
        with django_capture_on_commit_callbacks(execute=True):
            reconcile_calls.delay()
        call.refresh_from_db()
        assert (call.status, call.metrics["dial_state"], len(retell.requests)) == ("in_progress", "unknown", requests)
