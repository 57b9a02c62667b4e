"""Nothing lost, nothing half-written: every multi-row write is all or nothing.

The database refuses the last write of each operation (the lead timeline entry, or the bulk insert),
after the first writes went through; afterwards no trace of the first writes may remain. Proven twice:
through HTTP (the request answers 500) and by calling the service directly, outside any request,
so commands and the voice agent get the same guarantee.
"""

import datetime as dt
import io

import pytest
from django.db import DatabaseError, connection
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from appointments import services as appointment_services
from appointments.tests.factories import AppointmentFactory, next_week
from calls import services as call_services
from calls.models import Call
from calls.tests.factories import CallFactory, CampaignFactory
from leads import services as lead_services
from leads.activity import Actor
from leads.importer import lead_import
from leads.models import Lead
from leads.tests.factories import LeadFactory
from reps_dashboard.tests.hardening import tenant_state
from tenants import tokens
from tenants.tests.factories import TagFactory

LAYERS = ["http", "service"]
CSV = b"first_name,last_name,phone,tags\nAnn,Lee,+12125550101,vip\nBob,Ray,+12125550102,\nCy,Doe,+12125550103,vip\n"


class InjectedFailure(DatabaseError):
    pass


def refuse_inserts_into(table):
    """The database refuses every INSERT into ``table`` (as a full disk or a lost connection would)."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            raise InjectedFailure(f"injected: insert into {table} refused")
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


def rows(*objects):
    return [model_to_dict(type(obj)._base_manager.get(pk=obj.pk)) for obj in objects]


@pytest.fixture
def client(admin_user):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(admin_user)['access_token']}")
    return client


@pytest.fixture
def actor(admin_user):
    return Actor.for_user(admin_user)


def assert_all_or_nothing(layer, http, service, *watched):
    """Runs the failing write through ``layer``; then the database must be exactly as before."""
    state, watched_rows = tenant_state(), rows(*watched)
    if layer == "http":
        assert http().status_code == 500
    else:
        with pytest.raises(InjectedFailure):
            service()
    assert tenant_state() == state
    assert rows(*watched) == watched_rows


@pytest.mark.parametrize("layer", LAYERS)
def test_lead_create_leaves_no_lead_or_tags_when_its_timeline_entry_fails(layer, client, actor, gym, branch):
    tag = TagFactory(gym=gym)
    body = {"first_name": "Ann", "last_name": "Lee", "phone": "+12125550101", "tags": [str(tag.id)]}
    with refuse_inserts_into("leads_leadactivity"):
        assert_all_or_nothing(
            layer, lambda: client.post("/api/leads", body, format="json"),
            lambda: lead_services.lead_create(gym=gym, actor=actor, first_name="Ann", last_name="Lee",
                                              phone="+12125550101", tags=[tag]))


@pytest.mark.parametrize("layer", LAYERS)
def test_lead_import_leaves_no_lead_or_tag_when_its_timeline_entries_fail(layer, client, actor, gym, branch):
    def http():
        upload = io.BytesIO(CSV)
        upload.name = "leads.csv"
        return client.post("/api/leads/import", {"file": upload}, format="multipart")

    with refuse_inserts_into("leads_leadactivity"):
        assert_all_or_nothing(layer, http, lambda: lead_import(gym=gym, actor=actor, file=io.BytesIO(CSV)))


@pytest.mark.parametrize("layer", LAYERS)
def test_lead_import_leaves_no_lead_when_its_tag_links_fail(layer, client, actor, gym, branch):
    def http():
        upload = io.BytesIO(CSV)
        upload.name = "leads.csv"
        return client.post("/api/leads/import", {"file": upload}, format="multipart")

    with refuse_inserts_into("leads_leadtag"):
        assert_all_or_nothing(layer, http, lambda: lead_import(gym=gym, actor=actor, file=io.BytesIO(CSV)))


@pytest.mark.parametrize("layer", LAYERS)
def test_call_create_leaves_no_call_and_an_unchanged_lead_when_its_timeline_entry_fails(layer, client, actor, gym,
                                                                                         branch):
    lead = LeadFactory(gym=gym, branch=branch, status="new")
    CallFactory(gym=gym, lead=lead, summary="earlier call")  # the lead already has a call history
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    fields = {"status": "completed", "outcome": "appointment_booked", "summary": "Booked a tour",
              "start_time": start, "duration": 120}
    with refuse_inserts_into("leads_leadactivity"):
        assert_all_or_nothing(
            layer,
            lambda: client.post("/api/calls", {"lead_id": str(lead.id), **fields, "start_time": start.isoformat()},
                                format="json"),
            lambda: call_services.call_create(gym=gym, actor=actor, lead=lead, **fields),
            lead)
    assert Call.objects.for_gym(gym).count() == 1


@pytest.mark.parametrize("layer", LAYERS)
def test_appointment_reschedule_keeps_the_old_booking_when_the_timeline_entry_fails(layer, client, actor, gym,
                                                                                   branch):
    lead = LeadFactory(gym=gym, branch=branch)
    appointment = AppointmentFactory(gym=gym, lead=lead, branch=branch, date=next_week(10), status="scheduled")
    new_start = next_week(15)
    with refuse_inserts_into("leads_leadactivity"):
        assert_all_or_nothing(
            layer,
            lambda: client.post(f"/api/appointments/{appointment.id}/reschedule", {"date": new_start.isoformat()},
                                format="json"),
            lambda: appointment_services.appointment_reschedule(appointment=appointment, start=new_start, actor=actor),
            appointment, lead)


@pytest.mark.parametrize("layer", LAYERS)
def test_campaign_add_leads_adds_none_when_the_insert_fails(layer, client, gym, branch):
    campaign = CampaignFactory(gym=gym, branch=branch)
    leads = [LeadFactory(gym=gym, branch=branch) for _ in range(3)]
    with refuse_inserts_into("calls_campaignlead"):
        assert_all_or_nothing(
            layer,
            lambda: client.post(f"/api/settings/campaigns/{campaign.id}/leads", [str(lead.id) for lead in leads],
                                format="json"),
            lambda: call_services.campaign_add_leads(campaign=campaign, leads=leads),
            campaign)


def test_reimporting_the_same_file_in_skip_mode_adds_nothing(client, gym, branch):
    def upload():
        file = io.BytesIO(CSV)
        file.name = "leads.csv"
        return client.post("/api/leads/import", {"file": file, "on_duplicate": "skip"}, format="multipart")

    first = upload()
    assert first.status_code == 200 and first.json()["created"] == 3
    state = tenant_state()
    second = upload()
    assert second.status_code == 200
    assert second.json() | {"errors": []} == {"total": 3, "created": 0, "updated": 0, "skipped": 3, "failed": 0,
                                              "errors": [], "error_count": 0, "errors_by_field": {},
                                              "errors_truncated": False, "errors_csv": None}
    assert tenant_state() == state
    assert Lead.objects.for_gym(gym).count() == 3


def test_a_replayed_call_webhook_with_the_same_external_id_logs_one_call(client, gym, branch):
    lead = LeadFactory(gym=gym, branch=branch)
    body = {"lead_id": str(lead.id), "status": "completed", "external_call_id": "provider-call-42", "duration": 60}
    assert client.post("/api/calls", body, format="json").status_code == 201
    state = tenant_state()
    replay = client.post("/api/calls", body, format="json")
    assert replay.status_code == 409
    assert tenant_state() == state
    assert Call.objects.for_gym(gym).filter(external_call_id="provider-call-42").count() == 1
