"""Lead capture (POST /api/intake/leads) and speed to lead."""

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from calls import dialing
from calls.models import Call
from calls.services import call_update
from leads.activity import Actor
from leads.models import Lead, LeadActivity
from leads.tests.factories import LeadFactory
from tenants.api_keys import api_key_create

pytestmark = pytest.mark.django_db

INTAKE = "/api/intake/leads"
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FORM = {"first_name": "Ana", "last_name": "Lima", "phone": "(212) 555-0199", "interest": "personal training",
        "source_detail": "Spring promo landing page"}


def key_client(gym, scope):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_create(gym=gym, name='Website form', scope=scope)[1]}")
    return client


@pytest.fixture
def intake(gym):
    return key_client(gym, "intake")


@pytest.fixture
def placed(monkeypatch):
    """The calls the voice platform was asked to place (a fake platform on the calls.dialing hook)."""
    calls = []

    def dialer(*, gym, call):
        calls.append(call.pk)
        return call_update(call=call, actor=Actor.voice_agent(), status="in_progress")

    monkeypatch.setattr(dialing, "_dialer", dialer)
    return calls


def calling(gym, *, auto=True, open_now=True):
    gym.auto_call_new_leads = auto
    gym.call_days = EVERY_DAY if open_now else []
    gym.call_hours_start, gym.call_hours_end = dt.time(0, 0), dt.time.max
    if not open_now:  # open only one day a week, tomorrow in New York
        tomorrow = (dt.datetime.now(gym.tzinfo) + dt.timedelta(days=1)).weekday()
        gym.call_days = [EVERY_DAY[tomorrow]]
    gym.save()


def test_an_enquiry_creates_the_lead_with_its_source_on_the_timeline(intake, gym):
    response = intake.post(INTAKE, FORM, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["call_id"], body["call_scheduled_at"]) == (True, None, None)
    lead = Lead.all_gyms.get(pk=body["lead_id"])
    assert (lead.gym_id, lead.phone, lead.source, lead.interest) == (gym.pk, "+12125550199", "website",
                                                                      "personal training")
    created = LeadActivity.all_gyms.get(lead=lead, type="lead_created")
    assert created.data["source_detail"] == "Spring promo landing page"
    assert (created.actor_type, created.actor_name) == ("system", "Lead intake: Website form")


def test_a_known_phone_is_an_enquiry_again_not_a_conflict(intake, gym):
    lead = LeadFactory(gym=gym, phone="+12125550199")
    response = intake.post(INTAKE, {**FORM, "phone": "+1 212 555 0199", "source_detail": "Facebook lead ad"},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["lead_id"] == str(lead.pk) and response.json()["created"] is False
    entry = LeadActivity.all_gyms.get(lead=lead, type="enquired_again")
    assert entry.description == "Enquired again through Website form (Facebook lead ad)"
    assert Lead.all_gyms.filter(gym=gym).count() == 1


def test_speed_to_lead_queues_a_call_and_the_dialer_places_it_on_commit(intake, gym, placed,
                                                                         django_capture_on_commit_callbacks):
    calling(gym)
    with django_capture_on_commit_callbacks(execute=True):
        body = intake.post(INTAKE, FORM, format="json").json()
    call = Call.all_gyms.get(pk=body["call_id"])
    assert placed == [call.pk]
    assert (call.status, call.direction, call.handled_by) == ("in_progress", "outbound", "ai")


def test_a_repeated_enquiry_still_counts_for_speed_to_lead_but_never_queues_twice(intake, gym, monkeypatch):
    monkeypatch.setattr(dialing, "_dialer", None)  # no platform: the call stays queued
    calling(gym)
    lead = LeadFactory(gym=gym, phone="+12125550199")
    first = intake.post(INTAKE, FORM, format="json").json()
    second = intake.post(INTAKE, FORM, format="json").json()
    assert first["call_id"] and second["call_id"] is None
    assert Call.all_gyms.filter(lead=lead, status="queued").count() == 1


def test_an_enquiry_during_the_call_it_started_queues_no_second_call(intake, gym, placed,
                                                                     django_capture_on_commit_callbacks):
    calling(gym)
    with django_capture_on_commit_callbacks(execute=True):
        first = intake.post(INTAKE, FORM, format="json").json()
    assert Call.all_gyms.get(pk=first["call_id"]).status == "in_progress"
    with django_capture_on_commit_callbacks(execute=True):
        again = intake.post(INTAKE, FORM, format="json").json()
    assert again["call_id"] is None and placed == [uuid.UUID(first["call_id"])]


def test_outside_calling_hours_the_call_waits_for_the_next_window(intake, gym, placed):
    calling(gym, open_now=False)
    body = intake.post(INTAKE, FORM, format="json").json()
    call = Call.all_gyms.get(pk=body["call_id"])
    local = call.scheduled_at.astimezone(gym.tzinfo)
    assert (local.date(), local.time()) == ((dt.datetime.now(gym.tzinfo) + dt.timedelta(days=1)).date(), dt.time(0))
    assert placed == []


@pytest.mark.parametrize("auto,do_not_call", [(False, False), (True, True)])
def test_no_call_without_auto_calling_or_for_a_do_not_call_lead(intake, gym, auto, do_not_call):
    calling(gym, auto=auto)
    LeadFactory(gym=gym, phone="+12125550199", do_not_call=do_not_call)
    assert intake.post(INTAKE, FORM, format="json").json()["call_id"] is None
    assert not Call.all_gyms.exists()


def test_a_lead_created_by_staff_gets_the_speed_to_lead_call_too(admin_client, gym, placed,
                                                                 django_capture_on_commit_callbacks):
    calling(gym)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/api/leads", {"first_name": "Bo", "last_name": "Ek", "phone": "2125550142"},
                                     format="json")
    assert response.status_code == 201
    assert len(placed) == 1 and Call.all_gyms.get().lead_id == Lead.all_gyms.get(pk=response.json()["id"]).pk


def test_only_an_intake_key_opens_the_endpoint_and_it_opens_nothing_else(gym, admin_client):
    assert key_client(gym, "voice").post(INTAKE, FORM, format="json").status_code == 403
    assert admin_client.post(INTAKE, FORM, format="json").status_code in (401, 403)
    assert APIClient().post(INTAKE, FORM, format="json").status_code == 401
    assert key_client(gym, "intake").get("/api/voice/availability").status_code == 403
    assert not Lead.all_gyms.exists()


def test_bad_input_names_the_field(intake):
    response = intake.post(INTAKE, {**FORM, "phone": "12"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    response = intake.post(INTAKE, {"phone": "+12125550199"}, format="json")
    assert response.status_code == 400 and {"first_name", "last_name"} <= set(response.json())


def test_each_key_is_throttled(gym, settings):
    settings.INTAKE_THROTTLE_RATE = "2/min"
    first, second = key_client(gym, "intake"), key_client(gym, "intake")
    answers = [first.post(INTAKE, {**FORM, "phone": f"+1212555010{n}"}, format="json").status_code for n in range(3)]
    assert answers == [201, 201, 429]
    assert second.post(INTAKE, {**FORM, "phone": "+12125550109"}, format="json").status_code == 201


def test_an_admin_creates_an_intake_key(admin_client):
    response = admin_client.post("/api/settings/api-keys", {"name": "Website", "scope": "intake"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["scope"] == "intake"
    assert admin_client.post("/api/settings/api-keys", {"name": "x", "scope": "all"}, format="json").status_code == 400
