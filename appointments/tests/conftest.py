import datetime as dt
import zoneinfo
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.tests.factories import LeadFactory
from tenants.models import Role
from tenants.tests.factories import UserFactory

LIST = "/api/appointments"


def detail(appointment_id, suffix=""):
    return f"/api/appointments/{appointment_id}{suffix}"


def local_day(days=7):
    """A day about ``days`` ahead (YYYY-MM-DD), on which the clocks of New York (the test gyms'
    timezone) do not change: its local times are all real and, ahead of today, in the future."""
    day = dt.date.today() + dt.timedelta(days=days)
    while _offset(day) != _offset(day + dt.timedelta(days=1)):
        day += dt.timedelta(days=1)
    return day.isoformat()


def _offset(day):
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo("America/New_York")).utcoffset()


@pytest.fixture
def lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch, first_name="Jane", last_name="Doe")


@pytest.fixture
def other_lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch, first_name="John", last_name="Roe")


@pytest.fixture
def coach(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.AGENT, first_name="Sam", last_name="Rivera")


@pytest.fixture
def book(agent_client, lead):
    """``book(**fields)``: POST /api/appointments as the agent (lead, type and duration defaulted)."""

    def post(client=None, **fields):
        body = {"lead_id": str(lead.id), "type": "tour", "duration": 60, "date": f"{local_day()}T10:00:00", **fields}
        return (client or agent_client).post(LIST, body, format="json")

    return post


_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def data_queries():
    """``with data_queries(n):`` exactly ``n`` statements read or wrote data: transaction
    bookkeeping (savepoints) and the row-level-security scope setting (``set_config``) are left
    out, so a budget does not depend on how the request's transaction is handled. (The same
    fixture as main's root conftest; this copy can go once both are merged.)"""

    @contextmanager
    def budget(expected):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        data = [q["sql"] for q in captured.captured_queries
                if not q["sql"].startswith(_BOOKKEEPING) and "set_config(" not in q["sql"]]
        assert len(data) == expected, f"{len(data)} data queries, expected {expected}:\n" + "\n".join(data)

    return budget
