"""Outbound dialing: POST /api/calls with {lead_id} queues the call, and once the request commits the dialer
(a Celery task, run eagerly here) places it through Retell (a local stub here)."""

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


def test_a_queued_call_is_answered_queued_then_placed_with_the_leads_context(agent_client, lead, integration, retell,
                                                                             gym, branch, queue):
    campaign = CampaignFactory(gym=gym)
    response = queue(agent_client, lead, campaign_id=str(campaign.id))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_call_id"], body["status"], body["direction"]) == ("", "queued", "outbound")
    call = Call.all_gyms.get(pk=body["id"])
    assert (call.external_call_id, call.status) == ("call_stub_0001", "in_progress")
    [sent] = retell.requests
    assert sent["path"] == "/v2/create-phone-call"
    assert sent["headers"]["Authorization"] == f"Bearer {RETELL_KEY}"
    assert {k: sent["json"][k] for k in ("from_number", "to_number", "override_agent_id", "metadata")} == {
        "from_number": "+14155550100", "to_number": "+14155550142", "override_agent_id": "agent_summit",
        "metadata": {"lead_id": str(lead.id), "call_id": body["id"], "campaign_id": str(campaign.id)}}
    variables = sent["json"]["retell_llm_dynamic_variables"]
    assert (variables["customer_name"], variables["interest"], variables["branch_name"], variables["gym_name"]) == (
        "Maria Gonzalez", "family plan", branch.name, gym.name)
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

    retell.reply = (201, {"call_id": "call_8f2c1d0e6b9a4c3f8e7d6a5b4c3d2e1f", "call_status": "registered"})
    call_id = queue(agent_client, lead).json()["id"]
    deliver(sample("analyzed", lead))
    call = Call.all_gyms.get()
    assert (str(call.id), call.status, call.outcome) == (call_id, "completed", "appointment_booked")


@pytest.mark.parametrize("reply,reason", [
    ((402, {"error_message": "Insufficient balance"}), "Retell refused the call (HTTP 402): Insufficient balance"),
    ((422, {"message": "to_number is not a valid number"}), "Retell refused the call (HTTP 422): to_number is not a "
                                                            "valid number"),
    ((500, b"<html>oops</html>"), "Retell refused the call (HTTP 500): <html>oops</html>"),
    ((201, {"call_status": "registered"}), "Retell's answer did not name the call it placed."),
])
def test_a_provider_error_fails_the_call_with_the_reason_on_its_timeline(agent_client, lead, integration, retell,
                                                                         reply, reason, queue):
    retell.reply = reply
    response = queue(agent_client, lead)
    assert response.status_code == 201
    call = Call.all_gyms.get(pk=response.json()["id"])
    assert (call.status, call.metrics["dial_error"], call.external_call_id) == ("failed", reason, "")
    assert LeadActivity.all_gyms.filter(lead=lead, description="Outbound call queued → failed").exists()


def test_a_timeout_fails_the_call(agent_client, lead, integration, retell, settings, queue):
    settings.RETELL_TIMEOUT_SECONDS = 0.3
    retell.delay = 1.0
    queue(agent_client, lead)
    call = Call.all_gyms.get()
    assert (call.status, call.metrics["dial_error"]) == ("failed", "Retell did not answer within 0.3 seconds.")


def test_an_unreachable_provider_fails_the_call(agent_client, lead, integration, settings, queue):
    settings.RETELL_API_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    queue(agent_client, lead)
    call = Call.all_gyms.get()
    assert (call.status, call.metrics["dial_error"]) == ("failed", "Retell could not be reached.")


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
    assert Call.all_gyms.get().status == "queued"
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
    retell.reply = (503, {"error_message": "Service unavailable"})
    response = api_client(user).post(CALLS, {"lead_id": str(lead.id)}, format="json")
    assert (response.status_code, response.json()["status"]) == (201, "queued")
    call = Call.all_gyms.get(pk=response.json()["id"])
    assert (call.status, call.metrics["dial_error"]) == ("failed", "Retell refused the call (HTTP 503): Service "
                                                                   "unavailable")
    assert LeadActivity.all_gyms.filter(lead=lead, type="call_logged").count() == 2
    # A refused request writes nothing and sends nothing.
    assert api_client(user).post(CALLS, {"lead_id": str(lead.id), "duration": -1}, format="json").status_code == 400
    assert Call.all_gyms.count() == 1 and len(retell.requests) == 1
