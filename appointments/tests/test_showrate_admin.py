"""The show-rate ladder in the admin: the "needs an outcome" filter and an appointment's calls."""

import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from appointments import demo
from calls.models import Call
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, UserFactory

from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/appointments/appointment/"


def book(gym, branch, days, status="scheduled", **fields):
    return AppointmentFactory(gym=gym, branch=branch, lead=LeadFactory(gym=gym, branch=branch, last_name=f"Lead{days}"),
                              date=timezone.now() + dt.timedelta(days=days), status=status, **fields)


@pytest.fixture
def staff_client(client, gym, branch):
    client.force_login(UserFactory(gym=gym, branch=branch, role="manager", is_staff=True))
    return client


def test_needs_an_outcome_is_one_click_away(staff_client, gym, branch, other_gym):
    waiting = book(gym, branch, -2, "confirmed")
    book(gym, branch, -2, "completed"), book(gym, branch, 2)
    book(other_gym, BranchFactory(gym=other_gym), -2)
    page = staff_client.get(LIST).content.decode()
    assert "Needs an outcome" in page and "?outcome=needed" in page
    filtered = staff_client.get(LIST, {"outcome": "needed"})
    assert filtered.status_code == 200
    assert list(filtered.context["cl"].queryset) == [waiting]


def test_superusers_filter_every_gym(client, gym, branch, other_gym):
    client.force_login(UserFactory(gym=None, is_superuser=True, is_staff=True, branch=None))
    mine, theirs = book(gym, branch, -2), book(other_gym, BranchFactory(gym=other_gym), -3)
    filtered = client.get(LIST, {"outcome": "needed"})
    assert set(filtered.context["cl"].queryset) == {mine, theirs}


def test_the_appointment_page_shows_its_confirmation_and_recall_calls(staff_client, gym, branch):
    appointment = book(gym, branch, -1, "no_show", confirmation_called_at=timezone.now())
    for purpose, status in (("confirmation", "completed"), ("recall", "queued")):
        Call.all_gyms.create(gym=gym, lead=appointment.lead, appointment=appointment, purpose=purpose, status=status,
                             summary=f"{purpose} summary", scheduled_at=timezone.now())
    Call.all_gyms.create(gym=gym, lead=appointment.lead, status="completed", summary="outreach summary")
    page = staff_client.get(f"{LIST}{appointment.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirmation and recall calls" in html
    assert "confirmation summary" in html and "recall summary" in html and "outreach summary" not in html
    assert "Confirmation called at" in html


def test_the_demo_turns_the_ladder_on_with_its_calls(gym, branch):
    for _ in range(40):
        LeadFactory(gym=gym, branch=branch)
    out = io.StringIO()
    demo.seed(gym=gym, rng=random.Random(7), stdout=out)
    gym.refresh_from_db()
    assert gym.confirmation_calls_enabled and gym.recall_calls_enabled
    confirmations = Call.all_gyms.filter(gym=gym, purpose="confirmation").select_related("appointment")
    assert confirmations and all(c.appointment.confirmation_called_at == c.start_time for c in confirmations)
    assert all(c.appointment.status == "no_show" for c in Call.all_gyms.filter(gym=gym, purpose="recall"))
    assert "Show-rate ladder: on;" in out.getvalue()
