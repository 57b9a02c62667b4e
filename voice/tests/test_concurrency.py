"""Real parallel deliveries and scheduler runs (PostgreSQL): they converge, nothing twice."""

import datetime as dt
import io
import json
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections
from rest_framework.test import APIClient

from calls.models import Call
from calls.tests.factories import CampaignFactory, CampaignLeadFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, GymFactory
from voice import signature
from voice.models import WebhookEvent

from .conftest import sample, webhook_url
from .factories import RETELL_KEY, RetellIntegrationFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]
PARALLEL = 10


def in_parallel(work, count=PARALLEL):
    """Runs ``work(index)`` in ``count`` threads (each its own connection), released at once."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post_signed(integration, payload):
    body = json.dumps(payload).encode()
    header = signature.sign(body, RETELL_KEY, int(time.time() * 1000))
    response = APIClient().generic("POST", webhook_url(integration.id), body, content_type="application/json",
                                   HTTP_X_RETELL_SIGNATURE=header)
    return response.status_code, response.json().get("outcome")


@pytest.fixture
def world():
    gym = GymFactory()
    branch = BranchFactory(gym=gym)
    return gym, LeadFactory(gym=gym, branch=branch, phone="+14155550142"), RetellIntegrationFactory(gym=gym)


def test_parallel_replays_of_one_event_make_one_call_counted_once(world):
    gym, lead, integration = world
    payload = sample("analyzed", lead)
    results = in_parallel(lambda i: post_signed(integration, payload))
    assert sorted(results) == [(200, "created")] + [(200, "unchanged")] * (PARALLEL - 1)
    assert Call.all_gyms.count() == 1
    lead.refresh_from_db()
    assert lead.call_count == 1
    assert WebhookEvent.all_gyms.count() == PARALLEL


def test_parallel_events_of_one_call_in_any_order_converge(world):
    gym, lead, integration = world
    events = ["started", "ended", "analyzed"] * 3 + ["started"]
    results = in_parallel(lambda i: post_signed(integration, sample(events[i], lead)))
    assert all(status == 200 for status, _ in results)
    call = Call.all_gyms.get()
    assert (call.status, call.outcome, call.sentiment, call.duration) == ("completed", "appointment_booked",
                                                                          "positive", 185)


def test_parallel_deliveries_from_an_unknown_caller_make_one_lead(world):
    gym, _, integration = world
    payload = sample("ended", None, direction="inbound", from_number="+12125550177", to_number="+14155550100",
                     metadata={})
    results = in_parallel(lambda i: post_signed(integration, payload))
    assert all(status == 200 for status, _ in results)
    assert Lead.all_gyms.filter(phone="+12125550177").count() == 1
    assert Call.all_gyms.count() == 1


def test_parallel_scheduler_runs_queue_each_lead_once():
    gym = GymFactory(timezone="America/Chicago")
    campaigns = [CampaignFactory(gym=gym, status="active", call_hours_start=dt.time(9), call_hours_end=dt.time(17))
                 for _ in range(2)]
    leads = [LeadFactory(gym=gym) for _ in range(12)]
    for n, lead in enumerate(leads):  # half the leads in both campaigns
        CampaignLeadFactory(gym=gym, campaign=campaigns[0], lead=lead)
        if n % 2:
            CampaignLeadFactory(gym=gym, campaign=campaigns[1], lead=lead)
    in_parallel(lambda i: call_command("run_campaigns", "--now", "2026-03-02T10:00:00-06:00", stdout=io.StringIO()),
                count=4)
    queued = list(Call.all_gyms.filter(status="queued").values_list("lead_id", flat=True))
    assert sorted(queued) == sorted(lead.id for lead in leads)
