"""Outbound dialing: POST /api/calls with {lead_id} places the call through the SDK's client (a local
fake Retell here), never twice."""

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


def queue(client, lead, **fields):
    return client.post(CALLS, {"lead_id": str(lead.id), **fields}, format="json")


def test_a_queued_call_is_placed_with_the_leads_context(agent_client, lead, integration, retell, gym, branch):
    campaign = CampaignFactory(gym=gym)
    response = queue(agent_client, lead, campaign_id=str(campaign.id))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_call_id"], body["status"], body["direction"]) == ("call_fake_0001", "in_progress", "outbound")
    assert body["metrics"]["dial_state"] == "placed"
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


def test_the_timeline_shows_the_queueing_and_the_dialing(agent_client, lead, integration, retell):
    queue(agent_client, lead)
    entries = list(LeadActivity.all_gyms.filter(lead=lead).order_by("created_at", "id")
                   .values_list("description", "actor_type"))
    assert entries == [("Outbound call queued", "user"), ("Outbound call queued → in progress", "voice_agent")]
    lead.refresh_from_db()
    assert lead.call_count == 1


def test_the_webhooks_of_a_placed_call_update_it(agent_client, lead, integration, retell, deliver):
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
def test_a_provider_error_fails_the_call_and_answers_502_with_the_reason(agent_client, lead, integration, retell,
                                                                         reply, reason):
    retell.reply = reply
    response = queue(agent_client, lead)
    assert response.status_code == 502
    body = response.json()
    assert body["detail"] == reason
    call = Call.all_gyms.get(pk=body["call_id"])
    assert (call.status, call.metrics["dial_error"], call.metrics["dial_state"], call.external_call_id) == (
        "failed", reason, "refused", "")


def test_a_timeout_leaves_the_call_unknown_not_failed(agent_client, lead, integration, retell, settings):
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
                                                         error):
    for name, value in settings_change.items():
        setattr(settings, name, value)
    response = queue(agent_client, lead)
    assert response.status_code == 201
    call = Call.all_gyms.get()
    assert (call.status, call.metrics["dial_state"], call.metrics["dial_error"]) == ("in_progress", "unknown", error)


def test_a_server_error_leaves_the_call_unknown(agent_client, lead, integration, retell):
    retell.reply = (500, b"<html>oops</html>")
    assert queue(agent_client, lead).status_code == 201
    call = Call.all_gyms.get()
    assert (call.status, call.metrics["dial_state"]) == ("in_progress", "unknown")
    assert call.metrics["dial_error"] == "Retell did not place the call (HTTP 500): <html>oops</html>"


def test_a_call_is_dialed_once_however_often_it_is_handed_over(agent_client, lead, integration, retell, gym):
    from calls.dialing import dial_if_due
    from voice.dialing import call_place

    call = Call.all_gyms.get(pk=queue(agent_client, lead).json()["id"])
    stale = Call.all_gyms.get(pk=call.pk)
    stale.status = "queued"  # a dialer holding the row as it was before the first dial
    assert call_place(gym=gym, call=stale).external_call_id == "call_fake_0001"
    assert dial_if_due(gym=gym, call=Call.all_gyms.get(pk=call.pk)) is None
    assert len(retell.creates()) == 1 and retell.placed == ["call_fake_0001"]


def test_a_do_not_call_lead_is_409_before_any_request(agent_client, lead, integration, retell):
    lead.do_not_call = True
    lead.save()
    assert queue(agent_client, lead).status_code == 409
    assert retell.requests == [] and not Call.all_gyms.exists()


@pytest.mark.parametrize("fields", [
    {"scheduled_at": (timezone.now() + dt.timedelta(hours=2)).isoformat()},  # queued for later: the dialer's
    {"direction": "inbound"},
    {"outcome": "no_answer", "status": "missed"},  # logging a call that happened
])
def test_only_an_outbound_call_queued_for_now_is_dialed(agent_client, lead, integration, retell, fields):
    assert queue(agent_client, lead, **fields).status_code == 201
    assert retell.requests == []


def test_without_an_enabled_integration_the_call_stays_queued(agent_client, lead, integration, retell):
    integration.enabled = False
    integration.save()
    body = queue(agent_client, lead).json()
    assert (body["status"], body["external_call_id"]) == ("queued", "")
    assert retell.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_failed_call_outlives_the_error_answer(api_client, retell):
    """The request's transaction is the outermost here (no test transaction around it): a 502 would
    roll back everything the request wrote, were the failed call not kept on purpose."""
    from tenants.models import Role
    from tenants.tests.factories import BranchFactory, GymFactory, UserFactory

    gym = GymFactory()
    branch = BranchFactory(gym=gym)
    user = UserFactory(gym=gym, branch=branch, role=Role.AGENT)
    lead = LeadFactory(gym=gym, branch=branch)
    RetellIntegrationFactory(gym=gym)
    retell.reply = (403, {"error_message": "Forbidden"})
    response = queue(api_client(user), lead)
    assert response.status_code == 502
    call = Call.all_gyms.get(pk=response.json()["call_id"])
    assert call.status == "failed"
    assert LeadActivity.all_gyms.filter(lead=lead, type="call_logged").count() == 2
    # Other errors still write nothing.
    assert api_client(user).post(CALLS, {"lead_id": str(lead.id), "duration": -1}, format="json").status_code == 400
    assert Call.all_gyms.count() == 1
