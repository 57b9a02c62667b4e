"""Every sort and filter of the call and campaign lists reads its page in index order on PostgreSQL:
the plan of the page query has no Sort node when sequential scans are ruled out."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import Call
from leads.tests.factories import LeadFactory

from .factories import CallFactory, CampaignFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
pytestmark = [pytest.mark.django_db, postgres_only]


def captured(client, url, params, keep):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    found = [q["sql"] for q in queries if keep(q["sql"])]
    assert len(found) == 1, found
    return found[0]


def explain(sql):
    with connection.cursor() as cursor:
        # Statistics differ with what ran before (autovacuum analyses tables that other tests filled
        # and rolled back), so cost alone may prefer sorting a few rows: with sorts discouraged too, a
        # Sort node remains only when no index yields the order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_sort")
    return plan


def page_plan(client, url, params, table):
    return explain(captured(client, url, params, lambda sql: sql.startswith("SELECT")
                            and f'FROM "{table}"' in sql and "LIMIT" in sql))


@pytest.mark.parametrize("params", [
    {},
    *({"sort_by": field, "sort_order": order} for field in ("start_time", "created_at", "duration", "scheduled_at")
      for order in ("asc", "desc")),
])
def test_call_sorts_read_an_index_in_order(agent_client, gym, params):
    CallFactory(gym=gym)
    plan = page_plan(agent_client, "/api/calls", params, "calls_call")
    assert "Sort" not in plan, plan
    assert "Index Scan" in plan, plan


@pytest.mark.parametrize("name", ["lead_id", "branch_id", "status", "outcome", "campaign_id"])
def test_call_filters_with_the_default_sort_read_an_index_in_order(agent_client, gym, name):
    call = CallFactory(gym=gym, campaign=CampaignFactory(gym=gym), outcome="no_answer", lead=LeadFactory(gym=gym))
    value = {"lead_id": call.lead_id, "branch_id": call.branch_id, "status": "completed", "outcome": "no_answer",
             "campaign_id": call.campaign_id}[name]
    plan = page_plan(agent_client, "/api/calls", {name: str(value)}, "calls_call")
    assert "Sort" not in plan, plan


def test_a_date_window_reads_started_calls_by_start_and_the_others_by_schedule(agent_client, gym):
    lead = LeadFactory(gym=gym)
    first = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    Call.all_gyms.bulk_create([Call(gym=gym, lead=lead, status="completed", start_time=first + dt.timedelta(hours=3 * n))
                               for n in range(3000)])  # a year of calls
    Call.all_gyms.bulk_create([Call(gym=gym, lead=lead, status="queued", scheduled_at=first + dt.timedelta(days=n))
                               for n in range(300)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE calls_call")
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get("/api/calls", {"start_date": "2025-03-01", "end_date": "2025-03-31"})
    assert response.json()["pagination"]["total"] == 31 * 8 + 31
    calls = [q["sql"] for q in queries if 'FROM "calls_call"' in q["sql"]]
    started_count, unstarted_count, page = calls  # the page holds started calls only
    assert "call_gym_start" in explain(started_count)
    assert "call_gym_unstarted" in explain(unstarted_count)
    plan = explain(page)
    assert "call_gym_start" in plan and "Sort" not in plan, plan


@pytest.mark.parametrize("params", [{}, *({"sort_by": field, "sort_order": order}
                                          for field in ("created_at", "name", "start_date") for order in ("asc", "desc"))])
def test_campaign_sorts_read_an_index_in_order(agent_client, gym, params):
    CampaignFactory(gym=gym)
    plan = page_plan(agent_client, "/api/settings/campaigns", params, "calls_campaign")
    assert "Sort" not in plan.split("SubPlan")[0], plan
