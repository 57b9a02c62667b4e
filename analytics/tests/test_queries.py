"""A fixed number of queries per endpoint, whatever the data and the period: one per question
(totals, series, groups, names), never one per row or per bucket."""

import datetime as dt
import random

import pytest
from django.db import connection

from calls.models import CallStatus

from .factories import AppointmentFactory, CallFactory, CampaignFactory, lead_at
from .handbuilt import at

# The user of the token, then the endpoint's own queries.
BUDGETS = {
    "overview": 1 + 3,  # leads, calls, appointments (each for the period and the previous one)
    "leads": 1 + 3,  # totals, series, speed to lead
    "calls": 1 + 4,  # totals, series, per campaign, campaign names
    "appointments": 1 + 4,  # totals, series, per branch, branch names
}


def _fill(gym, branch, rng, leads):
    campaigns = [CampaignFactory(gym=gym) for _ in range(3)]
    for n in range(leads):
        created = at(3, 1, 9) + dt.timedelta(hours=rng.randrange(24 * 60))
        lead = lead_at(created, gym=gym, branch=branch, first_called_at=created + dt.timedelta(minutes=n))
        CallFactory(gym=gym, lead=lead, branch=branch, start_time=created, campaign=rng.choice(campaigns),
                    status=rng.choice(CallStatus.values[2:]))
        AppointmentFactory(gym=gym, lead=lead, branch=branch, date=created + dt.timedelta(days=1))


@pytest.mark.parametrize("endpoint", list(BUDGETS))
@pytest.mark.parametrize("granularity", ["day", "month"])
def test_queries_do_not_grow_with_rows_or_buckets(endpoint, granularity, admin_client, gym, branch, data_queries,
                                                  counting):
    rng = random.Random(7)
    for leads, period in ((1, ("2026-03-01", "2026-03-01")), (40, ("2025-06-01", "2026-05-31"))):
        _fill(gym, branch, rng, leads)
        params = {"start_date": period[0], "end_date": period[1], "granularity": granularity}
        with data_queries(BUDGETS[endpoint]):
            assert admin_client.get(f"/api/analytics/{endpoint}", params).status_code == 200
        with data_queries(BUDGETS[endpoint] + 1):  # + the branch's lookup
            assert admin_client.get(f"/api/analytics/{endpoint}", {**params, "branch_id": branch.pk}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="rollups exist on PostgreSQL only")
@pytest.mark.parametrize("endpoint,table", [("overview", "analytics_callday"), ("leads", "analytics_leadday"),
                                            ("calls", "analytics_callday"), ("appointments", "analytics_appointmentday")])
def test_whole_days_are_read_from_the_rollups_and_datetimes_from_the_rows(endpoint, table, admin_client, gym,
                                                                          data_queries):
    with data_queries(BUDGETS[endpoint]) as days:
        admin_client.get(f"/api/analytics/{endpoint}", {"start_date": "2026-03-01", "end_date": "2026-03-31"})
    assert any(table in query["sql"] for query in days.captured_queries)
    with data_queries(BUDGETS[endpoint]) as moments:
        admin_client.get(f"/api/analytics/{endpoint}", {"start_date": "2026-03-01T09:00:00", "end_date": "2026-03-31"})
    assert not any("analytics_" in query["sql"] for query in moments.captured_queries)
