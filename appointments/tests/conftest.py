import datetime as dt
import zoneinfo

import pytest

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
