"""Every list endpoint answers in a constant number of queries, whatever the number of rows: the
same count of data queries with a few rows of everything as with three times as many. A new list
endpoint in the schema without an entry here fails ``test_every_list_endpoint_is_measured``."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from appointments.tests.factories import AppointmentFactory, next_week
from calls.tests.factories import CallFactory, CallNoteFactory, CampaignFactory, CampaignLeadFactory
from knowledge.tests.factories import ImportJobFactory, KnowledgeEntryFactory, KnowledgeSourceFactory
from leads.tests.factories import LeadActivityFactory, LeadFactory, LeadTagFactory
from tenants.api_keys import api_key_create
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

# path -> how the request is made ("jwt" or "key": the voice agent's API key)
LISTS = {
    "/api/leads/": "jwt",
    "/api/leads/?search=Doe&status=new,contacted&sort_by=last_name": "jwt",
    "/api/leads/branch/{branch_id}/": "jwt",
    "/api/leads/{lead_id}/activities/": "jwt",
    "/api/leads/prioritized/?count=50": "jwt",
    "/api/calls/": "jwt",
    "/api/calls/?start_date=2020-01-01&end_date=2030-12-31": "jwt",
    "/api/calls/{call_id}/notes/": "jwt",
    "/api/appointments/": "jwt",
    "/api/appointments/upcoming/": "jwt",
    "/api/appointments/needs-outcome/": "jwt",
    "/api/appointments/branch/{branch_id}/": "jwt",
    "/api/knowledge/": "jwt",
    "/api/knowledge/sources/": "jwt",
    "/api/knowledge/search/?q=pool": "jwt",
    "/api/settings/api-keys/": "jwt",
    "/api/settings/branches/": "jwt",
    "/api/settings/campaigns/": "jwt",
    "/api/settings/tags/": "jwt",
    "/api/settings/users/": "jwt",
    "/api/voice/calls/due/": "key",
    "/api/voice/knowledge/search/?q=pool": "key",
}


class World:
    """Rows of every kind for one gym, grown by ``add(n)``."""

    def __init__(self, gym, branch):
        self.gym, self.branch = gym, branch
        self.lead = LeadFactory(gym=gym, branch=branch, first_name="Jane", last_name="Doe")
        self.call = CallFactory(gym=gym, lead=self.lead, status="completed")
        self.campaign = CampaignFactory(gym=gym)
        self.source = KnowledgeSourceFactory(gym=gym)
        self.rounds = 0

    def add(self, n):
        gym, branch = self.gym, self.branch
        for _ in range(n):
            self.rounds += 1
            coach = UserFactory(gym=gym, branch=branch)
            BranchFactory(gym=gym)
            tag = TagFactory(gym=gym)
            api_key_create(gym=gym, name=f"key {self.rounds}")
            lead = LeadFactory(gym=gym, branch=branch, assigned_to=coach, last_name="Doe", status="contacted")
            LeadTagFactory(gym=gym, lead=lead, tag=tag)
            LeadTagFactory(gym=gym, lead=self.lead, tag=tag)
            LeadActivityFactory(gym=gym, lead=self.lead)
            CampaignLeadFactory(gym=gym, campaign=self.campaign, lead=lead)
            campaign = CampaignFactory(gym=gym)
            CampaignLeadFactory(gym=gym, campaign=campaign, lead=lead)
            CallFactory(gym=gym, lead=lead, campaign=campaign, status="completed", outcome="appointment_booked",
                        start_time=dt.datetime(2026, 1, 1 + self.rounds, 10, tzinfo=dt.UTC))
            CallFactory(gym=gym, lead=lead, campaign=self.campaign, status="queued",
                        scheduled_at=dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC))
            CallNoteFactory(gym=gym, call=self.call, author=coach)
            AppointmentFactory(gym=gym, lead=lead, branch=branch, staff=coach, created_by=coach,
                               date=next_week(6) + dt.timedelta(days=self.rounds))
            AppointmentFactory(gym=gym, lead=lead, branch=branch, date=next_week(6) - dt.timedelta(days=14))
            source = KnowledgeSourceFactory(gym=gym)
            ImportJobFactory(gym=gym, source=source)
            KnowledgeEntryFactory(gym=gym, source=source, question=f"Do you have a pool? ({self.rounds})",
                                  answer="Yes, a 25 m pool.", branch=branch if self.rounds % 2 else None)


def _url(template, world):
    return template.format(branch_id=world.branch.pk, lead_id=world.lead.pk, call_id=world.call.pk)


def _data_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    body = response.json()
    rows = body["data"] if isinstance(body, dict) and "data" in body else body
    if isinstance(body, dict) and "results" in body:
        rows = body["results"]
    sql = [q["sql"] for q in captured.captured_queries
           if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
           and "set_config(" not in q["sql"]]
    return sql, len(rows)


@pytest.mark.parametrize("template", LISTS)
def test_queries_do_not_grow_with_rows(template, gym, branch, admin_client):
    world = World(gym, branch)
    world.add(2)
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_create(gym=gym, name='voice')[1]}")
    client = key_client if LISTS[template] == "key" else admin_client
    url = _url(template, world)
    client.get(url)  # once-a-while bookkeeping (an API key's last use) out of the way
    few, few_rows = _data_queries(client, url)
    world.add(4)
    many, many_rows = _data_queries(client, url)
    assert many_rows > few_rows, f"{url}: the bigger world must show more rows ({few_rows} -> {many_rows})"
    assert len(many) == len(few), (f"{url}: {len(few)} queries with {few_rows} rows, {len(many)} with {many_rows}:\n"
                                   + "\n".join(many))


def test_every_list_endpoint_is_measured():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    measured = {template.split("?")[0] for template in LISTS}
    lists = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        body = json.dumps(get["responses"].get("200", {}).get("content", {}).get("application/json", {}))
        if '"data"' in body or "Paginated" in body or '"type": "array"' in body:
            lists.add(path.replace("{id}", "{lead_id}" if path.startswith("/api/leads/") else "{call_id}"))
    assert len(lists) >= 17, sorted(lists)  # the detection itself works
    assert lists - measured == set()
