"""Outbound dialing: POST /api/calls with {lead_id} answers 201 with the call queued, and once the
request commits the dialer (a Celery task, run eagerly here) places it through the SDK's client (a
local fake Retell here), never twice."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import Call
from calls.tests.factories import CampaignFactory
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory

from .factories import RETELL_KEY, RetellIntegrationFactory

pytestmark = pytest.mark.django_db

CALLS = "/api/calls"


@pytest.fixture
def lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch, first_name="Maria", last_name="Gonzalez", phone="+14155550142",
                       interest="family plan")


@pytest.fixture
def integration(gym):
    return RetellIntegrationFactory(gym=gym, agent_id="agent_summit", from_number="+14155550100")


@pytest.fixture(autouse=True)
def _calling_hours_always_open(gym):
    """The dialer never calls outside the calling window; these tests run at any hour of any day."""
    gym.call_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    gym.call_hours_start, gym.call_hours_end = dt.time(0, 0), dt.time.max
    gym.save()


@pytest.fixture
def queue(django_capture_on_commit_callbacks):
    """``queue(client, lead, **fields)``: POSTs the call and runs what the request enqueued on commit
    (the dialer's round); returns the response."""

    def post(client, lead, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(CALLS, {"lead_id": str(lead.id), **fields}, format="json")

    return post


def stored(response):
    return Call.all_gyms.get(pk=response.json()["id"])


def test_a_queued_call_is_answered_queued_then_placed_with_the_leads_context(agent_client, lead, integration, retell,
                                                                             gym, branch, queue):
    campaign = CampaignFactory(gym=gym)
    response = queue(agent_client, lead, campaign_id=str(campaign.id))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_call_id"], body["status"], body["direction"]) == ("", "queued", "outbound")
    call = stored(response)
    assert (call.external_call_id, call.status, call.metrics["dial_state"]) == ("call_fake_0001", "in_progress", "placed")
    [sent] = retell.requests
    assert sent["path"] == "/v2/create-phone-call"
    assert sent["headers"]["Authorization"] == f"Bearer {RETELL_KEY}"
    assert {k: sent["json"][k] for k in ("from_number", "to_number", "override_agent_id", "metadata", "idempotency_key")} == {
        "from_number": "+14155550100", "to_number": "+14155550142", "override_agent_id": "agent_summit",
        "metadata": {"lead_id": str(lead.id), "call_id": body["id"], "campaign_id": str(campaign.id)},
        "idempotency_key": f"reps-call-{body['id']}"}
    variables = sent["json"]["retell_llm_dynamic_variables"]
    assert (variables["customer_name"], variables["interest"], variables["branch_name"], variables["gym_name"]) == (
        "Maria Gonzalez", "family plan", branch.name, gym.name)
    assert (variables["lead_id"], variables["call_id"]) == (str(lead.id), body["id"])
    assert all(isinstance(value, str) for value in variables.values())


def test_the_timeline_shows_the_queueing_and_the_dialing(agent_client, lead, integration, retell, queue):
    queue(agent_client, lead)
    entries = list(LeadActivity.all_gyms.filter(lead=lead).order_by("created_at", "id")
                   .values_list("description", "actor_type"))
    assert entries == [("Outbound call queued", "user"), ("Outbound call queued → in progress", "voice_agent")]
    lead.refresh_from_db()
    assert lead.call_count == 1


def test_the_webhooks_of_a_placed_call_update_it(agent_client, lead, integration, retell, deliver, queue):
    from .conftest import sample

    call_id = queue(agent_client, lead).json()["id"]
    deliver(sample("analyzed", lead, call_id="call_fake_0001"))
    call = Call.all_gyms.get()
    assert (str(call.id), call.status, call.outcome) == (call_id, "completed", "appointment_booked")


@pytest.mark.parametrize("reply,reason", [
    ((402, {"error_message": "Insufficient balance"}), "Retell did not place the call (HTTP 402): Insufficient balance"),
    ((422, {"message": "to_number is not a valid number"}), "Retell did not place the call (HTTP 422): to_number is "
                                                            "not a valid number"),
    ((201, {"call_status": "registered"}), "Retell's answer did not name the call it placed."),
])
def test_a_provider_error_fails_the_call_with_the_reason(agent_client, lead, integration, retell, reply, reason,
                                                        queue):
    retell.reply = reply
    response = queue(agent_client, lead)
    assert (response.status_code, response.json()["status"]) == (201, "queued")
    call = stored(response)
    assert (call.status, call.metrics["dial_error"], call.metrics["dial_state"], call.external_call_id) == (
        "failed", reason, "refused", "")


def test_a_timeout_leaves_the_call_unknown_not_failed(agent_client, lead, integration, retell, settings, queue):
    """Retell placed the call but answered too late: the call is in progress, being checked."""
    settings.RETELL_TIMEOUT_SECONDS = 0.3
    retell.delay = 1.0
    response = queue(agent_client, lead)
    assert response.status_code == 201
    call = Call.all_gyms.get()
    assert (call.status, call.external_call_id) == ("in_progress", "")
    assert (call.metrics["dial_state"], call.metrics["dial_error"]) == (
        "unknown", "Retell did not answer within 0.3 seconds.")


@pytest.mark.parametrize("settings_change,error", [
    ({"RETELL_API_BASE_URL": "http://127.0.0.1:9"}, "Retell could not be reached."),  # nothing listens
])
def test_an_unreachable_provider_leaves_the_call_unknown(agent_client, lead, integration, settings, settings_change,
                                                         error, queue):
    for name, value in settings_change.items():
        setattr(settings, name, value)
    response = queue(agent_client, lead)
    assert response.status_code == 201
    call = Call.all_gyms.get()
    assert (call.status, call.metrics["dial_state"], call.metrics["dial_error"]) == ("in_progress", "unknown", error)


def test_a_server_error_leaves_the_call_unknown(agent_client, lead, integration, retell, queue):
    retell.reply = (500, b"<html>oops</html>")
    assert queue(agent_client, lead).status_code == 201
    call = Call.all_gyms.get()
    assert (call.status, call.metrics["dial_state"]) == ("in_progress", "unknown")
    assert call.metrics["dial_error"] == "Retell did not place the call (HTTP 500): <html>oops</html>"


def test_a_call_is_dialed_once_however_often_it_is_handed_over(agent_client, lead, integration, retell, gym, queue):
    from calls.dialing import dial_if_due
    from voice.dialing import call_place

    call = Call.all_gyms.get(pk=queue(agent_client, lead).json()["id"])
    stale = Call.all_gyms.get(pk=call.pk)
    stale.status = "queued"  # a dialer holding the row as it was before the first dial
    assert call_place(gym=gym, call=stale).external_call_id == "call_fake_0001"
    assert dial_if_due(gym=gym, call=Call.all_gyms.get(pk=call.pk)) is None
    assert len(retell.creates()) == 1 and retell.placed == ["call_fake_0001"]


def test_a_do_not_call_lead_is_409_before_any_request(agent_client, lead, integration, retell, queue):
    lead.do_not_call = True
    lead.save()
    assert queue(agent_client, lead).status_code == 409
    assert retell.requests == [] and not Call.all_gyms.exists()


@pytest.mark.parametrize("fields", [
    {"scheduled_at": (timezone.now() + dt.timedelta(hours=2)).isoformat()},  # queued for later: the dialer's
    {"direction": "inbound"},
    {"outcome": "no_answer", "status": "missed"},  # logging a call that happened
])
def test_only_an_outbound_call_queued_for_now_is_dialed(agent_client, lead, integration, retell, fields, queue):
    assert queue(agent_client, lead, **fields).status_code == 201
    assert retell.requests == []


def test_without_an_enabled_integration_the_call_stays_queued(agent_client, lead, integration, retell, queue):
    integration.enabled = False
    integration.save()
    body = queue(agent_client, lead).json()
    assert (body["status"], body["external_call_id"]) == ("queued", "")
    assert retell.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_dial_happens_after_the_request_committed(api_client, retell):
    """The request's transaction is the outermost here (no test transaction around it): the dial task
    is sent only when it commits, and a refusal is recorded on the committed call."""
    from tenants.models import Role
    from tenants.tests.factories import BranchFactory, GymFactory, UserFactory

    gym = GymFactory(call_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], call_hours_start=dt.time(0, 0),
                     call_hours_end=dt.time.max)
    branch = BranchFactory(gym=gym)
    user = UserFactory(gym=gym, branch=branch, role=Role.AGENT)
    lead = LeadFactory(gym=gym, branch=branch)
    RetellIntegrationFactory(gym=gym)
    retell.reply = (403, {"error_message": "Forbidden"})
    response = api_client(user).post(CALLS, {"lead_id": str(lead.id)}, format="json")
    assert (response.status_code, response.json()["status"]) == (201, "queued")
    call = stored(response)
    assert (call.status, call.metrics["dial_state"]) == ("failed", "refused")
    assert LeadActivity.all_gyms.filter(lead=lead, type="call_logged").count() == 2
    # Other errors still write nothing.
    assert api_client(user).post(CALLS, {"lead_id": str(lead.id), "duration": -1}, format="json").status_code == 400
    assert Call.all_gyms.count() == 1 and len(retell.creates()) == 1
